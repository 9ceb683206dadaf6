"""What to estimate: means, proportions, totals and ratios of columns.

Each indicator names the columns it reads and the label it carries in results, so several can be
estimated from one pass over the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ipec.errors import DesignError

__all__ = ["Indicator", "Mean", "Proportion", "Ratio", "Total", "as_indicator"]

Kind = Literal["mean", "proportion", "total", "ratio"]


@dataclass(frozen=True, slots=True)
class Mean:
    """Weighted mean of a numeric column (rows with a null are left out of this estimate)."""

    column: str
    name: str | None = None
    kind: Kind = "mean"

    @property
    def label(self) -> str:
        """Name shown in the ``indicator`` column of results."""
        return self.name or self.column


@dataclass(frozen=True, slots=True)
class Proportion:
    """Weighted share of rows where a 0/1 or boolean column is 1/true."""

    column: str
    name: str | None = None
    kind: Kind = "proportion"

    @property
    def label(self) -> str:
        """Name shown in the ``indicator`` column of results."""
        return self.name or self.column


@dataclass(frozen=True, slots=True)
class Total:
    """Weighted (population) total of a numeric column."""

    column: str
    name: str | None = None
    kind: Kind = "total"

    @property
    def label(self) -> str:
        """Name shown in the ``indicator`` column of results."""
        return self.name or self.column


@dataclass(frozen=True, slots=True)
class Ratio:
    """Ratio of two weighted totals, numerator/denominator (R ``svyratio``)."""

    numerator: str
    denominator: str
    name: str | None = None
    kind: Kind = "ratio"

    @property
    def label(self) -> str:
        """Name shown in the ``indicator`` column of results."""
        return self.name or f"{self.numerator}/{self.denominator}"


Indicator = Mean | Proportion | Total | Ratio


def as_indicator(spec: Indicator | str) -> Indicator:
    """A bare column name means the mean of that column."""
    if isinstance(spec, str):
        if not spec:
            raise DesignError("an indicator column name must not be empty")
        return Mean(spec)
    if isinstance(spec, Mean | Proportion | Total | Ratio):
        return spec
    raise DesignError(f"not an indicator: {spec!r}", hint="use Mean, Proportion, Total or Ratio")

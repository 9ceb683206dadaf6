"""The immutable result of an estimate, one row per (domain spec, level, indicator)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["COLUMNS", "SurveyResult"]

COLUMNS: tuple[str, ...] = (
    "by",
    "level",
    "indicator",
    "kind",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "deff",
    "deff_wr",
    "deft",
    "cv",
    "n_unweighted",
    "n_weighted",
    "flag",
)

_SCHEMA: dict[str, pl.DataType] = {
    "by": pl.String(),
    "level": pl.String(),
    "indicator": pl.String(),
    "kind": pl.String(),
    "n_unweighted": pl.Int64(),
    "flag": pl.String(),
}


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """Estimates with SE, interval, df, design effects, counts and display flags.

    ``deff`` is against simple random sampling without replacement (R ``deff=TRUE``),
    ``deff_wr`` with replacement (R ``deff="replace"``), ``deft = sqrt(deff)``,
    ``cv = se / estimate``. The whole-sample rows have by = level = "total".
    """

    columns: Mapping[str, tuple[object, ...]]
    level: float
    ci_method: str
    df_method: str

    @classmethod
    def from_parts(
        cls,
        parts: Sequence[Mapping[str, Sequence[object] | npt.NDArray[np.generic]]],
        *,
        level: float,
        ci_method: str,
        df_method: str,
    ) -> SurveyResult:
        """Concatenate per-(spec, indicator) column blocks."""
        cols: dict[str, tuple[object, ...]] = {}
        for name in COLUMNS:
            values: list[object] = []
            for part in parts:
                block = part[name]
                values.extend(block.tolist() if isinstance(block, np.ndarray) else block)
            cols[name] = tuple(values)
        return cls(MappingProxyType(cols), level, ci_method, df_method)

    def to_polars(self) -> pl.DataFrame:
        """A tidy frame with the columns listed in :data:`COLUMNS`."""
        data = {name: list(self.columns[name]) for name in COLUMNS}
        schema = {name: _SCHEMA.get(name, pl.Float64()) for name in COLUMNS}
        return pl.DataFrame(data, schema=schema)

    def __len__(self) -> int:
        return len(self.columns["estimate"])

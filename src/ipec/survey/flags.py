"""Display flags that tell a reader how far to trust a cell, from its unweighted count."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ipec.errors import DesignError

__all__ = ["FlagRule"]


@dataclass(frozen=True, slots=True)
class FlagRule:
    """Fewer than ``suppress`` cases -> "*" (suppress), fewer than ``parenthesise`` -> "()",
    no cases -> "-", otherwise "". Defaults follow the usual DHS/MICS 25/50 convention.
    """

    suppress: int = 25
    parenthesise: int = 50

    def __post_init__(self) -> None:
        if not 0 <= self.suppress <= self.parenthesise:
            raise DesignError("flag thresholds need 0 <= suppress <= parenthesise")

    def flags(self, n: npt.NDArray[np.int64]) -> list[str]:
        """One flag per unweighted count."""
        out = np.where(
            n == 0, "-", np.where(n < self.suppress, "*", np.where(n < self.parenthesise, "()", ""))
        )
        return [str(x) for x in out]

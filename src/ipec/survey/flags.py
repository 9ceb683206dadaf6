"""Display flags that tell a reader how far to trust a cell, from its unweighted count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ipec.errors import DesignError

__all__ = ["FlagRule", "display_flag", "with_notes"]

NOTE_SEPARATOR = "; "


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


def with_notes(flags: Sequence[str], notes: Sequence[str]) -> list[str]:
    """Each display flag followed by its note (after "; "), where there is one."""
    if not notes:
        return list(flags)
    return [
        f"{flag}{NOTE_SEPARATOR}{note}" if note else flag
        for flag, note in zip(flags, notes, strict=True)
    ]


def display_flag(flag: str) -> str:
    """The display part of a ``flag`` value ("*", "()", "-" or ""), without its note.

    >>> display_flag("(); 2 of 40 replicates dropped")
    '()'
    """
    return flag.split(NOTE_SEPARATOR, 1)[0].strip()

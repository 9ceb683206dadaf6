"""Finding and describing the rows behind a data error: shared by every validating step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

import polars as pl

from ipec.errors import DataError

__all__ = [
    "NAMES_SHOWN",
    "ROWS_SHOWN",
    "RowCheck",
    "first_line",
    "offending_rows",
    "raise_failed",
    "shown",
]

#: How many offending rows an error names (the count of all of them follows).
ROWS_SHOWN = 5
#: How many offending names (strata, levels) an error lists before "(and N more)".
NAMES_SHOWN = 10


def shown(names: Sequence[str]) -> str:
    """The first names of a list for an error message, and how many more there are.

    >>> shown([str(i) for i in range(12)])
    '0, 1, 2, 3, 4, 5, 6, 7, 8, 9 (and 2 more)'
    """
    more = f" (and {len(names) - NAMES_SHOWN} more)" if len(names) > NAMES_SHOWN else ""
    return ", ".join(names[:NAMES_SHOWN]) + more


def offending_rows(
    frame: pl.DataFrame | pl.LazyFrame, condition: pl.Expr, *, index: str | None = None
) -> tuple[list[int], int]:
    """0-based numbers of the first rows where ``condition`` holds, and how many there are.

    ``index`` names a column holding the rows' numbers in the original file (rows may have
    been filtered since); without it, rows are numbered as they stand in ``frame``.
    """
    lazy = frame.lazy()
    if index is None:
        index = "__row"
        lazy = lazy.with_row_index(index)
    bad = condition.fill_null(value=False)
    found = lazy.select(
        pl.col(index).filter(bad).head(ROWS_SHOWN).implode().alias("rows"),
        bad.sum().alias("count"),
    ).collect()
    return [int(row) for row in found["rows"][0]], int(found["count"][0])


@dataclass(frozen=True, slots=True)
class RowCheck:
    """A condition that must hold on no row, the column it concerns, and how to fix it."""

    column: str
    bad: pl.Expr
    message: str
    hint: str


def raise_failed(
    frame: pl.DataFrame | pl.LazyFrame,
    check: RowCheck,
    *,
    source: str | None,
    index: str | None = None,
) -> NoReturn:
    """Raise the :class:`DataError` for a check known to fail, naming its first rows."""
    rows, count = offending_rows(frame, check.bad, index=index)
    raise DataError(
        check.message,
        source=source,
        column=check.column,
        rows=rows,
        row_count=count,
        hint=check.hint,
    )


def first_line(error: BaseException) -> str:
    """The first line of an error's text, or its type when it has none."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

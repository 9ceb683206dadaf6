"""Checks and column selection shared by the linearised and replicate estimators.

All checks look at the data once, before the group-by pass, so a bad column or weight is
reported with its rows instead of turning into a NaN later.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ipec.errors import DataError
from ipec.rows import offending_rows
from ipec.survey.indicators import Indicator, Proportion, Ratio
from ipec.survey.sufficient import Measure

__all__ = ["Check", "check_frame", "measure_of", "raise_first", "row_checks", "select_columns"]


def measure_of(ind: Indicator) -> Measure:
    """The sums an indicator needs."""
    if isinstance(ind, Ratio):
        return Measure(ind.numerator, ind.denominator)
    return Measure(ind.column)


def select_columns(
    data: pl.DataFrame | pl.LazyFrame, columns: Sequence[str]
) -> pl.DataFrame | pl.LazyFrame:
    """Only the needed columns. A LazyFrame stays lazy: the estimate streams it once."""
    if not isinstance(data, pl.DataFrame | pl.LazyFrame):
        raise DataError(f"expected a Polars DataFrame or LazyFrame, got {type(data).__name__}")
    schema = data.collect_schema() if isinstance(data, pl.LazyFrame) else data.schema
    wanted = list(dict.fromkeys(columns))
    for c in wanted:
        if c not in schema:
            raise DataError("column not found", column=c, hint="check the design and indicators")
    if isinstance(data, pl.DataFrame):
        # the same columns, without a query: a select plans and runs one, a cost that counts
        # when a report makes many estimates over one frame
        return pl.DataFrame([data.get_column(c) for c in wanted])
    return data.select(wanted)


Check = tuple[pl.Expr, str, str]  # condition that marks a bad row, message, column


def row_checks(
    schema: pl.Schema, weights: Sequence[str], indicators: Sequence[Indicator]
) -> list[Check]:
    """Check the dtypes now; return the row conditions still to count (in reporting order).

    Weights numeric, present, finite and >= 0; analysed columns numeric or boolean, never NaN;
    proportions 0/1.
    """
    checks: list[Check] = []
    for w in weights:
        if not schema[w].is_numeric():
            raise DataError(f"weights must be numeric, not {schema[w]}", column=w)
        col = pl.col(w).cast(pl.Float64)
        checks.append((col.is_null(), "weight is missing", w))
        checks.append((~col.is_finite(), "weight is not finite", w))
        checks.append((col < 0, "weight is negative", w))
    for ind in indicators:
        cols = [ind.numerator, ind.denominator] if isinstance(ind, Ratio) else [ind.column]
        for c in cols:
            dtype = schema[c]
            if not (dtype.is_numeric() or dtype == pl.Boolean):
                raise DataError(
                    f"analysed column must be numeric or boolean, not {dtype}", column=c
                )
            if dtype.is_float():
                checks.append((pl.col(c).is_nan() | pl.col(c).is_infinite(),
                               "value is NaN or infinite (use null for missing)", c))  # fmt: skip
        if isinstance(ind, Proportion) and schema[ind.column] != pl.Boolean:
            v = pl.col(ind.column)
            checks.append((v.is_not_null() & (v != 0) & (v != 1),
                           "a proportion needs 0/1 values", ind.column))  # fmt: skip
    return list({(str(e), m, c): (e, m, c) for e, m, c in checks}.values())


def raise_first(
    data: pl.DataFrame | pl.LazyFrame, checks: Sequence[Check], counts: Sequence[int]
) -> None:
    """Raise for the first check with bad rows, naming its first rows (error path only)."""
    for (cond, message, column), count in zip(checks, counts, strict=True):
        if count:
            rows, _ = offending_rows(data, cond)
            raise DataError(message, column=column, rows=rows, row_count=count)


def check_frame(
    frame: pl.DataFrame, weights: Sequence[str], indicators: Sequence[Indicator]
) -> None:
    """All row checks of an in-memory frame, counted in one multi-threaded select."""
    checks = row_checks(frame.schema, weights, indicators)
    if not checks:
        return
    counts = frame.select(
        [c.fill_null(False).sum().alias(f"c{i}") for i, (c, _, _) in enumerate(checks)]
    ).row(0)
    raise_first(frame, checks, [int(c) for c in counts])

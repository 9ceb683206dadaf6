"""Checks and column selection shared by the linearised and replicate estimators.

All checks look at the data once, before the group-by pass, so a bad column or weight is
reported with its rows instead of turning into a NaN later.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ipec.errors import DataError
from ipec.survey.indicators import Indicator, Proportion, Ratio
from ipec.survey.sufficient import Measure, bad_rows

__all__ = ["check_frame", "measure_of", "select_columns"]


def measure_of(ind: Indicator) -> Measure:
    """The sums an indicator needs."""
    if isinstance(ind, Ratio):
        return Measure(ind.numerator, ind.denominator)
    return Measure(ind.column)


def select_columns(data: pl.DataFrame | pl.LazyFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Only the needed columns, collected once (a LazyFrame is read a single time)."""
    if not isinstance(data, pl.DataFrame | pl.LazyFrame):
        raise DataError(f"expected a Polars DataFrame or LazyFrame, got {type(data).__name__}")
    schema = data.collect_schema() if isinstance(data, pl.LazyFrame) else data.schema
    wanted = list(dict.fromkeys(columns))
    for c in wanted:
        if c not in schema:
            raise DataError("column not found", column=c, hint="check the design and indicators")
    lazy = data.lazy() if isinstance(data, pl.DataFrame) else data
    return lazy.select(wanted).collect()


def _rows_error(frame: pl.DataFrame, condition: pl.Expr, message: str, column: str) -> None:
    rows, count = bad_rows(frame, condition)
    if count:
        raise DataError(message, column=column, rows=rows, row_count=count)


def check_frame(
    frame: pl.DataFrame, weights: Sequence[str], indicators: Sequence[Indicator]
) -> None:
    """Weights numeric, present, finite and >= 0; analysed columns numeric or boolean;
    proportions 0/1."""
    schema = frame.schema
    for w in weights:
        if not schema[w].is_numeric():
            raise DataError(f"weights must be numeric, not {schema[w]}", column=w)
        col = pl.col(w).cast(pl.Float64)
        _rows_error(frame, col.is_null(), "weight is missing", w)
        _rows_error(frame, ~col.is_finite(), "weight is not finite", w)
        _rows_error(frame, col < 0, "weight is negative", w)
    for ind in indicators:
        cols = [ind.numerator, ind.denominator] if isinstance(ind, Ratio) else [ind.column]
        for c in cols:
            dtype = schema[c]
            if not (dtype.is_numeric() or dtype == pl.Boolean):
                raise DataError(
                    f"analysed column must be numeric or boolean, not {dtype}", column=c
                )
            if dtype.is_float():
                _rows_error(frame, pl.col(c).is_nan() | pl.col(c).is_infinite(),
                            "value is NaN or infinite (use null for missing)", c)  # fmt: skip
        if isinstance(ind, Proportion) and schema[ind.column] != pl.Boolean:
            v = pl.col(ind.column)
            _rows_error(frame, v.is_not_null() & (v != 0) & (v != 1),
                        "a proportion needs 0/1 values", ind.column)  # fmt: skip

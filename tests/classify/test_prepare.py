"""Bad input: a clear error naming the column, the first offending rows and the fix."""

from __future__ import annotations

import polars as pl
import pytest

from ipec.classify import classify
from ipec.errors import DataError


def _frame(**columns: list[object]) -> pl.DataFrame:
    base: dict[str, list[object]] = {
        "age": ["10", "12", "14", "16"],
        "econ_any": ["yes", "no", "1", ""],
        "econ_hours": ["5", "", "20", "7.5"],
        "chores_any": ["no", "no", "yes", "no"],
        "chores_hours": ["", "", "3", ""],
    }
    base.update(columns)
    return pl.DataFrame(base, schema=dict.fromkeys(base, pl.String))


def test_text_columns_are_coerced() -> None:
    result = classify(_frame(), "sdg-8.7.1")
    assert result["econ_any"].to_list() == [True, False, True, False]
    assert result["econ_hours"].to_list() == [5.0, None, 20.0, 7.5]
    assert result["age"].dtype.is_integer()


def test_missing_required_column() -> None:
    frame = _frame().drop("econ_hours")
    with pytest.raises(DataError) as caught:
        classify(frame, "sdg-8.7.1", source="kids.csv")
    assert caught.value.one_line().startswith(
        "kids.csv: missing required column(s) econ_hours; fix:"
    )


def test_chores_profile_needs_chores_columns() -> None:
    frame = _frame().drop("chores_any", "chores_hours")
    with pytest.raises(DataError, match="counts household chores"):
        classify(frame, "sdg-8.7.1")
    assert classify(frame, "sdg-8.7.1-econ").height == 4


@pytest.mark.parametrize(
    ("column", "values", "message", "rows"),
    [
        ("econ_hours", ["5", "x", "20", "lots"], "hours are not a number", (1, 3)),
        ("econ_hours", ["-1", "", "20", "7"], "hours must lie between 0 and 168", (0,)),
        ("chores_hours", ["", "", "169", ""], "hours must lie between 0 and 168", (2,)),
        ("age", ["10", "12.5", "14", "16"], "whole number", (1,)),
        ("age", ["10", "", "14", "16"], "age is missing", (1,)),
        ("age", ["ten", "12", "14", "16"], "age is not a number", (0,)),
        ("econ_any", ["yes", "perhaps", "1", "2"], "not a yes/no flag", (1, 3)),
    ],
)
def test_bad_values_name_column_and_rows(
    column: str, values: list[object], message: str, rows: tuple[int, ...]
) -> None:
    with pytest.raises(DataError) as caught:
        classify(_frame(**{column: values}), "sdg-8.7.1", source="kids.csv")
    error = caught.value
    assert error.column == column
    assert error.rows == rows
    assert message in error.one_line()
    assert "fix:" in error.one_line()
    assert "\n" not in error.one_line()


def test_many_bad_rows_are_summarised() -> None:
    frame = pl.DataFrame(
        {"age": list(range(20)), "econ_any": [True] * 20, "econ_hours": [-1.0] * 20}
    )
    with pytest.raises(DataError) as caught:
        classify(frame, "sdg-8.7.1-econ")
    assert "rows 1, 2, 3, 4, 5 (and 15 more)" in caught.value.one_line()


def test_numeric_flags_must_be_zero_or_one() -> None:
    frame = pl.DataFrame({"age": [10, 11], "econ_any": [1, 2], "econ_hours": [3.0, 4.0]})
    with pytest.raises(DataError, match="not a yes/no flag"):
        classify(frame, "sdg-8.7.1-econ")


def test_water_without_hours_column() -> None:
    with pytest.raises(DataError, match="water_any is given without water_hours"):
        classify(_frame(water_any=["no"] * 4), "sdg-8.7.1")


def test_hostile_strings_are_just_bad_values() -> None:
    hostile = ["<script>alert(1)</script>", "'; DROP TABLE children; --", "\x00", "5"]
    with pytest.raises(DataError) as caught:
        classify(_frame(econ_hours=hostile), "sdg-8.7.1")
    assert caught.value.rows == (0, 1, 2)

"""Check and coerce an input frame into the canonical child record, or say exactly what is wrong.

All checks are vectorised: one aggregate pass counts problems per column; only when a problem is
found is a second, small query run to list the first offending rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ipec.classify.record import REQUIRED_COLUMNS, Field, child_fields
from ipec.errors import DataError
from ipec.rows import RowCheck, raise_failed
from ipec.standards.model import Profile

__all__ = ["MAX_WEEKLY_HOURS", "TRUE_WORDS", "Prepared", "prepare"]

MAX_WEEKLY_HOURS = 168.0
#: How a flag may say "yes", in any case (the monitoring metrics read stored records alike).
TRUE_WORDS = ("true", "yes", "y", "1", "t")
_FALSE_WORDS = ("false", "no", "n", "0", "f")


def _as_text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars()


def _flag(column: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """The coerced flag and the expression that marks values which are not a flag."""
    if dtype == pl.Boolean:
        value = pl.col(column)
        return value, pl.lit(value=False)
    if dtype.is_numeric():
        value = pl.col(column)
        return value == 1, value.is_not_null() & (value != 0) & (value != 1)
    text = _as_text(column).str.to_lowercase()
    empty = text.is_null() | (text == "")
    is_true = text.is_in(list(TRUE_WORDS))
    bad = ~empty & ~is_true & ~text.is_in(list(_FALSE_WORDS))
    return is_true, bad


def _number(column: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """The value as Float64 and the expression that marks values that are not numbers."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64), pl.lit(value=False)
    text = _as_text(column)
    number = pl.when(text == "").then(None).otherwise(text).cast(pl.Float64, strict=False)
    return number, number.is_null() & text.is_not_null() & (text != "")


def _plan(
    schema: pl.Schema, fields: dict[str, Field], *, allow_unknown_age: bool = False
) -> tuple[list[pl.Expr], list[RowCheck]]:
    """Coercion expressions and checks for the canonical columns present in ``schema``."""
    coerced: list[pl.Expr] = []
    checks: list[RowCheck] = []
    for name, dtype in schema.items():
        field = fields.get(name)
        if field is None:
            continue
        if field.kind == "flag":
            value, bad = _flag(name, dtype)
            if dtype != pl.Boolean:
                coerced.append(value.fill_null(value=False).alias(name))
            checks.append(
                RowCheck(
                    name, bad, "not a yes/no flag", "use true/false, yes/no, 1/0 or leave empty"
                )
            )
        elif field.kind == "hours":
            value, bad = _number(name, dtype)
            coerced.append(value.alias(name))
            checks.append(RowCheck(name, bad, "hours are not a number", "write hours as numbers"))
            checks.append(
                RowCheck(
                    name,
                    ~bad & ((value < 0) | (value > MAX_WEEKLY_HOURS)).fill_null(value=False),
                    "hours must lie between 0 and 168 a week",
                    "correct the hours, or leave them empty when unknown",
                )
            )
        elif field.kind == "age":
            value, bad = _number(name, dtype)
            coerced.append(value.cast(pl.Int16, strict=False).alias(name))
            checks.append(RowCheck(name, bad, "age is not a number", "write ages as whole years"))
            if not allow_unknown_age:
                checks.append(
                    RowCheck(
                        name, value.is_null() & ~bad, "age is missing", "give every child an age"
                    )
                )
            checks.append(
                RowCheck(
                    name,
                    (
                        value.is_not_null()
                        & ((value != value.floor()) | (value < 0) | (value > 120))
                    ).fill_null(value=False),
                    "age is not a whole number of years between 0 and 120",
                    "round ages down to completed years",
                )
            )
        elif field.kind == "code" and dtype.is_numeric():
            value = pl.col(name)
            checks.append(
                RowCheck(
                    name,
                    (value.is_not_null() & (value != value.floor())).fill_null(value=False),
                    "codes must be whole numbers",
                    "write industry and occupation codes as text (0510) or whole numbers",
                )
            )
            coerced.append(_code_text(name).alias(name))
        elif field.kind == "code" and not isinstance(dtype, pl.String | pl.Enum | pl.Categorical):
            coerced.append(pl.col(name).cast(pl.String).alias(name))
    return coerced, checks


def _code_text(column: str) -> pl.Expr:
    """Numeric codes as text, restoring the zeros numbers lose.

    ISIC Rev.4 codes are two-digit divisions or four-digit classes, so an industry of 510 is
    class 0510 and 5 is division 05. ISCO-08 codes are written as they are (major group 0,
    armed forces, cannot be told apart from a shorter code once stored as a number).
    """
    whole = pl.col(column).cast(pl.Int64, strict=False).cast(pl.String)
    if column != "isic":
        return whole
    return (
        pl.when(whole.str.len_chars() <= 2).then(whole.str.zfill(2)).otherwise(whole.str.zfill(4))
    )


def _require_columns(schema: pl.Schema, profile: Profile, source: str | None) -> None:
    needed = list(REQUIRED_COLUMNS)
    if profile.counts_chores:
        needed += ["chores_any", "chores_hours"]
    missing = [column for column in needed if column not in schema]
    if missing:
        chores_missing = any(column.startswith("chores_") for column in missing)
        why = f" (profile {profile.id} counts household chores)" if chores_missing else ""
        raise DataError(
            f"missing required column(s) {', '.join(missing)}{why}",
            source=source,
            hint="rename your columns to the canonical names (see `ipec classify --help`) "
            "or read the file through a variable map",
        )
    for any_column, hours_column in (
        ("water_any", "water_hours"),
        ("firewood_any", "firewood_hours"),
    ):
        if (any_column in schema) != (hours_column in schema):
            present, absent = (
                (any_column, hours_column) if any_column in schema else (hours_column, any_column)
            )
            raise DataError(
                f"column {present} is given without {absent}",
                source=source,
                hint="give both columns of the activity, or neither",
            )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated, coerced frame and the distinct values of the code columns the rules test."""

    frame: pl.LazyFrame
    code_values: dict[str, list[str]]


def _code_scans(schema: pl.Schema, profile: Profile) -> tuple[dict[str, list[str]], list[pl.Expr]]:
    """Code values known from an Enum dtype, and the scans that find the others."""
    wanted = {"isic": profile.hazards.industries, "isco": profile.hazards.occupations}
    known: dict[str, list[str]] = {}
    scans: list[pl.Expr] = []
    for column, listed in wanted.items():
        if not listed or column not in schema:
            continue
        dtype = schema[column]
        if isinstance(dtype, pl.Enum):
            known[column] = dtype.categories.to_list()
        else:
            text = _code_text(column) if dtype.is_numeric() else pl.col(column).cast(pl.String)
            scans.append(text.unique().drop_nulls().implode().alias(f"values:{column}"))
    return known, scans


def prepare(
    frame: pl.DataFrame | pl.LazyFrame,
    profile: Profile,
    *,
    source: str | None = None,
    allow_unknown_age: bool = False,
) -> Prepared:
    """Validate ``frame`` against the canonical record and return it coerced, lazily.

    One aggregate pass counts bad values, nulls in boolean flags and the distinct industry and
    occupation codes. Raises :class:`DataError` naming the column, the first offending rows and
    the fix. A missing age is an error unless ``allow_unknown_age`` (the child is then
    undetermined).
    """
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    _require_columns(schema, profile, source)
    fields = {field.name: field for field in child_fields(profile)}
    coerced, checks = _plan(schema, fields, allow_unknown_age=allow_unknown_age)
    boolean_flags = [
        name
        for name, dtype in schema.items()
        if dtype == pl.Boolean and name in fields and fields[name].kind == "flag"
    ]
    code_values, code_scans = _code_scans(schema, profile)
    facts = lazy.select(
        *(check.bad.sum().alias(str(i)) for i, check in enumerate(checks)),
        *(pl.col(name).null_count().alias(f"nulls:{name}") for name in boolean_flags),
        *code_scans,
    ).collect()
    for i, check in enumerate(checks):
        if facts[str(i)][0]:
            raise_failed(lazy, check, source=source)
    coerced += [
        pl.col(name).fill_null(value=False) for name in boolean_flags if facts[f"nulls:{name}"][0]
    ]
    for name in facts.columns:
        if name.startswith("values:"):
            code_values[name.removeprefix("values:")] = [str(v) for v in facts[name][0]]
    return Prepared(lazy.with_columns(coerced) if coerced else lazy, code_values)

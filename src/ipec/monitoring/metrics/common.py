"""What every metric shares: the period, the rate shape, the area subtree and the age groups.

Rows are scoped to an area subtree through the materialised ``Area.path`` (one index range
scan) turned into a list of area ids, matched against the area of the table aggregated (the
household's area, copied onto visits and cases), so that the databases read one index range
per area of the subtree (joining on the path let SQLite start from millions of visits and
climb up to the areas; going down through households and children cost one probe per
child). What a child or a case looked like at a period's end comes from the read model
(:func:`ipec.monitoring.readmodel.children_as_of` and ``cases_as_of``), one definition for
every metric. Rows are disaggregated by the child's sex and an age group computed by the
database (an unknown age, a child with no visit, is its own group rather than a guess).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ipec.errors import DataError
from ipec.monitoring.models import Case, Child, Visit
from ipec.monitoring.scope import in_subtree

__all__ = ["Count", "Period", "Rate", "months_of"]


#: Periods lie between these dates (metrics reach back and forward from them by years).
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive dates, in order, between 1900 and 2199."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise DataError(f"the period starts ({self.start}) after it ends ({self.end})")
        for day in (self.start, self.end):
            if not EARLIEST <= day <= LATEST:
                raise DataError(f"{day} is outside the dates a period may cover",
                                hint=f"use dates from {EARLIEST} to {LATEST}")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rate:
    """A count over a base, for one group (sex and age group, or "total")."""

    group: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, slots=True)
class Count:
    """A number of children or households, for one group (sex and age group, or "total")."""

    group: str
    count: int


_P = ParamSpec("_P")
_R = TypeVar("_R")

#: PostgreSQL settings for the rest of a metric's transaction. The metrics' nested aggregates
#: get row estimates in the billions, which switches on JIT compilation: it cost far more
#: than the queries themselves. Sorts and hashes of a region's visits overflow the
#: default 4 MB of work memory and spill to disk.
_POSTGRES_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")


def _aggregate(
    metric: Callable[Concatenate[Session, _P], _R],
) -> Callable[Concatenate[Session, _P], _R]:
    """Run ``metric`` with the settings its aggregates need; on PostgreSQL only (``SET
    LOCAL`` lasts until the caller's transaction ends)."""

    def run(session: Session, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if session.get_bind().dialect.name == "postgresql":
            for setting in _POSTGRES_SETTINGS:
                session.execute(text(setting))
        return metric(session, *args, **kwargs)

    functools.update_wrapper(run, metric)
    return run


def _age_group(age: Any) -> Any:
    return case(
        (age.is_(None), "unknown"),
        (age < 5, "under 5"),
        (age <= 11, "5-11"),
        (age <= 14, "12-14"),
        (age <= 17, "15-17"),
        else_="18+",
    )


def _rates(session: Session, query: Select[Any]) -> list[Rate]:
    """Rows of (sex, age group, numerator, denominator) -> rates per group plus the total."""
    return _grouped(session.execute(query).all(), 2, 3)


def _grouped(rows: Sequence[Sequence[Any]], numerator: int, denominator: int) -> list[Rate]:
    """Rows that start with (sex, age group) -> the rate of two of their columns, plus the total.

    One query can count several numerators and bases; each rate picks its two columns.
    """
    rates = [
        Rate(f"{row[0]}*{row[1]}", int(row[numerator] or 0), int(row[denominator] or 0))
        for row in rows
    ]
    total = Rate("total", sum(r.numerator for r in rates), sum(r.denominator for r in rates))
    return [total, *sorted(rates, key=lambda r: r.group)]


def _counts(rows: Sequence[Sequence[Any]], column: int) -> list[Count]:
    """Rows that start with (sex, age group) -> one count per group, plus the total."""
    counts = [Count(f"{row[0]}*{row[1]}", int(row[column] or 0)) for row in rows]
    return [Count("total", sum(c.count for c in counts)), *sorted(counts, key=lambda c: c.group)]


def _with_area(
    query: Select[*tuple[Any, ...]], model: type[Visit | Case], path: str
) -> Select[*tuple[Any, ...]]:
    """Join ``query`` from ``model`` (visits or cases, in its FROM) to the child, keeping the
    rows of the subtree at ``path`` by their own area (so that ``Child.sex`` and
    ``Child.household_id`` can be used)."""
    return query.join(Child, Child.id == model.child_id).where(in_subtree(model.area_id, path))


def _visits_in(area_path: str, period: Period) -> tuple[ColumnElement[bool], ...]:
    """The conditions of a visit of the subtree (by its own area) dated in the period, with
    the family's consent (a refused visit kept no answers: see ``metrics.refusals``)."""
    return (
        in_subtree(Visit.area_id, area_path),
        Visit.visit_date.between(period.start, period.end),
        Visit.consent.is_(True),
    )


class _DaysBetween(FunctionElement[int]):
    """Whole days from the second date to the first; dialects differ, so it compiles per
    backend (PostgreSQL subtracts dates, SQLite subtracts Julian day numbers)."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(_DaysBetween)
def _days_between_default(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(_DaysBetween, "sqlite")
def _days_between_sqlite(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


def _days_between(later: Any, earlier: Any) -> Any:
    """Whole days from ``earlier`` to ``later`` (two date columns), as an integer."""
    return _DaysBetween(later, earlier)


class _Month(FunctionElement[str]):
    """The calendar month of a date as "YYYY-MM" text; dialects differ, so it compiles per
    backend (PostgreSQL ``to_char``, SQLite ``strftime``)."""

    type = String()
    name = "month_of"
    inherit_cache = True


@compiles(_Month)
def _month_default(element: _Month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(next(iter(element.clauses)), **kw)}, 'YYYY-MM')"


@compiles(_Month, "sqlite")
def _month_sqlite(element: _Month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(next(iter(element.clauses)), **kw)})"


def _month(day: Any) -> Any:
    """The month ("YYYY-MM") of a date column."""
    return _Month(day)


def months_of(period: Period) -> list[str]:
    """Every month ("YYYY-MM") the period touches, in order (for series with no gaps)."""
    months = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months

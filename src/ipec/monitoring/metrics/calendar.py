"""Calendar arithmetic the databases share: a date as the integer YYYYMMDD.

DOL's reference periods ("the past six months", "the past 12 months") end on a day that can
differ per row (a household's intake), and SQLite and PostgreSQL share no month arithmetic.
Written as the integer YYYYMMDD, a date moves back N months by subtracting a constant, and
the comparisons stay exact even when the result names a day the month lacks (20260231 lies
between 20260228 and 20260301). The same integer gives ages: (YYYYMMDD of the day - of the
birth) // 10000 is the age in whole years, as :func:`ipec.monitoring.scope.age_on`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ipec.monitoring.followup import add_months

__all__ = ["age_on_sql", "months_window_start", "window_start", "ymd", "ymd_next"]


class _Ymd(FunctionElement[int]):
    """A date column or value as the integer YYYYMMDD."""

    type = Integer()
    name = "ymd"
    inherit_cache = True


class _YmdNext(FunctionElement[int]):
    """The day after a date column or value, as the integer YYYYMMDD."""

    type = Integer()
    name = "ymd_next"
    inherit_cache = True


@compiles(_Ymd)
def _ymd_default(element: _Ymd, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(to_char(CAST({day} AS DATE), 'YYYYMMDD') AS INTEGER)"


@compiles(_Ymd, "sqlite")
def _ymd_sqlite(element: _Ymd, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(strftime('%Y%m%d', {day}) AS INTEGER)"


@compiles(_YmdNext)
def _ymd_next_default(element: _YmdNext, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(to_char(CAST({day} AS DATE) + 1, 'YYYYMMDD') AS INTEGER)"


@compiles(_YmdNext, "sqlite")
def _ymd_next_sqlite(element: _YmdNext, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(strftime('%Y%m%d', {day}, '+1 day') AS INTEGER)"


def ymd(day: Any) -> Any:
    """``day`` (a date column or value) as the integer YYYYMMDD."""
    return _Ymd(day)


def ymd_next(day: Any) -> Any:
    """The day after ``day`` as the integer YYYYMMDD."""
    return _YmdNext(day)


def months_window_start(day: Any, months: int) -> Any:
    """The first YYYYMMDD of the ``months`` calendar months (1-12) that end on ``day``: the
    same day number ``months`` months before the day after ``day`` (30 Sep -> 1 Apr, 31 Mar
    -> 1 Oct; 30 Aug -> "31 Feb", i.e. from 1 Mar). A visit is in the window when its
    YYYYMMDD is at least this and at most ``ymd(day)``."""
    if not 1 <= months <= 12:
        raise ValueError(f"a window of {months} months: use 1 to 12")
    after = ymd_next(day)
    if months == 12:
        return after - 10000
    month = (after // 100) % 100
    return case((month > months, after - months * 100), else_=after - 10000 + (12 - months) * 100)


def age_on_sql(birth: Any, day: Any) -> Any:
    """Whole years from ``birth`` to ``day`` (both date columns or values); negative or 0 for
    a child born after ``day``."""
    return (ymd(day) - ymd(birth)) // 10000


def window_start(day: date, months: int) -> date:
    """:func:`months_window_start` for a day known in Python, as a date (so that a query
    compares the indexed date column with a constant): the first day whose YYYYMMDD is at
    least the window's first."""
    after = day + timedelta(days=1)
    back = add_months(after, -months)
    # add_months keeps to the month's last day for "31 Feb": the window is from the next 1st
    return back if back.day == after.day else back + timedelta(days=1)

"""Metrics over cases: effectiveness of remediation, time to resolution, caseload per monitor.

Aggregated by the database for an area subtree (the child's household's area) and a period.

- effectiveness (child labour cases only): a child's remediation starts on the first start
  date of a service in any of the child's child-labour cases; the child's follow-up visits are
  the visits dated after that day and up to the period's end. Base: children with 2 or more
  follow-up visits whose latest follow-up visit is in the period. Numerator: those of them not
  in child labour at either of their two latest follow-up visits. By sex and by age at the
  latest follow-up visit. Also (totals):

  - still in: children of the base in child labour at their latest follow-up visit;
  - relapsed: children of the subtree whose child-labour case has a "relapse" event stamped
    (UTC) within the period; the stamp is when the relapse was recorded;
  - lost to follow-up: children of the subtree with a child-labour case opened on or before
    the period's end and not closed by then, that has a follow-up due more than
    ``lost_after_days`` days before the period's end (default 90) which has no visit linked
    and no visit of the child on or after its due date up to the period's end.

  Visits on the same day are ordered by id.
- time to resolution: whole days from a case's opening to its closure, for cases (of either
  kind) closed in the period; the median and the 90th percentile, computed by the database
  with the linear interpolation of numpy.percentile's default ("type 7": for sorted durations
  x[0..n-1] and p in [0, 1], h = (n-1)p, value = x[floor h] + (h - floor h)(x[floor h + 1] -
  x[floor h])). By sex and by age at the child's first visit.
- caseload per monitor: cases opened on or before the period's end and not closed by then (a
  case reopened by relapse has lost its earlier closure date), counted for the monitor of the
  child's latest visit up to the period's end; cases whose child has no visit yet are counted
  under no monitor (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ipec.monitoring.flags import flag
from ipec.monitoring.metrics.common import (
    Period,
    Rate,
    _age_group,
    _aggregate,
    _days_between,
    _grouped,
    _with_area,
)
from ipec.monitoring.models import (
    Case,
    CaseEvent,
    CaseKind,
    Child,
    ChildFacts,
    FollowUp,
)
from ipec.monitoring.readmodel import cases_as_of, children_as_of
from ipec.monitoring.scope import in_subtree
from ipec.monitoring.sqlhints import unindexed
from ipec.monitoring.workflow import Action

__all__ = [
    "Caseload",
    "Effectiveness",
    "Resolution",
    "caseload_per_monitor",
    "effectiveness",
    "effectiveness_rates",
    "time_to_resolution",
]


@dataclass(frozen=True, slots=True)
class Effectiveness:
    """Children not in child labour at their last two follow-ups / children with 2+ follow-ups
    (by group), with the counts of children still in, relapsed and lost to follow-up."""

    rates: list[Rate]
    still_in: int
    relapsed: int
    lost_to_follow_up: int


@dataclass(frozen=True, slots=True)
class Resolution:
    """Days from opening to closure for the cases of one group: how many, median, p90."""

    group: str
    cases: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True, slots=True)
class Caseload:
    """Open cases of one monitor (``None``: children not visited yet)."""

    monitor: str | None
    open_cases: int


def _open_at(period: Period, record: Any = Case) -> ColumnElement[bool]:
    """The case (its row, or its snapshot's copies of its days) was open at the period's end."""
    return and_(
        record.opened_on <= period.end,
        or_(record.closed_on.is_(None), record.closed_on > period.end),
    )


def _followed(session: Session, area_path: str, period: Period) -> list[Any]:
    """(sex, age group, out at the last two follow-ups, followed, in at the last one): the
    children with two or more follow-up visits after remediation started, their latest in
    the period, from their snapshots at the period's end (two or more follow-up visits: the
    second latest visit is after the start)."""
    # A child's remediation starts with the first service of its child-labour cases: the
    # children of the subtree whose remediation started by the period's end, one range of the
    # remediation index per area.
    child = children_as_of(
        area_path,
        period.end,
        ["sex", "last_age", "last_child_labour", "prev_child_labour"],
        lambda c: [
            c.remediation_start <= period.end,
            c.prev_date > c.remediation_start,
            # by the remediation index (SQLite would take the visited one for the date)
            unindexed(c.last_date) >= period.start,
        ],
    ).c
    in_two = case((child.last_child_labour == 1, 1), else_=child.prev_child_labour)
    group = _age_group(child.last_age)
    query = select(
        child.sex,
        group,
        func.sum(flag(in_two == 0)),
        func.count(),
        func.sum(child.last_child_labour),
    ).group_by(child.sex, group)
    return list(session.execute(query).all())


@_aggregate
def effectiveness(
    session: Session, *, area_path: str, period: Period, lost_after_days: int = 90
) -> Effectiveness:
    """Children out of child labour at their last two follow-up visits after remediation /
    children with 2+ such visits, plus the still-in, relapsed and lost-to-follow-up counts."""
    rows = _followed(session, area_path, period)
    return Effectiveness(
        rates=_grouped(rows, 2, 3),
        still_in=sum(int(row[4] or 0) for row in rows),
        relapsed=_count_children(session, _relapsed(area_path, period)),
        lost_to_follow_up=_count_children(session, _lost(area_path, period, lost_after_days)),
    )


@_aggregate
def effectiveness_rates(session: Session, *, area_path: str, period: Period) -> list[Rate]:
    """The rates of :func:`effectiveness` alone, for a page that shows no other count (the
    relapsed and lost-to-follow-up counts are two more queries over the subtree's cases)."""
    return _grouped(_followed(session, area_path, period), 2, 3)


def _count_children(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(query) or 0)


def _relapsed(area_path: str, period: Period) -> Select[Any]:
    """Children whose child-labour case relapsed (event stamped in the period, UTC)."""
    since = datetime.combine(period.start, time.min, tzinfo=UTC)
    until = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC)
    return (
        select(func.count(Case.child_id.distinct()))
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
    ).where(
        in_subtree(Case.area_id, area_path),
        Case.kind == CaseKind.CHILD_LABOUR,
        CaseEvent.action == Action.RELAPSE.value,
        CaseEvent.at >= since,
        CaseEvent.at < until,
    )


def _lost(area_path: str, period: Period, lost_after_days: int) -> Select[Any]:
    """Children of open child-labour cases with a follow-up overdue more than
    ``lost_after_days`` at the period's end and no visit since it was due.

    All of a child's cases see the same visits, so a child is lost exactly when it has no
    visit from the latest such due date up to the period's end: one date per child, then one
    test of it, instead of a test per follow-up. The follow-ups are an index range per area
    of their own (not every overdue follow-up of the database matched to the subtree's
    cases). A child whose latest visit of all is on or before the period's end is tested
    against that visit's date in its facts; the others' visits are searched.
    """
    overdue = (
        select(Case.child_id, func.max(FollowUp.due_on).label("due"))
        .select_from(FollowUp)
        .join(Case, Case.id == FollowUp.case_id)
        .where(
            in_subtree(FollowUp.area_id, area_path),
            FollowUp.visit_id.is_(None),
            FollowUp.due_on < period.end - timedelta(days=lost_after_days),
            in_subtree(Case.area_id, area_path),
            Case.kind == CaseKind.CHILD_LABOUR,
            _open_at(period),
        )
        .group_by(Case.child_id)
        .cte("overdue")
    )
    # only the overdue children's snapshots (looked up by id, not the subtree's)
    seen = children_as_of(
        area_path,
        period.end,
        ["child_id", "last_date"],
        lambda c: [c.child_id.in_(select(overdue.c.child_id))],
        name="seen",
    )
    return (
        select(func.count())
        .select_from(overdue)
        .join(seen, seen.c.child_id == overdue.c.child_id, isouter=True)
        .where(~func.coalesce(seen.c.last_date >= overdue.c.due, False))
    )


@_aggregate
def time_to_resolution(session: Session, *, area_path: str, period: Period) -> list[Resolution]:
    """Median and 90th percentile of days from opening to closure, for cases closed in the
    period: the total, then by sex and age group."""
    closed = (
        _with_area(
            select(
                Case.child_id,
                Child.sex,
                _days_between(Case.closed_on, Case.opened_on).label("days"),
            ).select_from(Case),
            Case,
            area_path,
        )
        .where(Case.closed_on.between(period.start, period.end))
        .cte("closed")
    )
    columns: list[Any] = [
        closed.c.sex.label("sex"),
        _age_group(ChildFacts.first_age).label("age_group"),
        closed.c.days,
    ]
    durations = (
        select(*columns)
        .select_from(closed)
        .join(ChildFacts, ChildFacts.child_id == closed.c.child_id, isouter=True)
        .subquery("durations")
    )
    total = session.execute(_percentiles(durations, [])).all()
    groups = session.execute(
        _percentiles(durations, [durations.c.sex, durations.c.age_group])
    ).all()
    found = [_resolution("total", *total[0]) if total else Resolution("total", 0, None, None)]
    found += sorted(
        (_resolution(f"{sex}*{group}", *rest) for sex, group, *rest in groups),
        key=lambda r: r.group,
    )
    return found


def _percentiles(durations: Subquery, keys: list[Any]) -> Select[Any]:
    """Per group of ``keys``: the count and, in hundredths of a day, the type 7 median and p90.

    Each duration gets its 0-based rank ``i`` among ``n``; for p = q/100, h = (n-1)q/100 has
    floor ``lo`` and fraction ``f`` = rem/100, and the percentile is the sum of x[lo](1-f) and
    x[lo+1]f: integer arithmetic in SQL, one division by 100 in Python.
    """
    ranked = select(
        *keys,
        durations.c.days,
        (func.row_number().over(partition_by=keys or None, order_by=durations.c.days) - 1).label(
            "i"
        ),
        func.count().over(partition_by=keys or None).label("n"),
    ).subquery("ranked")
    own = [ranked.c[key.name] for key in keys]

    def hundredths(q: int) -> Any:
        lo = ((ranked.c.n - 1) * q) // 100
        rem = ((ranked.c.n - 1) * q) % 100
        return func.sum(
            flag(ranked.c.i == lo) * ranked.c.days * (100 - rem)
            + flag(ranked.c.i == lo + 1) * ranked.c.days * rem
        )

    return select(*own, func.count(), hundredths(50), hundredths(90)).group_by(*own)


def _resolution(group: str, cases: int, median: int | None, p90: int | None) -> Resolution:
    return Resolution(
        group,
        int(cases),
        None if median is None else int(median) / 100,
        None if p90 is None else int(p90) / 100,
    )


@_aggregate
def caseload_per_monitor(session: Session, *, area_path: str, period: Period) -> list[Caseload]:
    """Cases open at the period's end, per monitor of the child's latest visit up to then: one
    index range of the cases' facts per area, with their copies of the child's latest visit."""
    open_cases = cases_as_of(
        area_path, period.end, ["last_monitor"], lambda c: [_open_at(period, c)]
    )
    monitor = open_cases.c.last_monitor.label("monitor")
    query = select(monitor, func.count()).group_by(monitor)
    rows = session.execute(query).all()
    loads = [Caseload(monitor, int(count)) for monitor, count in rows]
    return sorted(loads, key=lambda c: (c.monitor is None, c.monitor or ""))

"""A monitor's week: the follow-ups due to them from today to a week ahead and those overdue,
each child once; and their calendar: every follow-up due to them in a span (a month), by day.

What is listed: follow-ups not done, of open cases of children still on the register, due
on or before ``today + WEEK_DAYS``, assigned to the user (``ipec.monitoring.assignment``: the
follow-up's own assignee, else its area's monitor, inherited from the nearest area above),
or, for a team's week, every such follow-up in the scope. Each child appears once, with its
most urgent follow-up (the earliest due) and how many others of the list it has. Overdue
first, the latest first (the earliest due date), then those due this week by date: both are
the order of the due date; children due the same day by id. A page holds a week's worth
(``PER_PAGE``); more pages follow only beyond that.

How it is found: a user's follow-ups are one range of the assignee index for those assigned
one by one, and one range of the area index per area of theirs for the others (a monitor's
community, a few thousand follow-ups at a million children); only those are ranked per child.
The access gate gives the scope and logs the children listed (``ipec.auth.read_list``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, literal, select, union_all
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.assignment import Responsible, areas_of, responsible_for
from ipec.monitoring.models import Area, Case, CaseStatus, Child, FollowUp
from ipec.monitoring.scope import WHOLE_PROGRAMME, in_subtree
from ipec.monitoring.sqlhints import unindexed

__all__ = [
    "CALENDAR_LIMIT",
    "PER_PAGE",
    "WEEK_DAYS",
    "CalendarList",
    "WeekFilter",
    "WeekList",
    "WeekPage",
    "calendar_query",
    "month_span",
    "week_query",
]

#: The week: from today to this many days ahead.
WEEK_DAYS = 7
#: Rows of a page: more than a monitor's week holds, so a week is one page.
PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class WeekFilter:
    """Whose week: the follow-ups assigned to user ``assignee_id``, or (None) every one in
    the scope (a team's week)."""

    assignee_id: int | None = None


def _to_do(last: date, first: date | None = None) -> list[Any]:
    """A follow-up not done, due by ``last`` (the end of the week), from ``first`` if given
    (a calendar's span; None: overdue ones too)."""
    since = [] if first is None else [FollowUp.due_on >= first]
    return [FollowUp.visit_id.is_(None), FollowUp.due_on <= last, *since]


def _candidates(
    scope_path: str, filters: WeekFilter, today: date, area_ids: list[int] | None,
    *, first: date | None = None, last: date | None = None,
) -> Any:  # fmt: skip
    """The ids, cases and due dates of the follow-ups listed, before each child's are ranked
    (``area_ids``: the areas whose monitor the assignee is, from ``areas_of``): overdue or
    due by the end of the week, or, for a calendar, due from ``first`` to ``last``."""
    columns = (FollowUp.id, FollowUp.case_id, FollowUp.due_on)
    to_do = _to_do(last or today + timedelta(days=WEEK_DAYS), first)
    if filters.assignee_id is None:
        return select(*columns).where(in_subtree(FollowUp.area_id, scope_path), *to_do)
    own = select(*columns).where(FollowUp.assignee_id == filters.assignee_id, *to_do)
    if scope_path != WHOLE_PROGRAMME:
        # a few rows: each one's area is looked up, rather than the scope's areas listed
        own = own.join(Area, Area.id == FollowUp.area_id).where(
            Area.path.startswith(scope_path, autoescape=True)
        )
    if not area_ids:
        return own
    # "no assignee of its own" holds for most follow-ups: hidden from SQLite's index choice, so
    # that the areas' ranges are read (the area index holds the assignee too)
    inherited = select(*columns).where(
        unindexed(FollowUp.assignee_id).is_(None), FollowUp.area_id.in_(area_ids), *to_do
    )
    return union_all(own, inherited)


def week_query(
    scope_path: str,
    filters: WeekFilter,
    today: date,
    *,
    area_ids: list[int] | None = None,
    limit: int = PER_PAGE,
    offset: int = 0,
) -> Select[Any]:
    """One page of the week: per child, its most urgent follow-up (``FollowUp``, ``Case``,
    ``Child``, ``area_name``, ``area_path``) and ``others``, how many more it has in the
    list; in the order of the due date, then the child. ``area_ids``: the areas whose monitor
    the assignee is (``ipec.monitoring.assignment.areas_of`` within the scope)."""
    candidates = _candidates(scope_path, filters, today, area_ids).subquery("candidates")
    order = (candidates.c.due_on, candidates.c.id)
    ranked = (
        select(
            candidates.c.id,
            candidates.c.due_on,
            Case.child_id,
            func.row_number().over(partition_by=Case.child_id, order_by=order).label("rank"),
            func.count().over(partition_by=Case.child_id).label("listed"),
        )
        .join(Case, Case.id == candidates.c.case_id)
        .join(Child, Child.id == Case.child_id)
        .where(Case.status != CaseStatus.CLOSED, Child.active.is_(True))
        .subquery("ranked")
    )
    page = (
        select(ranked.c.id, ranked.c.due_on, ranked.c.child_id, ranked.c.listed)
        .where(ranked.c.rank == 1)
        .order_by(ranked.c.due_on, ranked.c.child_id)
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return (
        select(
            FollowUp,
            Case,
            Child,
            Area.name.label("area_name"),
            Area.path.label("area_path"),
            (page.c.listed - literal(1)).label("others"),
        )
        .join(page, page.c.id == FollowUp.id)
        .join(Case, Case.id == FollowUp.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(Area, Area.id == FollowUp.area_id)
        .order_by(page.c.due_on, page.c.child_id)
    )


@dataclass(frozen=True, slots=True)
class WeekPage:
    """One page of the week: its rows (see :func:`week_query`), whether another follows, and
    who each row's follow-up is assigned to (by follow-up id)."""

    rows: list[Row[Any]]
    has_next: bool
    responsible: dict[int, Responsible] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WeekList:
    """One page of a week (``filters``: whose), as of ``today``."""

    filters: WeekFilter
    today: date
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def action(self) -> str:
        """The audit log's name for reading it."""
        return "follow_up.week"

    @property
    def entity(self) -> str:
        """What the audit row is about (the follow-ups' cases)."""
        return "case"

    def page_in(self, session: Session, scope_path: str) -> WeekPage:
        """The page within the subtree at ``scope_path``."""
        user = self.filters.assignee_id
        area_ids = areas_of(session, user, scope_path) if user is not None else None
        query = week_query(scope_path, self.filters, self.today, area_ids=area_ids,
                           limit=self.per_page + 1,
                           offset=(self.page - 1) * self.per_page)  # fmt: skip
        rows = session.execute(query).all()
        shown = rows[: self.per_page]
        areas = responsible_for(session, {row.area_path for row in shown if row.area_path})
        responsible = {
            row.FollowUp.id: Responsible(row.FollowUp.assignee_id, own=True)
            if row.FollowUp.assignee_id is not None
            else areas[row.area_path]
            for row in shown
        }
        return WeekPage(list(shown), len(rows) > self.per_page, responsible)


def month_span(month: str | None, today: date) -> tuple[date, date]:
    """The first and last day of ``month`` ("YYYY-MM"; None: this month), for a calendar;
    refused when it is not a month (a ``DataError`` naming ``month``).

    >>> month_span("2027-02", date(2026, 1, 1))
    (datetime.date(2027, 2, 1), datetime.date(2027, 2, 28))
    """
    if month is None or month == "":
        year, number = today.year, today.month
    else:
        try:
            year, number = (int(part) for part in month.split("-"))
            first = date(year, number, 1)
        except ValueError:
            raise DataError(f"{month!r} is not a month", column="month",
                            hint="give the month as YYYY-MM, e.g. 2027-03") from None  # fmt: skip
        if not 2000 <= first.year <= 2100:
            raise DataError(f"month {month} is out of range (2000-2100)", column="month")
    last = calendar.monthrange(year, number)[1]
    return date(year, number, 1), date(year, number, last)


#: The most follow-ups a calendar shows at once (a monitor's month holds a few hundred).
CALENDAR_LIMIT = 1000


def calendar_query(
    scope_path: str, filters: WeekFilter, first: date, last: date, *,
    area_ids: list[int] | None = None, limit: int = CALENDAR_LIMIT,
) -> Select[Any]:  # fmt: skip
    """Every follow-up of the week's kind (not done, of an open case of a child on the
    register, assigned as the week's are) due from ``first`` to ``last``: ``FollowUp``,
    ``Child``, ``area_name``, ``area_path``, by due date then child. Unlike the
    week, a child with two follow-ups in the span shows on both days."""
    candidates = _candidates(scope_path, filters, first, area_ids, first=first,
                             last=last).subquery("candidates")  # fmt: skip
    # no Case entity: a month holds hundreds of rows, and each ORM object adds to what the
    # garbage collector walks (the case is the follow-up's ``case_id``)
    shown: list[Any] = [FollowUp, Child, Area.name.label("area_name"),
                        Area.path.label("area_path")]  # fmt: skip
    return (
        select(*shown)
        .join(candidates, candidates.c.id == FollowUp.id)
        .join(Case, Case.id == FollowUp.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(Area, Area.id == FollowUp.area_id)
        .where(Case.status != CaseStatus.CLOSED, Child.active.is_(True))
        .order_by(FollowUp.due_on, Child.id, FollowUp.id)
        .limit(limit)
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CalendarList:
    """A calendar (``filters``: whose) of the follow-ups due from ``first`` to ``last``
    (a month, or some weeks), read through the access gate as the week is."""

    filters: WeekFilter
    first: date
    last: date
    limit: int = CALENDAR_LIMIT
    page: int = 1

    @property
    def action(self) -> str:
        """The audit log's name for reading it."""
        return "follow_up.calendar"

    @property
    def entity(self) -> str:
        """What the audit row is about (the follow-ups' cases)."""
        return "case"

    def page_in(self, session: Session, scope_path: str) -> WeekPage:
        """The follow-ups within the subtree at ``scope_path`` (``has_next``: more than
        ``limit`` are due in the span; the first ``limit`` are given)."""
        user = self.filters.assignee_id
        area_ids = areas_of(session, user, scope_path) if user is not None else None
        query = calendar_query(scope_path, self.filters, self.first, self.last,
                               area_ids=area_ids, limit=self.limit + 1)  # fmt: skip
        rows = session.execute(query).all()
        shown = rows[: self.limit]
        areas = responsible_for(session, {row.area_path for row in shown if row.area_path})
        responsible = {
            row.FollowUp.id: Responsible(row.FollowUp.assignee_id, own=True)
            if row.FollowUp.assignee_id is not None
            else areas[row.area_path]
            for row in shown
        }
        return WeekPage(list(shown), len(rows) > self.limit, responsible)

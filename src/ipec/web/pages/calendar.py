"""A monitor's calendar: every follow-up due to them in a month, week by week and day by day
(``ipec.monitoring.week.CalendarList``: the week's rule over a month, each follow-up on its
day); a supervisor (and above, and a viewer) sees the team's, or one member's. What is
overdue stays on the week's page (``/visits/week``)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ipec.auth import read_list
from ipec.auth.models import Role
from ipec.auth.team import team_of, users_by_id, whose_week
from ipec.monitoring.week import CalendarList, WeekFilter, month_span
from ipec.web.api.common import today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import SignedIn
from ipec.web.pages.render import pages_of

__all__ = ["router", "weeks_of"]

router = APIRouter(include_in_schema=False)


def weeks_of(rows: list[Any]) -> list[tuple[date, list[tuple[date, list[Any]]]]]:
    """The rows (in due order) by week (its Monday) and by day within it."""
    by_week = groupby(rows, key=lambda row: row.FollowUp.due_on
                      - timedelta(days=row.FollowUp.due_on.weekday()))  # fmt: skip
    return [
        (monday, [(day, list(of_day)) for day, of_day in
                  groupby(of_week, key=lambda row: row.FollowUp.due_on)])
        for monday, of_week in by_week
    ]  # fmt: skip


def _shift(first: date, months: int) -> str:
    index = first.year * 12 + first.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@router.get("/visits/calendar")
def calendar(
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    monitor_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    month: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    """The month's follow-ups (``month``: YYYY-MM, this month by default) of the monitor,
    or of the team (``monitor_id``: one member's)."""
    who = viewer.principal
    now = today()
    first, last = month_span(month, now)
    monitor = whose_week(db, who, monitor_id)
    found = read_list(db, who, CalendarList(WeekFilter(monitor), first, last),
                      origin=origin(request))  # fmt: skip
    names = users_by_id(db, [r.user_id for r in found.responsible.values()])
    chosen = str(monitor_id) if monitor_id else ""
    context = {
        "own": who.role is Role.MONITOR,
        "team": [] if who.role is Role.MONITOR else team_of(db, who),
        "chosen": chosen,
        "first": first,
        "month": first.strftime("%Y-%m"),
        "previous": _shift(first, -1),
        "next": _shift(first, 1),
        "weeks": weeks_of(found.rows),
        "count": len(found.rows),
        "more": found.has_next,
        "responsible": found.responsible,
        "names": {user_id: user.display_name for user_id, user in names.items()},
        "keep": f"&monitor_id={monitor_id}" if monitor_id else "",
    }
    return pages_of(request).render(request, "visits_calendar.html", context)

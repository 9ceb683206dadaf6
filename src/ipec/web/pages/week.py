"""My visits this week: the follow-ups assigned to the signed-in monitor, due from today to a
week ahead, and those overdue, each child once (its most urgent follow-up, with a count of
the others), overdue first; a supervisor (and above, and a viewer) sees the team's week, one
member's with the filter. Each row links to the child's page and to the follow-up's, where
its date is moved and it is reassigned (``ipec.monitoring.week``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ipec.auth import read_list
from ipec.auth.models import Role
from ipec.auth.team import team_of, users_by_id, whose_week
from ipec.monitoring.week import WeekFilter, WeekList
from ipec.web.api.common import Page, today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import SignedIn
from ipec.web.pages.render import pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/visits/week")
def week(
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    monitor_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    page: Page = 1,
) -> Response:
    """The week: a monitor's own, or the team's (``monitor_id``: one member's)."""
    who = viewer.principal
    now = today()
    monitor = whose_week(db, who, monitor_id)
    found = read_list(db, who, WeekList(WeekFilter(monitor), now, page=page),
                      origin=origin(request))  # fmt: skip
    team = [] if who.role is Role.MONITOR else team_of(db, who)
    names = users_by_id(db, [r.user_id for r in found.responsible.values()])
    context = {
        "own": who.role is Role.MONITOR,
        "team": team,
        "chosen": str(monitor_id) if monitor_id else "",
        "overdue": [row for row in found.rows if row.FollowUp.due_on < now],
        "due": [row for row in found.rows if row.FollowUp.due_on >= now],
        "responsible": found.responsible,
        "names": {user_id: user.display_name for user_id, user in names.items()},
        "page": page,
        "has_next": found.has_next,
        "query_without_page": f"monitor_id={monitor_id}" if monitor_id else "",
    }
    return pages_of(request).render(request, "visits_week.html", context)

"""My visits this week: the follow-ups due in the next seven days and those overdue, in the
user's areas, each linking to the child's page."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ipec.auth import read_list
from ipec.monitoring.queries import FollowUpFilter, FollowUpList
from ipec.web.api.common import Page, today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import SignedIn
from ipec.web.pages.render import pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PER_PAGE = 50
_WEEK = timedelta(days=7)


@router.get("/visits/week")
def week(request: Request, db: DbSession, viewer: SignedIn, page: Page = 1) -> Response:
    """Follow-ups to do by a week from today, overdue first (earliest due first)."""
    now = today()
    listing = FollowUpList(FollowUpFilter(due_by=now + _WEEK), now, page=page, per_page=_PER_PAGE)
    found = read_list(db, viewer.principal, listing, origin=origin(request))
    context = {"rows": found.rows, "page": page, "has_next": found.has_next}
    return pages_of(request).render(request, "visits_week.html", context)

"""The register's lists: households and children, newest first, searched by name (accents,
case and spelling by sound ignored), filtered and paginated.

Each list passes the access gate as the case list does (``read_list``): the user's areas
only, and an audit row naming the children (households) shown. An empty filter means "any".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ipec.auth import area_in_scope, read_list
from ipec.auth.team import member_of_team, team_of
from ipec.monitoring.models import Sex
from ipec.monitoring.registry import ChildFilter, ChildList, HouseholdFilter, HouseholdList
from ipec.web.api.common import Page, today
from ipec.web.api.filters import AreaQuery
from ipec.web.deps import DbSession, origin
from ipec.web.pages.cases import AgeBand
from ipec.web.pages.common import areas_in_scope
from ipec.web.pages.deps import SignedIn
from ipec.web.pages.render import pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PER_PAGE = 25
_Search = Annotated[str, Query(max_length=100)]
_Monitor = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


class OpenCase(StrEnum):
    """The choices of the "open case" filter."""

    YES = "true"
    NO = "false"


class NotVisited(StrEnum):
    """The choices of the "not visited for" filter (months)."""

    THREE = "3"
    SIX = "6"
    TWELVE = "12"


def _query_without_page(chosen: dict[str, str | None]) -> str:
    return urlencode({key: value for key, value in chosen.items() if value})


def _common(
    request: Request, db: DbSession, viewer: SignedIn, chosen: dict[str, str | None]
) -> dict[str, Any]:
    return {
        "chosen": chosen,
        "areas": areas_in_scope(db, viewer.principal),
        "monitors": team_of(db, viewer.principal),
        "open_choices": list(OpenCase),
        "not_visited_choices": list(NotVisited),
        "query_without_page": _query_without_page(chosen),
    }


@router.get("/households")
def household_list(
    *,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    q: _Search = "",
    area_id: AreaQuery = None,
    open_case: OpenCase | None = None,
    not_visited: NotVisited | None = None,
    monitor_id: _Monitor = None,
    page: Page = 1,
) -> Response:
    """The households of the user's areas, newest first: found by the head's name, the
    supply unit, a child's name or pseudonym."""
    who = viewer.principal
    path = area_in_scope(db, who, area_id).path if area_id is not None else None
    if monitor_id is not None:
        member_of_team(db, who, user_id=monitor_id)
    filters = HouseholdFilter(
        search=q.strip() or None, area_path=path,
        open_case=None if open_case is None else open_case is OpenCase.YES,
        not_visited_months=int(not_visited) if not_visited else None, monitor_id=monitor_id,
    )  # fmt: skip
    found = read_list(db, who, HouseholdList(filters, today(), page=page, per_page=_PER_PAGE),
                      origin=origin(request))  # fmt: skip
    chosen = {"q": q or None, "area_id": str(area_id) if area_id else None,
              "open_case": open_case.value if open_case else None,
              "not_visited": not_visited.value if not_visited else None,
              "monitor_id": str(monitor_id) if monitor_id else None}  # fmt: skip
    context = {"rows": found.rows, "page": page, "has_next": found.has_next,
               **_common(request, db, viewer, chosen)}  # fmt: skip
    return pages_of(request).render(request, "households.html", context)


@router.get("/children")
def child_list(
    *,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    q: _Search = "",
    area_id: AreaQuery = None,
    sex: Sex | None = None,
    age: AgeBand | None = None,
    open_case: OpenCase | None = None,
    not_visited: NotVisited | None = None,
    left: bool = False,
    monitor_id: _Monitor = None,
    page: Page = 1,
) -> Response:
    """The children of the user's areas, newest first: found by name (accents, case and
    spelling by sound ignored), the household head's name, the supply unit or the
    pseudonym; those who left the register only when asked."""
    who = viewer.principal
    path = area_in_scope(db, who, area_id).path if area_id is not None else None
    if monitor_id is not None:
        member_of_team(db, who, user_id=monitor_id)
    low, high = (int(part) for part in age.value.split("-")) if age else (None, None)
    filters = ChildFilter(
        search=q.strip() or None, area_path=path, sex=sex, min_age=low, max_age=high,
        open_case=None if open_case is None else open_case is OpenCase.YES,
        not_visited_months=int(not_visited) if not_visited else None, include_left=left,
        monitor_id=monitor_id,
    )  # fmt: skip
    found = read_list(db, who, ChildList(filters, today(), page=page, per_page=_PER_PAGE),
                      origin=origin(request))  # fmt: skip
    chosen = {"q": q or None, "area_id": str(area_id) if area_id else None,
              "sex": sex.value if sex else None, "age": age.value if age else None,
              "open_case": open_case.value if open_case else None,
              "not_visited": not_visited.value if not_visited else None,
              "left": "true" if left else None,
              "monitor_id": str(monitor_id) if monitor_id else None}  # fmt: skip
    context = {"rows": found.rows, "page": page, "has_next": found.has_next,
               "ages": list(AgeBand), **_common(request, db, viewer, chosen)}  # fmt: skip
    return pages_of(request).render(request, "children.html", context)

"""The case list: the user's cases by priority, filtered, searched and paginated, with the
same filters as a CSV or XLSX export."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ipec.auth import area_in_scope, read_list
from ipec.monitoring.models import CaseStatus, Sex
from ipec.monitoring.queries import CaseFilter, CaseList
from ipec.web.api.common import Page, today
from ipec.web.api.filters import AreaQuery
from ipec.web.deps import DbSession, origin
from ipec.web.pages.common import areas_in_scope
from ipec.web.pages.deps import SignedIn
from ipec.web.pages.render import pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PER_PAGE = 25


class Priority(StrEnum):
    """The priority groups a list can be narrowed to."""

    WORST_FORMS = "worst_forms"
    HAZARDOUS = "hazardous"
    UNDER_12 = "under_12"
    GIRLS = "girls"


class AgeBand(StrEnum):
    """The age bands of the ILO standards (minimum ages 12 and 15)."""

    YOUNGEST = "5-11"
    MIDDLE = "12-14"
    OLDEST = "15-17"


def _filter(
    *,
    area_path: str | None,
    status: CaseStatus | None,
    priority: Priority | None,
    sex: Sex | None,
    age: AgeBand | None,
    overdue: bool,
    search: str,
) -> CaseFilter:
    """The case filter of the list's form fields."""
    low, high = (int(part) for part in age.value.split("-")) if age else (None, None)
    if priority is Priority.UNDER_12:
        high = 11 if high is None else min(high, 11)
    if priority is Priority.GIRLS:
        sex = Sex.FEMALE
    return CaseFilter(
        area_path=area_path,
        status=status,
        open_only=status is None,
        sex=sex,
        min_age=low,
        max_age=high,
        worst_forms=True if priority is Priority.WORST_FORMS else None,
        hazardous=True if priority is Priority.HAZARDOUS else None,
        overdue=True if overdue else None,
        search=search.strip() or None,
    )


def _export_query(fields: dict[str, str | None], filters: CaseFilter) -> str:
    """The export's query string: the API's names for the same filters."""
    named = {
        "area_id": fields["area_id"],
        "status": filters.status.value if filters.status else None,
        "open_only": "true" if filters.open_only else None,
        "sex": filters.sex.value if filters.sex else None,
        "min_age": filters.min_age,
        "max_age": filters.max_age,
        "worst_forms": "true" if filters.worst_forms else None,
        "hazardous": "true" if filters.hazardous else None,
        "overdue": "true" if filters.overdue else None,
        "search": filters.search,
    }
    return urlencode({key: value for key, value in named.items() if value is not None})


@router.get("/cases")
def case_list(
    *,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    area_id: AreaQuery = None,
    status: CaseStatus | None = None,
    priority: Priority | None = None,
    sex: Sex | None = None,
    age: AgeBand | None = None,
    overdue: bool = False,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Page = 1,
) -> Response:
    """The list, most urgent first (worst forms, hazardous work, under 12, girls, then the
    longest open); without a status it shows the open cases."""
    who = viewer.principal
    area_path = area_in_scope(db, who, area_id).path if area_id is not None else None
    filters = _filter(area_path=area_path, status=status, priority=priority, sex=sex, age=age,
                      overdue=overdue, search=q)  # fmt: skip
    listing = CaseList(filters, today(), page=page, per_page=_PER_PAGE)
    found = read_list(db, who, listing, origin=origin(request))
    chosen = {"area_id": str(area_id) if area_id else None,
              "status": status.value if status else None,
              "priority": priority.value if priority else None,
              "sex": sex.value if sex else None, "age": age.value if age else None,
              "overdue": "true" if overdue else None, "q": q or None}  # fmt: skip
    query_without_page = urlencode({key: value for key, value in chosen.items() if value})
    context = {
        "rows": found.rows,
        "page": page,
        "has_next": found.has_next,
        "chosen": chosen,
        "areas": areas_in_scope(db, who),
        "statuses": list(CaseStatus),
        "priorities": list(Priority),
        "ages": list(AgeBand),
        "query_without_page": query_without_page,
        "export_query": _export_query(chosen, filters),
    }
    return pages_of(request).render(request, "cases.html", context)

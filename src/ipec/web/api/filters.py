"""The list filters: the case list's, parsed once for the list and the exports alike, and
the parameters the register's lists share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from ipec.auth import area_in_scope
from ipec.errors import DataError
from ipec.monitoring.models import CaseStatus, Sex
from ipec.monitoring.queries import CaseFilter
from ipec.web.deps import CurrentPrincipal, DbSession

__all__ = [
    "AgeQuery",
    "AreaQuery",
    "CaseFilters",
    "MonitorQuery",
    "NotVisitedMonths",
    "SearchQuery",
    "case_filter",
]

#: An optional area inside the caller's scope.
AreaQuery = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
#: An age in years today, bounding a list.
AgeQuery = Annotated[int | None, Query(ge=0, le=30)]
_Age = AgeQuery
#: A search of the register (a name, in part, or a pseudonym).
SearchQuery = Annotated[str | None, Query(max_length=100)]
#: "Not visited for this many months" (up to ten years).
NotVisitedMonths = Annotated[int | None, Query(ge=1, le=120)]
#: A user (a member of the caller's team) whose areas bound a list.
MonitorQuery = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


def case_filter(
    *,
    db: DbSession,
    who: CurrentPrincipal,
    area_id: AreaQuery = None,
    status: CaseStatus | None = None,
    open_only: bool = False,
    sex: Sex | None = None,
    min_age: _Age = None,
    max_age: _Age = None,
    worst_forms: bool | None = None,
    hazardous: bool | None = None,
    overdue: bool | None = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> CaseFilter:
    """Filters of a case list or export (ages in years today; ``search`` matches the
    pseudonym exactly or part of the name). An area outside the caller's scope is not found."""
    if min_age is not None and max_age is not None and min_age > max_age:
        raise DataError(f"min_age {min_age} is above max_age {max_age}")
    path = area_in_scope(db, who, area_id).path if area_id is not None else None
    return CaseFilter(area_path=path, status=status, open_only=open_only, sex=sex,
                      min_age=min_age, max_age=max_age, worst_forms=worst_forms,
                      hazardous=hazardous, overdue=overdue, search=search)  # fmt: skip


CaseFilters = Annotated[CaseFilter, Depends(case_filter)]

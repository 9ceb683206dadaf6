"""Children and their visits: the register's list and search, read, update, record a
child leaving, record a visit (classified on the spot)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from ipec.auth import area_in_scope, read_list
from ipec.auth.team import member_of_team, visit_monitor
from ipec.errors import DataError
from ipec.monitoring.models import Case, Sex, Visit
from ipec.monitoring.registry import ChildFilter, ChildList
from ipec.monitoring.schedule import rule_of
from ipec.monitoring.service import record_leaving, record_visit_and_follow_up, update_child
from ipec.standards import load_profile
from ipec.web.api.common import Page, PerPage, today
from ipec.web.api.filters import (
    AgeQuery,
    AreaQuery,
    MonitorQuery,
    NotVisitedMonths,
    SearchQuery,
)
from ipec.web.api.schemas import (
    CaseOut,
    ChildChangesIn,
    ChildLeaveIn,
    ChildListItem,
    ChildOut,
    ChildPageOut,
    VisitIn,
    VisitOut,
)
from ipec.web.deps import ChildToChange, ChildToRead, CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["children"])


@router.get("/children", response_model=ChildPageOut)
def list_children(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    q: SearchQuery = None,
    area_id: AreaQuery = None,
    sex: Sex | None = None,
    min_age: AgeQuery = None,
    max_age: AgeQuery = None,
    open_case: bool | None = None,
    not_visited_months: NotVisitedMonths = None,
    include_left: bool = False,
    monitor_id: MonitorQuery = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> ChildPageOut:
    """The caller's children, newest first. ``q`` finds a child by name (accents and case
    ignored; a word finds the words it starts and, from three letters, those that sound like
    it: "kwame" finds Kouamé), by its household head's name or supply unit, or by pseudonym;
    ages in years today; ``open_case``: with a case not closed; ``not_visited_months``: no
    visit in that many months (never visited included); children who left the register only
    with ``include_left``; ``monitor_id``: in the areas whose monitor is this member of the
    caller's team (another user is not found)."""
    if min_age is not None and max_age is not None and min_age > max_age:
        raise DataError(f"min_age {min_age} is above max_age {max_age}")
    path = area_in_scope(db, who, area_id).path if area_id is not None else None
    if monitor_id is not None:
        member_of_team(db, who, user_id=monitor_id)
    filters = ChildFilter(search=q, area_path=path, sex=sex, min_age=min_age, max_age=max_age,
                          open_case=open_case, not_visited_months=not_visited_months,
                          include_left=include_left, monitor_id=monitor_id)  # fmt: skip
    found = read_list(db, who, ChildList(filters, today(), page=page, per_page=per_page),
                      origin=origin(request))  # fmt: skip
    items = [
        ChildListItem(child=ChildOut.model_validate(row.Child), head_name=row.head_name,
                      area_id=row.area_id, area_name=row.area_name, last_visit=row.last_visit,
                      open_cases=row.open_cases)
        for row in found.rows
    ]  # fmt: skip
    return ChildPageOut(items=items, page=page, per_page=per_page, has_next=found.has_next)


@router.get("/children/{child_id}", response_model=ChildOut)
def read_child(child: ChildToRead) -> ChildOut:
    """A child's record (within the caller's areas)."""
    return ChildOut.model_validate(child)


@router.patch("/children/{child_id}", response_model=ChildOut)
def change_child(
    child: ChildToChange,
    body: ChildChangesIn,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
) -> ChildOut:
    """Change a child's record; refused when it changed since ``version`` was read."""
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    child = update_child(db, child_id=child.id, expected_version=body.version, changes=changes,
                         actor=who.username, origin=origin(request))  # fmt: skip
    return ChildOut.model_validate(child)


@router.post("/children/{child_id}/leave", response_model=ChildOut)
def leave(
    child: ChildToChange, body: ChildLeaveIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> ChildOut:  # fmt: skip
    """Record that a child left the register (moved away, died, aged out): nothing is
    deleted; the lists hide the child unless asked. Refused when the child changed since
    ``version`` was read, or already left."""
    child = record_leaving(db, child_id=child.id, expected_version=body.version,
                           left_on=body.left_on, reason=body.reason, actor=who.username,
                           origin=origin(request), today=today())  # fmt: skip
    return ChildOut.model_validate(child)


@router.get("/children/{child_id}/visits", response_model=list[VisitOut])
def list_visits(child: ChildToRead, db: DbSession) -> list[VisitOut]:
    """A child's visits, oldest first, each with the classification it was given then."""
    visits = db.scalars(
        select(Visit).where(Visit.child_id == child.id).order_by(Visit.visit_date, Visit.id)
    )
    return [VisitOut.model_validate(visit) for visit in visits]


@router.post("/children/{child_id}/visits", response_model=VisitOut, status_code=201)
def create_visit(
    child: ChildToChange, body: VisitIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> VisitOut:
    """Record a visit; the child is classified under the programme's profile. A visit that
    does a follow-up names it in ``follow_up_id``. Its monitor is the caller (a supervisor
    or above may name a member of their team in ``monitor``)."""
    visit = record_visit_and_follow_up(
        db,
        child_id=child.id,
        follow_up_id=body.follow_up_id,
        visit_date=body.visit_date,
        monitor=visit_monitor(db, who, body.monitor),
        consent=body.consent,
        record=body.record,
        profile=load_profile(request.app.state.settings.profile),
        actor=who.username,
        origin=origin(request),
        school_days_attended=body.school_days_attended,
        school_days_open=body.school_days_open,
        rule=rule_of(request.app.state.settings),
    )
    return VisitOut.model_validate(visit)


@router.get("/children/{child_id}/cases", response_model=list[CaseOut])
def list_child_cases(child: ChildToRead, db: DbSession) -> list[CaseOut]:
    """A child's cases, newest first."""
    cases = db.scalars(select(Case).where(Case.child_id == child.id).order_by(Case.id.desc()))
    return [CaseOut.model_validate(case) for case in cases]

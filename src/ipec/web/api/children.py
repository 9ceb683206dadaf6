"""Children and their visits: read, update, record a visit (classified on the spot)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from ipec.auth import Operation, access_child
from ipec.monitoring.models import Case, Visit
from ipec.monitoring.service import complete_follow_up, record_visit, update_child
from ipec.standards import load_profile
from ipec.web.api.common import RecordId
from ipec.web.api.schemas import CaseOut, ChildChangesIn, ChildOut, VisitIn, VisitOut
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["children"])


@router.get("/children/{child_id}", response_model=ChildOut)
def read_child(
    child_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> ChildOut:
    """A child's record (within the caller's areas)."""
    child = access_child(db, who, child_id, Operation.READ, origin=origin(request))
    return ChildOut.model_validate(child)


@router.patch("/children/{child_id}", response_model=ChildOut)
def change_child(
    child_id: RecordId,
    body: ChildChangesIn,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
) -> ChildOut:
    """Change a child's record; refused when it changed since ``version`` was read."""
    access_child(db, who, child_id, Operation.CHANGE, origin=origin(request))
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    child = update_child(db, child_id=child_id, expected_version=body.version, changes=changes,
                         actor=who.username, origin=origin(request))  # fmt: skip
    return ChildOut.model_validate(child)


@router.get("/children/{child_id}/visits", response_model=list[VisitOut])
def list_visits(
    child_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> list[VisitOut]:
    """A child's visits, oldest first, each with the classification it was given then."""
    access_child(db, who, child_id, Operation.READ, origin=origin(request))
    visits = db.scalars(
        select(Visit).where(Visit.child_id == child_id).order_by(Visit.visit_date, Visit.id)
    )
    return [VisitOut.model_validate(visit) for visit in visits]


@router.post("/children/{child_id}/visits", response_model=VisitOut, status_code=201)
def create_visit(
    child_id: RecordId, body: VisitIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> VisitOut:
    """Record a visit; the child is classified under the programme's profile. A visit that
    does a follow-up names it in ``follow_up_id``."""
    child = access_child(db, who, child_id, Operation.CHANGE, origin=origin(request))
    visit = record_visit(
        db,
        child_id=child.id,
        visit_date=body.visit_date,
        monitor=body.monitor,
        consent=body.consent,
        record=body.record,
        profile=load_profile(request.app.state.settings.profile),
        actor=who.username,
        origin=origin(request),
        school_days_attended=body.school_days_attended,
        school_days_open=body.school_days_open,
    )
    if body.follow_up_id is not None:
        complete_follow_up(db, follow_up_id=body.follow_up_id, visit=visit, actor=who.username,
                           origin=origin(request))  # fmt: skip
    return VisitOut.model_validate(visit)


@router.get("/children/{child_id}/cases", response_model=list[CaseOut])
def list_child_cases(
    child_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> list[CaseOut]:
    """A child's cases, newest first."""
    access_child(db, who, child_id, Operation.READ, origin=origin(request))
    cases = db.scalars(select(Case).where(Case.child_id == child_id).order_by(Case.id.desc()))
    return [CaseOut.model_validate(case) for case in cases]

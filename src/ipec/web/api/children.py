"""Children and their visits: read, update, record a visit (classified on the spot)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from ipec.monitoring.models import Case, Visit
from ipec.monitoring.service import record_visit_and_follow_up, update_child
from ipec.standards import load_profile
from ipec.web.api.schemas import CaseOut, ChildChangesIn, ChildOut, VisitIn, VisitOut
from ipec.web.deps import ChildToChange, ChildToRead, CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["children"])


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
    does a follow-up names it in ``follow_up_id``."""
    visit = record_visit_and_follow_up(
        db,
        child_id=child.id,
        follow_up_id=body.follow_up_id,
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
    return VisitOut.model_validate(visit)


@router.get("/children/{child_id}/cases", response_model=list[CaseOut])
def list_child_cases(child: ChildToRead, db: DbSession) -> list[CaseOut]:
    """A child's cases, newest first."""
    cases = db.scalars(select(Case).where(Case.child_id == child.id).order_by(Case.id.desc()))
    return [CaseOut.model_validate(case) for case in cases]

"""Routes of ``/api/v1``: each parses, passes the access gate, calls one service, renders."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from ipec.auth import Operation, access_child
from ipec.errors import Conflict, NotFound
from ipec.monitoring import Case, transition
from ipec.monitoring.metrics import Period, identification_rate
from ipec.monitoring.service import record_visit
from ipec.standards import load_profile
from ipec.web.api.schemas import CaseOut, ChildOut, RateOut, TransitionIn, VisitIn, VisitOut
from ipec.web.deps import CurrentPrincipal, DbSession

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")

#: Record ids are positive 32-bit integers (larger numbers are invalid input, not a 500).
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _origin(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/children/{child_id}", response_model=ChildOut)
def read_child(
    child_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> ChildOut:
    """A child's record (within the caller's areas)."""
    child = access_child(db, who, child_id, Operation.READ, origin=_origin(request))
    return ChildOut.model_validate(child)


@router.post("/children/{child_id}/visits", response_model=VisitOut, status_code=201)
def create_visit(
    child_id: RecordId, body: VisitIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> VisitOut:
    """Record a visit; the child is classified under the programme's profile."""
    child = access_child(db, who, child_id, Operation.CHANGE, origin=_origin(request))
    visit = record_visit(
        db,
        child_id=child.id,
        visit_date=body.visit_date,
        monitor=body.monitor,
        consent=body.consent,
        record=body.record,
        profile=load_profile(request.app.state.settings.profile),
        actor=who.username,
        origin=_origin(request),
    )
    return VisitOut.model_validate(visit)


@router.post("/cases/{case_id}/transitions", response_model=CaseOut)
def move_case(
    case_id: RecordId, body: TransitionIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> CaseOut:
    """Move a case along the workflow; refused when the case changed since ``version``."""
    found = db.get(Case, case_id)
    if found is None:
        raise NotFound(f"case {case_id} not found")
    access_child(db, who, found.child_id, Operation.CHANGE, origin=_origin(request))
    if found.version != body.version:
        raise Conflict(
            f"case {case_id} changed since you read it (now version {found.version}, "
            f"status {found.status.value})",
            hint="reload the case and try again",
        )
    transition(db, found, body.action, actor=who.username, reason=body.reason,
               origin=_origin(request))  # fmt: skip
    return CaseOut.model_validate(found)


@router.get("/metrics/identification", response_model=list[RateOut])
def identification(
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
) -> list[RateOut]:
    """Identification rate in the caller's areas, by sex and age group."""
    rates = identification_rate(db, area_path=who.scope_path, period=Period(start, end))
    return [
        RateOut(group=r.group, numerator=r.numerator, denominator=r.denominator, value=r.value)
        for r in rates
    ]

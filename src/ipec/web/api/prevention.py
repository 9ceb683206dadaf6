"""The prevention path: the children of a household the rule finds at risk, and opening an
at-risk case for a child (``ipec.monitoring.prevention``). Each route passes the access
gate (reading the household, changing the child), calls one service and renders."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ipec.monitoring.prevention import RiskReason, open_at_risk, proposals
from ipec.standards import load_profile
from ipec.web.api.common import today
from ipec.web.api.schemas import CaseOut
from ipec.web.deps import ChildToChange, CurrentPrincipal, DbSession, HouseholdToRead, origin

__all__ = ["AtRiskIn", "ProposalOut", "router"]

router = APIRouter(tags=["prevention"])


class ProposalOut(BaseModel):
    """A child the rule finds at risk: why (``sibling_in_child_labour``, ``out_of_school``)
    and, for a sibling, the pseudonyms of the household's children in child labour."""

    child_id: int
    pseudonym: str
    reasons: list[RiskReason]
    siblings_in_labour: list[str]


class AtRiskIn(BaseModel):
    """An at-risk case to open: a reason the rule gives, or ``other`` with a note."""

    model_config = {"extra": "forbid"}

    reason: RiskReason
    note: Annotated[str | None, Field(max_length=2000)] = None
    opened_on: date | None = Field(default=None, description="Today by default.")


def _ages(request: Request) -> tuple[int, int]:
    scope = load_profile(request.app.state.settings.profile).ages.scope
    return scope.min, scope.max


@router.get("/households/{household_id}/at-risk", response_model=list[ProposalOut])
def read_proposals(
    household: HouseholdToRead, request: Request, db: DbSession
) -> list[ProposalOut]:
    """The household's children the rule finds at risk today, without an open case: siblings
    of a child with an open child-labour case, children whose latest visit found them out of
    school. Proposals only: a case worker opens each (``POST /children/{id}/at-risk-cases``)."""
    found = proposals(db, household.id, today=today(), ages=_ages(request))
    names = {c.id: c.pseudonym for c in household.children}
    return [ProposalOut(child_id=p.child_id, pseudonym=names[p.child_id], reasons=list(p.reasons),
                        siblings_in_labour=list(p.siblings_in_labour))
            for p in found]  # fmt: skip


@router.post("/children/{child_id}/at-risk-cases", response_model=CaseOut, status_code=201)
def create_at_risk_case(
    child: ChildToChange, body: AtRiskIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> CaseOut:
    """Open an at-risk case (prevention) for the child: for a reason the rule gives
    (refused when it does not hold), or ``other`` with a note. Refused when the child has an
    open case (409), is outside the profile's ages or left the register, or the day is in
    the future (422, naming the field)."""
    case = open_at_risk(db, child_id=child.id, reason=body.reason, note=body.note,
                        opened_on=body.opened_on or today(), ages=_ages(request),
                        actor=who.username, origin=origin(request))  # fmt: skip
    return CaseOut.model_validate(case)

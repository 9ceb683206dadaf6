"""A child's consents: who agreed (the child or a caregiver), to what, when; and their
withdrawal. The rules are ``ipec.monitoring.consent``'s."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ipec.auth import Operation, access_consent
from ipec.monitoring.consent import consents_of, record_consent, withdraw_consent
from ipec.monitoring.models import ConsentGiver, ConsentPurpose
from ipec.web.api.common import RecordId, today
from ipec.web.deps import ChildToChange, ChildToRead, CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["consents"])

_Text = Annotated[str, StringConstraints(max_length=200)]


class ConsentIn(BaseModel):
    """``partner_id``: the partner a referral consent is for (required then; optional for
    data sharing; none for a visit's record); ``contact``: what the family agrees to share
    with that partner."""

    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose
    given_by: ConsentGiver
    given_on: date
    partner_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    giver_name: _Text | None = None
    contact: _Text | None = None


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    withdrawn_on: date
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    child_id: int
    purpose: str
    partner_id: int | None
    given_by: str
    giver_name: str | None
    given_on: date
    contact: str | None
    recorded_by: str
    recorded_at: datetime
    withdrawn_on: date | None
    withdrawn_by: str | None
    withdrawal_reason: str | None


@router.get("/children/{child_id}/consents", response_model=list[ConsentOut])
def list_consents(child: ChildToRead, db: DbSession) -> list[ConsentOut]:
    """The child's consents, newest first, the withdrawn ones included."""
    return [ConsentOut.model_validate(consent) for consent in consents_of(db, child.id)]


@router.post("/children/{child_id}/consents", response_model=ConsentOut, status_code=201)
def give_consent(
    child: ChildToChange, body: ConsentIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> ConsentOut:
    """Record a consent given for the child (a referral's names its partner)."""
    consent = record_consent(db, child_id=child.id, purpose=body.purpose,
                             given_by=body.given_by, given_on=body.given_on,
                             partner_id=body.partner_id, giver_name=body.giver_name,
                             contact=body.contact, actor=who.username, origin=origin(request),
                             today=today())  # fmt: skip
    return ConsentOut.model_validate(consent)


@router.post("/consents/{consent_id}/withdrawal", response_model=ConsentOut)
def withdraw(
    consent_id: RecordId, body: WithdrawalIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> ConsentOut:  # fmt: skip
    """Record that a consent was withdrawn: the sharing it allowed stops at once."""
    access_consent(db, who, consent_id, Operation.CHANGE, origin=origin(request))
    consent = withdraw_consent(db, consent_id=consent_id, withdrawn_on=body.withdrawn_on,
                               reason=body.reason, actor=who.username, origin=origin(request),
                               today=today())  # fmt: skip
    return ConsentOut.model_validate(consent)

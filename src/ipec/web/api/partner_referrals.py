"""The referrals sent to a partner user's organisation, as the partner sees them, and its
answers (accept, reject with a reason, report done). Every other route finds nothing for a
partner user (``ipec.auth.access``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from ipec.auth import Operation, partner_referral, read_partner_referrals
from ipec.monitoring.models import Case, ReferralStatus
from ipec.monitoring.referrals import PartnerReferral, answer_referral, partner_view
from ipec.web.api.common import Page, PerPage, RecordId, today
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["partner referrals"])


class PartnerReferralOut(BaseModel):
    """What a partner sees of a referral; ``shared`` false: the consent was withdrawn, the
    child and the contact are hidden."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    sent_on: date
    service: str | None
    answer_note: str | None
    shared: bool
    pseudonym: str | None
    age: int | None
    sex: str | None
    contact: str | None
    answers: list[str]


class PartnerReferralPageOut(BaseModel):
    items: list[PartnerReferralOut]
    page: int
    per_page: int
    has_next: bool


class AnswerIn(BaseModel):
    """``status``: accepted, rejected or done; ``note``: the reason, required to reject."""

    model_config = ConfigDict(extra="forbid")

    status: ReferralStatus
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


def _out(view: PartnerReferral) -> PartnerReferralOut:
    return PartnerReferralOut(
        id=view.id, status=view.status.value, sent_on=view.sent_on,
        service=view.service.value if view.service else None, answer_note=view.answer_note,
        shared=view.shared, pseudonym=view.pseudonym, age=view.age,
        sex=view.sex.value if view.sex else None, contact=view.contact,
        answers=[answer.value for answer in view.answers],
    )  # fmt: skip


def _child_of(db: DbSession, case_id: int) -> int:
    case = db.get(Case, case_id)
    assert case is not None  # a referral's case is a foreign key
    return case.child_id


@router.get("/partner/referrals", response_model=PartnerReferralPageOut)
def list_partner_referrals(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    status: Annotated[list[ReferralStatus] | None, Query()] = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> PartnerReferralPageOut:
    """The referrals sent to the signed-in partner user's organisation, newest first
    (partner users only; the children listed are audit-logged)."""
    rows = read_partner_referrals(db, who, statuses=status, page=page, per_page=per_page,
                                  origin=origin(request))  # fmt: skip
    now = today()
    items = [_out(partner_view(db, row.Referral, row.child_id, today=now)) for row in rows]
    return PartnerReferralPageOut(items=items[:per_page], page=page, per_page=per_page,
                                  has_next=len(items) > per_page)  # fmt: skip


@router.get("/partner/referrals/{referral_id}", response_model=PartnerReferralOut)
def read_partner_referral(
    referral_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> PartnerReferralOut:
    """One referral sent to the partner user's organisation (any other is not found)."""
    referral = partner_referral(db, who, referral_id, origin=origin(request))
    return _out(partner_view(db, referral, _child_of(db, referral.case_id), today=today()))


@router.post("/partner/referrals/{referral_id}/answer", response_model=PartnerReferralOut)
def answer_partner_referral(
    referral_id: RecordId, body: AnswerIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> PartnerReferralOut:  # fmt: skip
    """Accept, reject (``note``: the reason, required) or report done a referral sent to
    the partner user's organisation."""
    referral = partner_referral(db, who, referral_id, Operation.CHANGE, origin=origin(request))
    answer_referral(db, referral=referral, status=body.status, note=body.note,
                    actor=who.username, origin=origin(request))  # fmt: skip
    return _out(partner_view(db, referral, _child_of(db, referral.case_id), today=today()))

"""``/reminders``: what needs the caller (``ipec.monitoring.reminders``), and their choice of
an e-mail digest. Each list is read through the access gate, scoped and audited as the list
it comes from (the week, the partner's referrals, the approval queue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ipec.auth.models import User
from ipec.monitoring.reminders import reminders_for, set_digest
from ipec.web.api.common import today
from ipec.web.api.schemas import FollowUpOut
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["DigestIn", "DigestOut", "RemindersOut", "router"]

router = APIRouter(tags=["reminders"])


class FollowUpReminder(BaseModel):
    """A follow-up visit the caller is to make: its child (pseudonym) and area."""

    follow_up: FollowUpOut
    child_id: int
    pseudonym: str
    area_name: str
    days_late: int = Field(description="Days since the due date (0: due today or later).")


class ReferralReminder(BaseModel):
    """A referral sent to the caller's organisation: ``sent`` awaits an accept or reject,
    ``accepted`` a report that the service was given."""

    referral_id: int
    child_id: int
    status: str
    sent_on: date


class ApprovalReminder(BaseModel):
    """A request awaiting the caller's decision (a case's plan or closure)."""

    approval_id: int
    kind: str
    case_id: int
    pseudonym: str
    requested_at: datetime


class DigestOut(BaseModel):
    """The caller's e-mail digest: where it goes and whether it is sent."""

    email: str | None
    enabled: bool


class RemindersOut(BaseModel):
    """What needs the caller on ``today``: each list up to 20 (``more_*``: more wait);
    ``approvals_waiting`` counts every request awaiting the caller's decision."""

    today: date
    count: int
    overdue: list[FollowUpReminder]
    due: list[FollowUpReminder]
    more_follow_ups: bool
    referrals: list[ReferralReminder]
    more_referrals: bool
    approvals: list[ApprovalReminder]
    approvals_waiting: int
    digest: DigestOut


class DigestIn(BaseModel):
    """The digest wanted: an address (null: none) and whether to send it."""

    model_config = {"extra": "forbid"}

    email: str | None = Field(default=None, max_length=254)
    enabled: bool


def _digest(db: DbSession, user_id: int) -> DigestOut:
    user = db.get_one(User, user_id)
    return DigestOut(email=user.email, enabled=user.email_digest)


@router.get("/reminders", response_model=RemindersOut)
def read_reminders(request: Request, db: DbSession, who: CurrentPrincipal) -> RemindersOut:
    """What needs the caller: follow-ups assigned to them overdue and due within 7 days
    (each child once), referrals sent to their organisation awaiting an answer (partner
    users), and requests awaiting their approval (supervisors and above)."""
    now = today()
    found = reminders_for(db, who, now, origin=origin(request))

    def follow_up(row: Any) -> FollowUpReminder:
        """A row of the week."""
        return FollowUpReminder(
            follow_up=FollowUpOut.model_validate(row.FollowUp),
            child_id=row.Child.id,
            pseudonym=row.Child.pseudonym,
            area_name=row.area_name,
            days_late=max((now - row.FollowUp.due_on).days, 0),
        )

    return RemindersOut(
        today=now,
        count=found.count,
        overdue=[follow_up(row) for row in found.overdue],
        due=[follow_up(row) for row in found.due],
        more_follow_ups=found.more_follow_ups,
        referrals=[
            ReferralReminder(
                referral_id=row.Referral.id,
                child_id=row.child_id,
                status=row.Referral.status.value,
                sent_on=row.Referral.sent_on,
            )
            for row in found.referrals
        ],
        more_referrals=found.more_referrals,
        approvals=[
            ApprovalReminder(
                approval_id=row.Approval.id,
                kind=row.Approval.kind.value,
                case_id=row.Case.id,
                pseudonym=row.Child.pseudonym,
                requested_at=row.Approval.requested_at,
            )
            for row in found.approvals
        ],
        approvals_waiting=found.approvals_waiting,
        digest=_digest(db, who.user_id),
    )


@router.put("/reminders/digest", response_model=DigestOut)
def choose_digest(
    body: DigestIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> DigestOut:
    """Choose the caller's own e-mail digest (sent by ``ipec reminders send`` once a day,
    when the deployment sets an SMTP server): an address is needed to enable it; one that
    does not look like an address is refused naming ``email``."""
    set_digest(db, user_id=who.user_id, email=body.email, enabled=body.enabled,
               actor=who.username, origin=origin(request))  # fmt: skip
    return _digest(db, who.user_id)

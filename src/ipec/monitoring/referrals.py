"""A referral as its partner sees it, and the partner's answers.

A partner user (``ipec.auth``: ``Role.PARTNER``) sees, of a referral sent to its
organisation, only what the service asked needs: the child's pseudonym, age and sex, the
service asked for, and the contact the family agreed to share with that partner; the child
and the contact only while the consent allows (``ipec.monitoring.consent.shared_with_partner``).
Never the child's name, household, area, visits or case.

The partner accepts a referral, rejects it (a reason is required), or reports it done
(:data:`PARTNER_ANSWERS`); revoking is the referrer's. The rules of the steps are
``ipec.monitoring.service.set_referral_status``'s, the same for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ipec.errors import NotFound, PermissionDenied
from ipec.monitoring.consent import shared_with_partner
from ipec.monitoring.models import Child, Referral, ReferralStatus, ServiceType, Sex
from ipec.monitoring.scope import age_on
from ipec.monitoring.service import REFERRAL_STEPS, set_referral_status

__all__ = ["PARTNER_ANSWERS", "PartnerReferral", "answer_referral", "partner_view"]

#: What a partner may answer a referral with.
PARTNER_ANSWERS = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.DONE})


@dataclass(frozen=True, slots=True)
class PartnerReferral:
    """A referral as its partner sees it: the child (pseudonym, age, sex) and the contact
    are None when the consent does not allow them (``shared`` False: withdrawn)."""

    id: int
    status: ReferralStatus
    sent_on: date
    service: ServiceType | None
    answer_note: str | None
    shared: bool
    pseudonym: str | None
    age: int | None
    sex: Sex | None
    contact: str | None
    #: The answers the partner may give now.
    answers: tuple[ReferralStatus, ...]


def partner_view(
    session: Session, referral: Referral, child_id: int, *, today: date
) -> PartnerReferral:
    """What the partner may see of ``referral`` (of child ``child_id``) today."""
    shared = shared_with_partner(session, referral, child_id)
    child = session.get(Child, child_id) if shared.child else None
    if shared.child and child is None:
        raise NotFound(f"child {child_id} not found")
    answers = tuple(sorted(REFERRAL_STEPS[referral.status] & PARTNER_ANSWERS))
    return PartnerReferral(
        id=referral.id,
        status=referral.status,
        sent_on=referral.sent_on,
        service=referral.service,
        answer_note=referral.answer_note,
        shared=shared.child,
        pseudonym=child.pseudonym if child is not None else None,
        age=age_on(child.birth_date, today) if child is not None else None,
        sex=child.sex if child is not None else None,
        contact=shared.contact,
        answers=answers,
    )


def answer_referral(
    session: Session,
    *,
    referral: Referral,
    status: ReferralStatus,
    note: str | None,
    actor: str,
    origin: str | None = None,
) -> Referral:
    """The partner's answer: accepted, rejected (``note``: the reason, required) or done.
    Revoking is refused (the referrer revokes); a step the referral's status does not allow
    is a ``Conflict`` (``set_referral_status``)."""
    status = ReferralStatus(status)
    if status not in PARTNER_ANSWERS:
        raise PermissionDenied(
            f"a partner may not mark a referral {status.value}: it accepts, rejects or reports "
            "it done",
            hint="the programme's staff revoke referrals",
        )
    return set_referral_status(session, referral_id=referral.id, status=status, actor=actor,
                               note=note, origin=origin)  # fmt: skip

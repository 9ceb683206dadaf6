"""Consent as records: who agreed (the child or a caregiver), to what, when, and withdrawal.

A consent is for one purpose (:class:`~ipec.monitoring.models.ConsentPurpose`): keeping a
visit's record, a referral to a named partner (with the contact the family agrees to share
with it), or sharing data (with a named partner, or none named). It is never deleted: a
withdrawal is recorded on it (the day, who recorded it, why), so the history of who agreed to
what stays.

The rules that read consents:

- a referral to a partner needs an active (not withdrawn) referral consent for that partner,
  or, for a worst form of child labour only, an override recorded with its reason and who
  made it (:func:`referral_basis`; the authorities must hear of a worst form);
- a partner sees the child's pseudonym, age and sex only while the referral's basis holds
  (its consent is not withdrawn, or it was made under an override), and the contact only
  while the consent for that partner is active (:func:`shared_with_partner`): a withdrawal
  stops the sharing at once, and a new referral to that partner is refused until a new
  consent is recorded.

A visit's own ``consent`` flag stays the rule of the visit (a refused visit keeps no answers:
``ipec.monitoring.service.record_visit``); a visit-record consent kept here is its record.
The gate (``ipec.auth``) is the caller's: these functions write and read records only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import (
    Case,
    Child,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    Partner,
    Referral,
)

__all__ = [
    "MAX_CONTACT",
    "MAX_NOTE",
    "ReferralBasis",
    "Shared",
    "active_consent",
    "consents_of",
    "record_consent",
    "referral_basis",
    "shared_with_partner",
    "withdraw_consent",
]

#: The longest contact and caregiver's name kept (the columns' length).
MAX_CONTACT = 200
#: The longest reason (an override's, a withdrawal's).
MAX_NOTE = 2000


def _clean(value: str | None, *, column: str, limit: int, what: str) -> str | None:
    """The text stripped (None when empty); longer than ``limit`` is refused."""
    text = (value or "").strip()
    if len(text) > limit:
        raise DataError(f"the {what} is longer than {limit} characters", column=column)
    return text or None


def record_consent(
    session: Session,
    *,
    child_id: int,
    purpose: ConsentPurpose,
    given_by: ConsentGiver,
    given_on: date,
    actor: str,
    partner_id: int | None = None,
    giver_name: str | None = None,
    contact: str | None = None,
    origin: str | None = None,
    today: date | None = None,
) -> Consent:
    """Record a consent given for the child. A referral consent names its partner (and
    may carry the contact the family agrees to share with it); a visit-record consent names
    none; a data-sharing consent may. Refused: an unknown partner, a day in the future or
    before the child's birth, a contact for another purpose. Audited (``consent.give``, on
    the child)."""
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound(f"child {child_id} not found")
    purpose, given_by = ConsentPurpose(purpose), ConsentGiver(given_by)
    if purpose is ConsentPurpose.REFERRAL and partner_id is None:
        raise DataError("a consent to a referral names the partner it may be sent to",
                        column="partner_id", hint="choose the partner")  # fmt: skip
    if purpose is ConsentPurpose.VISIT_RECORD and partner_id is not None:
        raise DataError("a consent to keeping a visit's record names no partner",
                        column="partner_id", hint="leave the partner out")  # fmt: skip
    if partner_id is not None and session.get(Partner, partner_id) is None:
        raise NotFound(f"partner {partner_id} not found", hint="choose a partner of the list")
    shared = _clean(contact, column="contact", limit=MAX_CONTACT, what="contact")
    if shared is not None and purpose is not ConsentPurpose.REFERRAL:
        raise DataError("a contact is shared only with a partner a referral goes to",
                        column="contact", hint="leave the contact out")  # fmt: skip
    name = _clean(giver_name, column="giver_name", limit=MAX_CONTACT, what="caregiver's name")
    now = today or datetime.now(UTC).date()
    if given_on > now:
        raise DataError(f"the day the consent was given ({given_on}) is in the future",
                        column="given_on", hint="correct the date")  # fmt: skip
    if given_on < child.birth_date:
        raise DataError(f"the day the consent was given ({given_on}) is before the child's "
                        f"birth ({child.birth_date})", column="given_on",
                        hint="correct the date")  # fmt: skip
    consent = Consent(child_id=child.id, purpose=purpose, partner_id=partner_id,
                      given_by=given_by, giver_name=name, given_on=given_on, contact=shared,
                      recorded_by=actor, recorded_at=datetime.now(UTC))  # fmt: skip
    session.add(consent)
    session.flush()
    write_audit(session, actor=actor, action="consent.give", entity="child", entity_id=child.id,
                origin=origin, detail={"consent": consent.id, "purpose": purpose.value,
                                       "partner": partner_id,
                                       "given_by": given_by.value})  # fmt: skip
    return consent


def withdraw_consent(
    session: Session,
    *,
    consent_id: int,
    withdrawn_on: date,
    actor: str,
    reason: str | None = None,
    origin: str | None = None,
    today: date | None = None,
) -> Consent:
    """Record that a consent was withdrawn on ``withdrawn_on``: what it allowed stops (the
    partner no longer sees the child or the contact; a new referral to it is refused). The
    record stays. Refused for a consent withdrawn already (``Conflict``), and a day before it
    was given or in the future. Audited (``consent.withdraw``, on the child)."""
    consent = session.get(Consent, consent_id, with_for_update=True)
    if consent is None:
        raise NotFound(f"consent {consent_id} not found")
    if consent.withdrawn_on is not None:
        raise Conflict(f"consent {consent.id} was already withdrawn on {consent.withdrawn_on}",
                       hint="reload the child's page")  # fmt: skip
    now = today or datetime.now(UTC).date()
    if withdrawn_on > now:
        raise DataError(f"the day of the withdrawal ({withdrawn_on}) is in the future",
                        column="withdrawn_on", hint="correct the date")  # fmt: skip
    if withdrawn_on < consent.given_on:
        raise DataError(f"the day of the withdrawal ({withdrawn_on}) is before the consent was "
                        f"given ({consent.given_on})", column="withdrawn_on",
                        hint="correct the date")  # fmt: skip
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = actor
    consent.withdrawal_reason = _clean(reason, column="reason", limit=MAX_NOTE, what="reason")
    session.flush()
    write_audit(session, actor=actor, action="consent.withdraw", entity="child",
                entity_id=consent.child_id, origin=origin,
                detail={"consent": consent.id,
                        "withdrawn_on": withdrawn_on.isoformat()})  # fmt: skip
    return consent


def consents_of(session: Session, child_id: int) -> list[Consent]:
    """The child's consents, newest first (the withdrawn ones included)."""
    query = select(Consent).where(Consent.child_id == child_id)
    return list(session.scalars(query.order_by(Consent.given_on.desc(), Consent.id.desc())))


def active_consent(
    session: Session, *, child_id: int, purpose: ConsentPurpose, partner_id: int | None
) -> Consent | None:
    """The child's latest consent for ``purpose`` (and that partner) not withdrawn."""
    query = select(Consent).where(
        Consent.child_id == child_id,
        Consent.purpose == purpose,
        Consent.withdrawn_on.is_(None),
    )
    query = query.where(
        Consent.partner_id.is_(None) if partner_id is None else Consent.partner_id == partner_id
    )
    return session.scalars(query.order_by(Consent.given_on.desc(), Consent.id.desc())).first()


@dataclass(frozen=True, slots=True)
class ReferralBasis:
    """Why a referral may be sent: the consent for the partner, or an override's reason."""

    consent: Consent | None
    override_reason: str | None


def referral_basis(
    session: Session, case: Case, partner_id: int, *, override_reason: str | None = None
) -> ReferralBasis:
    """The basis of a referral of ``case`` to the partner: the child's active consent for
    that partner; else, for a worst form only, an override with its reason (a ``DataError``
    naming ``override_reason``: without a reason, or for a case that is not a worst form);
    else a ``DataError`` naming ``consent`` (saying when the consent was withdrawn, if it
    was)."""
    consent = active_consent(session, child_id=case.child_id, purpose=ConsentPurpose.REFERRAL,
                             partner_id=partner_id)  # fmt: skip
    if consent is not None:
        return ReferralBasis(consent, None)
    if override_reason is not None:
        reason = _clean(override_reason, column="override_reason", limit=MAX_NOTE,
                        what="override's reason")  # fmt: skip
        if reason is None:
            raise DataError("an override without consent needs a reason",
                            column="override_reason",
                            hint="say why the child is referred without consent")  # fmt: skip
        if not case.worst_forms:
            raise DataError("a referral without consent may be made only for a worst form of "
                            "child labour", column="override_reason",
                            hint="record the consent for this partner first")  # fmt: skip
        return ReferralBasis(None, reason)
    withdrawn = session.scalars(
        select(Consent.withdrawn_on).where(
            Consent.child_id == case.child_id, Consent.purpose == ConsentPurpose.REFERRAL,
            Consent.partner_id == partner_id, Consent.withdrawn_on.is_not(None),
        ).order_by(Consent.withdrawn_on.desc())
    ).first()  # fmt: skip
    why = f" (the consent for this partner was withdrawn on {withdrawn})" if withdrawn else ""
    hint = "record the consent for this partner on the child's page"
    if case.worst_forms:
        hint += ", or, for this worst form, an override with its reason"
    raise DataError(f"a referral to partner {partner_id} needs the consent of the child or a "
                    f"caregiver for that partner{why}", column="consent", hint=hint)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Shared:
    """What a partner may see of a referral's child now: the child (pseudonym, age, sex)
    and the contact the family agreed to share."""

    child: bool
    contact: str | None


def shared_with_partner(session: Session, referral: Referral, child_id: int) -> Shared:
    """What the partner of ``referral`` may see now. The child, while the referral's basis
    holds (its consent not withdrawn, or an override; for a referral made before consents
    were records, its consent flag, until a referral consent for that partner is withdrawn);
    the contact, from the child's active consent for that partner. A withdrawal hides both."""
    current = active_consent(session, child_id=child_id, purpose=ConsentPurpose.REFERRAL,
                             partner_id=referral.partner_id)  # fmt: skip
    if referral.consent_id is not None:
        basis = session.get(Consent, referral.consent_id)
        holds = basis is not None and basis.withdrawn_on is None
    elif referral.override_reason is not None:
        holds = True
    else:
        withdrawn = select(Consent.id).where(
            Consent.child_id == child_id, Consent.purpose == ConsentPurpose.REFERRAL,
            Consent.partner_id == referral.partner_id, Consent.withdrawn_on.is_not(None),
        )  # fmt: skip
        holds = referral.consent and session.scalar(withdrawn.limit(1)) is None
    return Shared(child=holds or current is not None,
                  contact=current.contact if current is not None else None)  # fmt: skip

"""The consents on a child's page: record one (who gave it, for what, when, and for a
referral the partner and the contact the family agrees to share), and withdraw one. The
rules are ``ipec.monitoring.consent``'s; a form with wrong values comes back to the child's
page with a message beside each field (status 422)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipec.auth import Operation, access_consent
from ipec.monitoring.consent import MAX_CONTACT, MAX_NOTE, record_consent, withdraw_consent
from ipec.monitoring.models import Child, ConsentGiver, ConsentPurpose, Partner
from ipec.web.api.common import RecordId, today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.children import _sent_back
from ipec.web.pages.deps import ChildToChange, FormFields, SignedIn
from ipec.web.pages.forms import FormState, Say, read_date
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _partner(db: Session, state: FormState, say: Say, purpose: ConsentPurpose | None) -> int | None:
    """The partner chosen (required for a referral, none for a visit's record)."""
    chosen = state.typed.get("partner_id", "")
    if not chosen:
        if purpose is ConsentPurpose.REFERRAL:
            state.errors["partner_id"] = say(
                translatable("Choose the partner the family agreed to.")
            )
        return None
    if purpose is ConsentPurpose.VISIT_RECORD:
        state.errors["partner_id"] = say(
            translatable("A consent to the visit's record names no partner.")
        )
        return None
    if not chosen.isdigit() or db.get(Partner, int(chosen)) is None:
        state.errors["partner_id"] = say(translatable("Choose a partner from the list."))
        return None
    return int(chosen)


@router.post("/children/{child_id}/consents")
def give(
    child: ChildToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Record a consent given for the child."""
    say = gettext_of(request)
    state = FormState("consent", form)
    purposes = {purpose.value: purpose for purpose in ConsentPurpose}
    givers = {giver.value: giver for giver in ConsentGiver}
    purpose = purposes.get(form.get("purpose", ""))
    if purpose is None:
        state.errors["purpose"] = say(translatable("Choose what the consent is for."))
    giver = givers.get(form.get("given_by", ""))
    if giver is None:
        state.errors["given_by"] = say(translatable("Choose who gave the consent."))
    given_on = read_date(state, "given_on", say, earliest=child.birth_date, latest=today())
    partner = _partner(db, state, say, purpose)
    contact = form.get("contact", "").strip()
    if len(contact) > MAX_CONTACT:
        state.errors["contact"] = say(translatable("Keep the contact under 200 characters."))
    elif contact and purpose is not ConsentPurpose.REFERRAL:
        state.errors["contact"] = say(
            translatable("A contact is shared only with a referral's partner.")
        )
    name = form.get("giver_name", "").strip()
    if len(name) > MAX_CONTACT:
        state.errors["giver_name"] = say(translatable("Keep the name under 200 characters."))
    if state.errors or purpose is None or giver is None or given_on is None:
        return _sent_back(request, db, viewer, child.id, state)
    record_consent(db, child_id=child.id, purpose=purpose, given_by=giver, given_on=given_on,
                   partner_id=partner, giver_name=name or None, contact=contact or None,
                   actor=viewer.principal.username, origin=origin(request),
                   today=today())  # fmt: skip
    return RedirectResponse(f"/children/{child.id}?saved=consent#consents", status_code=303)


@router.post("/consents/{consent_id}/withdraw")
def withdraw(
    consent_id: RecordId, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Record that a consent was withdrawn: the sharing it allowed stops."""
    consent = access_consent(db, viewer.principal, consent_id, Operation.CHANGE,
                             origin=origin(request))  # fmt: skip
    say = gettext_of(request)
    state = FormState(f"withdraw-{consent.id}", form)
    child = db.get(Child, consent.child_id)
    assert child is not None
    withdrawn_on = read_date(state, "withdrawn_on", say, earliest=consent.given_on, latest=today())
    reason = form.get("reason", "").strip()
    if len(reason) > MAX_NOTE:
        state.errors["reason"] = say(translatable("Keep the reason under 2000 characters."))
    if consent.withdrawn_on is not None:
        state.errors["withdrawn_on"] = say(translatable("This consent was already withdrawn."))
    if state.errors or withdrawn_on is None:
        return _sent_back(request, db, viewer, child.id, state)
    withdraw_consent(db, consent_id=consent.id, withdrawn_on=withdrawn_on, reason=reason or None,
                     actor=viewer.principal.username, origin=origin(request),
                     today=today())  # fmt: skip
    return RedirectResponse(f"/children/{child.id}?saved=consent#consents", status_code=303)

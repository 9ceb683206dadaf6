"""A partner user's pages: the referrals sent to its organisation, each with only what the
service asked needs (the child's pseudonym, age and sex, the service, the contact the family
agreed to share), and the answers (accept, reject with a reason, report done).

Each referral passes the partner gate (``ipec.auth.partner_referral``): another partner's
referral, and any referral for a user who is not a partner user, is not found."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipec.auth import Operation, partner_referral, read_partner_referrals
from ipec.monitoring.consent import MAX_NOTE
from ipec.monitoring.models import Case, Referral, ReferralStatus
from ipec.monitoring.referrals import PARTNER_ANSWERS, answer_referral, partner_view
from ipec.web.api.common import Page, RecordId, today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PER_PAGE = 25


def _child_of(db: Session, referral: Referral) -> int:
    case = db.get(Case, referral.case_id)
    assert case is not None  # a referral's case is a foreign key
    return case.child_id


@router.get("/partner/referrals")
def inbox(request: Request, db: DbSession, viewer: SignedIn, page: Page = 1) -> Response:
    """The referrals sent to the partner user's organisation, newest first."""
    rows = read_partner_referrals(db, viewer.principal, page=page, per_page=_PER_PAGE,
                                  origin=origin(request))  # fmt: skip
    now = today()
    views = [partner_view(db, row.Referral, row.child_id, today=now) for row in rows[:_PER_PAGE]]
    context = {"referrals": views, "page": page, "has_next": len(rows) > _PER_PAGE,
               "query_without_page": ""}  # fmt: skip
    return pages_of(request).render(request, "partner_referrals.html", context)


def _referral_page(
    request: Request, db: Session, viewer: Viewer, referral: Referral, failed: FormState | None
) -> Response:
    view = partner_view(db, referral, _child_of(db, referral), today=today())
    context = {
        "referral": view,
        "form": failed or FormState("answer"),
        "problems": [("note", message) for message in failed.errors.values()] if failed else (),
    }
    return pages_of(request).render(request, "partner_referral.html", context,
                                    status=422 if failed else 200)  # fmt: skip


@router.get("/partner/referrals/{referral_id}")
def referral_page(
    referral_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> Response:
    """One referral and the answers the partner may give now."""
    referral = partner_referral(db, viewer.principal, referral_id, origin=origin(request))
    return _referral_page(request, db, viewer, referral, None)


@router.post("/partner/referrals/{referral_id}/answer")
def answer(
    referral_id: RecordId, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Accept, reject (a reason is required) or report done; the page again after."""
    who = viewer.principal
    referral = partner_referral(db, who, referral_id, Operation.CHANGE, origin=origin(request))
    say = gettext_of(request)
    state = FormState("answer", form)
    chosen = {status.value: status for status in PARTNER_ANSWERS}.get(form.get("status", ""))
    note = form.get("note", "").strip()
    if chosen is None:
        state.errors["status"] = say(translatable("Choose one of the answers offered."))
    elif chosen is ReferralStatus.REJECTED and not note:
        state.errors["note"] = say(translatable("Say why the referral is rejected."))
    elif len(note) > MAX_NOTE:
        state.errors["note"] = say(translatable("Keep the reason under 2000 characters."))
    if state.errors or chosen is None:
        return _referral_page(request, db, viewer, referral, state)
    answer_referral(db, referral=referral, status=chosen, note=note or None, actor=who.username,
                    origin=origin(request))  # fmt: skip
    return RedirectResponse(f"/partner/referrals/{referral.id}?saved=answer", status_code=303)

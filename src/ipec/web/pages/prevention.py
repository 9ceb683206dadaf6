"""The prevention path in the pages: the household's children the rule finds at risk (a
section of the child's page, loaded with it), and the form that opens an at-risk case for a
child, for a reason the rule gives or another with a note (``ipec.monitoring.prevention``).

Each route receives the child or household through the access gate and calls the same
service as the API; a form with a wrong value is sent back with a message beside the field
(status 422) and nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError
from ipec.monitoring.models import Case, CaseStatus, Child
from ipec.monitoring.prevention import NOTE_LENGTH, RiskReason, open_at_risk, proposals
from ipec.standards import load_profile
from ipec.web.api.common import today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import ChildToChange, ChildToRead, FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState, read_date
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _ages(request: Request) -> tuple[int, int]:
    scope = load_profile(request.app.state.settings.profile).ages.scope
    return scope.min, scope.max


def _household_proposals(request: Request, db: Session, child: Child) -> list[tuple[Child, Any]]:
    found = proposals(db, child.household_id, today=today(), ages=_ages(request))
    children = {c.id: c for c in db.scalars(select(Child).where(
        Child.id.in_([p.child_id for p in found])))}  # fmt: skip
    return [(children[p.child_id], p) for p in found]


@router.get("/children/{child_id}/at-risk/proposals")
def proposals_section(
    child: ChildToRead, request: Request, db: DbSession, viewer: SignedIn
) -> Response:
    """The section of the child's page that lists the household's children the rule finds
    at risk (loaded with the page), with a link to open each one's case."""
    context = {"child": child, "proposed": _household_proposals(request, db, child)}
    return pages_of(request).render(request, "at_risk_proposals.html", context)


def _page(
    request: Request, db: Session, viewer: Viewer, child: Child, *,
    failed: FormState | None = None,
) -> Response:  # fmt: skip
    """The form; ``failed`` is a form sent back with its errors (status 422)."""
    still_open = select(Case).where(Case.child_id == child.id, Case.status != CaseStatus.CLOSED)
    open_case = db.scalars(still_open).first()
    mine = [p for c, p in _household_proposals(request, db, child) if c.id == child.id]
    reasons = list(mine[0].reasons) if mine else []
    context = {
        "child": child,
        "open_case": open_case,
        "reasons": reasons,
        "siblings": mine[0].siblings_in_labour if mine else (),
        "form": failed or FormState("at_risk"),
        "problems": list(failed.errors.items()) if failed else (),
        "note_length": NOTE_LENGTH,
    }
    return pages_of(request).render(request, "at_risk.html", context,
                                    status=422 if failed else 200)  # fmt: skip


@router.get("/children/{child_id}/at-risk")
def at_risk_form(child: ChildToRead, request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """The form that opens an at-risk case for the child."""
    return _page(request, db, viewer, child)


@router.post("/children/{child_id}/at-risk")
def open_case(
    child: ChildToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Open the at-risk case; back to the child's page, at the case."""
    say = gettext_of(request)
    state = FormState("at_risk", form)
    reason = form.get("reason", "").strip()
    if reason not in {r.value for r in RiskReason}:
        state.errors["reason"] = say(translatable("Choose why the child is at risk."))
    note = form.get("note", "").strip()
    if len(note) > NOTE_LENGTH:
        state.errors["note"] = say(translatable("%(count)s characters at most.")) % {
            "count": NOTE_LENGTH}  # fmt: skip
    elif reason == RiskReason.OTHER.value and not note:
        state.errors["note"] = say(translatable("Say why the child is at risk."))
    opened_on: date | None = read_date(state, "opened_on", say, earliest=child.birth_date,
                                       latest=today())  # fmt: skip
    if state.errors or opened_on is None:
        return _page(request, db, viewer, child, failed=state)
    try:
        with db.begin_nested():
            case = open_at_risk(db, child_id=child.id, reason=reason, note=note or None,
                                opened_on=opened_on, ages=_ages(request),
                                actor=viewer.principal.username,
                                origin=origin(request))  # fmt: skip
    except Conflict:
        state.errors["reason"] = say(translatable("The child already has an open case."))
        return _page(request, db, viewer, child, failed=state)
    except DataError as error:
        if error.column == "reason":
            message = translatable("The rule does not find this reason for the child: choose "
                                   "another, or Other with a note.")  # fmt: skip
        elif error.column == "child_id":
            message = translatable("An at-risk case is for a child of the profile's ages who "
                                   "is on the register.")  # fmt: skip
            state.errors["opened_on"] = say(message)
            return _page(request, db, viewer, child, failed=state)
        else:
            raise
        state.errors["reason"] = say(message)
        return _page(request, db, viewer, child, failed=state)
    return RedirectResponse(f"/children/{child.id}?saved=case#case-{case.id}", status_code=303)

"""What needs me: the signed-in user's reminders (follow-ups overdue and due this week,
referrals awaiting their answer, requests awaiting their approval), and the form where they
choose an e-mail digest (``ipec.monitoring.reminders``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.errors import DataError
from ipec.monitoring.reminders import reminders_for, set_digest
from ipec.web.api.common import today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(request: Request, db: Session, viewer: Viewer, *,
          failed: FormState | None = None) -> Response:  # fmt: skip
    who = viewer.principal
    user = db.get_one(User, who.user_id)
    context = {
        "found": reminders_for(db, who, today(), origin=origin(request)),
        "digest_email": user.email or "",
        "digest_on": user.email_digest,
        "smtp_set": bool(request.app.state.settings.smtp_host),
        "form": failed or FormState("digest"),
        "problems": list(failed.errors.items()) if failed else (),
    }
    return pages_of(request).render(request, "reminders.html", context,
                                    status=422 if failed else 200)  # fmt: skip


@router.get("/reminders")
def reminders(request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """What needs the signed-in user."""
    return _page(request, db, viewer)


@router.post("/reminders/digest")
def digest(request: Request, db: DbSession, viewer: SignedIn, form: FormFields) -> Response:
    """Turn the user's e-mail digest on or off, with the address it goes to."""
    state = FormState("digest", form)
    try:
        with db.begin_nested():
            set_digest(db, user_id=viewer.principal.user_id, email=form.get("email"),
                       enabled="enabled" in form, actor=viewer.principal.username,
                       origin=origin(request))  # fmt: skip
    except DataError as error:
        if error.column != "email":
            raise
        say = gettext_of(request)
        if "enabled" in form and not form.get("email", "").strip():
            state.errors["email"] = say(translatable("Give the address the digest goes to."))
        else:
            state.errors["email"] = say(translatable("Enter an e-mail address (name@example.org)."))
        return _page(request, db, viewer, failed=state)
    return RedirectResponse("/reminders?saved=digest", status_code=303)

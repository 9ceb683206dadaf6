"""Who is signed in to the pages, and the anti-forgery check of every form.

The pages sign in with the same session cookie as the API. A form that changes something
carries the session's anti-forgery token in a hidden ``csrf_token`` field (HTMX requests send
it in ``X-CSRF-Token``), so another site cannot make a signed-in browser act.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ipec.auth import CHANGE_ROLES, Principal, csrf_token, principal_of
from ipec.auth.service import MANAGER_ROLES
from ipec.errors import DataError, PermissionDenied
from ipec.web.deps import SAFE_METHODS, SESSION_COOKIE, DbSession, csrf_matches, session_user

__all__ = ["FormFields", "SignedIn", "Viewer", "form_fields", "signed_in"]

#: A page form has a few dozen fields at most; more is not a form of ours.
_MAX_FIELDS = 200


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user as the pages need them: the principal for the access gate, a name
    to show, and the token every form sends back."""

    principal: Principal
    display_name: str
    csrf: str
    session_token: str

    @property
    def can_change(self) -> bool:
        """Viewers read; the other roles may change records."""
        return self.principal.role in CHANGE_ROLES

    @property
    def can_manage(self) -> bool:
        """Administrators and programme managers manage users and partners."""
        return self.principal.role in MANAGER_ROLES


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted form's text fields (nothing for a page read); files are refused."""
    if request.method in SAFE_METHODS:
        return {}
    try:
        form = await request.form(max_files=0, max_fields=_MAX_FIELDS)
    except Exception as error:  # the multipart parser's errors have no common base
        raise DataError("the form could not be read", hint="submit the form again") from error
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def signed_in(request: Request, db: DbSession, form: FormFields) -> Viewer:
    """The viewer behind the session cookie; a change without the session's anti-forgery
    token is refused."""
    token = request.cookies.get(SESSION_COOKIE, "")
    user = session_user(db, token)
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token", "")
    if not csrf_matches(request, token, sent):
        raise PermissionDenied(
            "the form has expired or did not come from this site",
            hint="reload the page and submit the form again",
        )
    expected = csrf_token(request.app.state.settings.secret_key, token)
    viewer = Viewer(principal_of(db, user), user.display_name, expected, token)
    request.state.viewer = viewer
    return viewer


SignedIn = Annotated[Viewer, Depends(signed_in)]

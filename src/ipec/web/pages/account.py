"""Signing in and out of the pages, changing one's password, choosing the language."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from ipec.auth import change_password, close_session
from ipec.auth.models import User
from ipec.auth.passwords import MIN_PASSWORD_LENGTH
from ipec.errors import AccountLocked, PermissionDenied, TooManyAttempts
from ipec.web.deps import (
    DbSession,
    forget_session_cookie,
    origin,
    set_session_cookie,
)
from ipec.web.pages.deps import FormFields, SignedIn
from ipec.web.pages.i18n import LANGUAGE_COOKIE, LANGUAGES
from ipec.web.pages.render import pages_of
from ipec.web.signin import sign_in

__all__ = ["router", "safe_next"]

router = APIRouter(include_in_schema=False)

#: Before sign-in there is no session: the sign-in form is protected by a token kept in a
#: cookie of its own and echoed in the form (another site can read neither).
_LOGIN_COOKIE = "ipec_login"
_NEXT = Annotated[str, Query(max_length=500)]


def safe_next(target: str) -> str:
    """A path on this site to go to after signing in; anything else goes home."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_page(request: Request, target: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    response = pages_of(request).render(
        request,
        "login.html",
        {"next": safe_next(target), "error": error, "login_token": token},
        status=status,
    )
    response.set_cookie(_LOGIN_COOKIE, token, max_age=3600, secure=True, httponly=True,
                        samesite="strict", path="/login")  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request, next: _NEXT = "/") -> Response:
    """The sign-in form."""
    return _login_page(request, next, None, 200)


@router.post("/login")
async def log_in(request: Request, form: FormFields) -> Response:
    """Check the password (under the sign-in limits of ``ipec.web.signin``); on success open a
    session and go where the user was going."""
    target = form.get("next", "/")
    expected = request.cookies.get(_LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form.get("login_token", "")):
        return _login_page(request, target, "expired", 400)
    try:
        signed_in = await sign_in(request, username=form.get("username", ""),
                                  password=form.get("password", ""))  # fmt: skip
    except TooManyAttempts as busy:
        page = _login_page(request, target, "busy", 429)
        page.headers["Retry-After"] = str(busy.retry_after)
        return page
    except AccountLocked:
        return _login_page(request, target, "locked", 401)
    except PermissionDenied:
        return _login_page(request, target, "wrong", 401)
    response = RedirectResponse(safe_next(target), status_code=303)
    set_session_cookie(response, signed_in.session_token)
    response.delete_cookie(_LOGIN_COOKIE, path="/login", secure=True, httponly=True,
                           samesite="strict")  # fmt: skip
    return response


@router.post("/logout")
def log_out(request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """End the session on the server and forget the cookie."""
    close_session(db, viewer.session_token, origin=origin(request))
    response = RedirectResponse("/login", status_code=303)
    forget_session_cookie(response)
    return response


@router.get("/account/password")
def password_form(request: Request, viewer: SignedIn) -> Response:
    """The form to change one's password."""
    return pages_of(request).render(request, "password.html", {"errors": {}, "done": False})


@router.post("/account/password")
def password_change(
    request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Change the password; other sessions of the user end. Errors appear beside the field."""
    errors: dict[str, str] = {}
    new, repeated = form.get("new_password", ""), form.get("repeat_password", "")
    current = form.get("current_password", "")
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = "short"
    elif new == current:
        errors["new_password"] = "same"
    elif new != repeated:
        errors["repeat_password"] = "mismatch"
    user = db.get(User, viewer.principal.user_id)
    assert user is not None
    if not errors:
        try:
            change_password(db, user=user, current=current, new=new,
                            keep_session=viewer.session_token, origin=origin(request))  # fmt: skip
        except AccountLocked:
            errors["current_password"] = "locked"
        except PermissionDenied:  # counted (committed with the page): see check_current_password
            errors["current_password"] = "wrong"
    status = 422 if errors else 200
    return pages_of(request).render(
        request, "password.html", {"errors": errors, "done": not errors}, status=status
    )


@router.get("/language/{code}")
def choose(request: Request, code: str, next: _NEXT = "/") -> Response:
    """Switch the pages to another language and come back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86400, secure=True,
                            httponly=True, samesite="lax", path="/")  # fmt: skip
    return response

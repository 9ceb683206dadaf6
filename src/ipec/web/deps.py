"""Typed dependencies: a database session per request, and the signed-in principal.

A request is signed in by an API token (``Authorization: Bearer``, for machines) or by the
session cookie (for browsers). A change made with the cookie must also carry the session's
anti-forgery token in ``X-CSRF-Token``, so another site cannot make the browser act.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import DataError as SqlDataError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ipec.auth import Principal, csrf_token, principal_of, user_for_session, user_for_token
from ipec.errors import (
    Conflict,
    DatabaseUnavailable,
    DataError,
    NotAuthenticated,
    PermissionDenied,
)

__all__ = [
    "SESSION_COOKIE",
    "CurrentPrincipal",
    "DbSession",
    "check_csrf",
    "origin",
    "principal",
    "session",
]

#: The cookie that carries a browser's session token.
SESSION_COOKIE = "ipec_session"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_log = logging.getLogger(__name__)


def session(request: Request) -> Iterator[Session]:
    """One session and transaction per request: committed on success, rolled back on error.

    The commit runs before the response is sent (the dependency's scope is the route), so a
    change the database refuses at commit is never reported as saved.
    """
    factory = request.app.state.sessions
    with factory() as opened:
        try:
            with opened.begin():
                yield opened
        except (IntegrityError, StaleDataError) as error:
            raise Conflict(
                "the change conflicts with a change saved at the same time",
                hint="reload the record and try again",
            ) from error
        except SqlDataError as error:
            raise DataError(
                "a value cannot be stored (too long, or holding a NUL character)",
                hint="shorten the text or remove control characters",
            ) from error
        except OperationalError as error:
            _log.exception("database error in %s %s", request.method, request.url.path)
            raise DatabaseUnavailable(
                "the database is busy or unreachable", hint="try again in a moment"
            ) from error


DbSession = Annotated[Session, Depends(session, scope="function")]


def origin(request: Request) -> str | None:
    """Where a request came from, for the audit log."""
    return request.client.host if request.client else None


def check_csrf(request: Request, token: str) -> None:
    """Refuse a change made with the session cookie without the session's anti-forgery token."""
    if request.method in _SAFE_METHODS:
        return
    expected = csrf_token(request.app.state.settings.secret_key, token)
    sent = request.headers.get("x-csrf-token", "")
    if not hmac.compare_digest(expected, sent):
        raise PermissionDenied(
            "a change made with the session cookie needs the X-CSRF-Token header",
            hint="send the csrf_token returned at sign-in",
        )


def principal(request: Request, db: DbSession) -> Principal:
    """The user behind the request's bearer token or session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if header:
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("sign in: send 'Authorization: Bearer <token>'")
        try:
            return principal_of(db, user_for_token(db, token.strip()))
        except PermissionDenied:
            raise NotAuthenticated("invalid or revoked token") from None
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotAuthenticated(
            "sign in: send 'Authorization: Bearer <token>' or sign in at /api/v1/session"
        )
    try:
        user = user_for_session(db, cookie)
    except PermissionDenied:
        raise NotAuthenticated("the session has ended: sign in again") from None
    check_csrf(request, cookie)
    return principal_of(db, user)


CurrentPrincipal = Annotated[Principal, Depends(principal)]

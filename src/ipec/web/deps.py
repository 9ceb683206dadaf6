"""Typed dependencies: a database session per request, the signed-in principal, and the
record a route reads or changes.

A request is signed in by an API token (``Authorization: Bearer``, for machines) or by the
session cookie (for browsers). A change made with the cookie must also carry the session's
anti-forgery token in ``X-CSRF-Token``, so another site cannot make the browser act.

A route receives its record through the access gate (``ipec.auth.access``): ``CaseToRead``,
``CaseToChange``, ``ChildToRead``... look the record up by the path's id, check the caller's
scope and role for the action, and write the audit row; a record out of scope is not found.
The pages have the same, signed in by their form (``ipec.web.pages.deps``).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.exc import DataError as SqlDataError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ipec.auth import (
    Operation,
    Principal,
    access_case,
    access_case_record,
    access_child,
    access_household,
    csrf_token,
    principal_of,
    user_for_session,
    user_for_token,
)
from ipec.auth.models import User
from ipec.auth.service import SESSION_HOURS
from ipec.errors import (
    Conflict,
    DatabaseUnavailable,
    DataError,
    NotAuthenticated,
    PermissionDenied,
)
from ipec.monitoring.models import Case, Child, FollowUp, Household, Referral, RemediationService
from ipec.web.api.common import RecordId
from ipec.web.refusals import remember_principal

__all__ = [
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "CaseToChange",
    "CaseToRead",
    "ChildToChange",
    "ChildToRead",
    "CurrentPrincipal",
    "DbSession",
    "FollowUpToChange",
    "FollowUpToRead",
    "HouseholdToChange",
    "HouseholdToRead",
    "ReferralToChange",
    "ServiceToChange",
    "case_to_change",
    "case_to_read",
    "check_csrf",
    "child_to_change",
    "child_to_read",
    "csrf_matches",
    "follow_up_to_change",
    "follow_up_to_read",
    "forget_session_cookie",
    "household_to_change",
    "household_to_read",
    "origin",
    "principal",
    "referral_to_change",
    "service_to_change",
    "session",
    "session_user",
    "set_session_cookie",
]

#: The cookie that carries a browser's session token.
SESSION_COOKIE = "ipec_session"
#: Methods that read only: they need no anti-forgery token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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


def csrf_matches(request: Request, token: str, sent: str) -> bool:
    """Whether ``sent`` is the anti-forgery token of the session ``token`` (a read needs none)."""
    if request.method in SAFE_METHODS:
        return True
    expected = csrf_token(request.app.state.settings.secret_key, token)
    return hmac.compare_digest(expected, sent)


def check_csrf(request: Request, token: str) -> None:
    """Refuse a change made with the session cookie without the session's anti-forgery token."""
    if not csrf_matches(request, token, request.headers.get("x-csrf-token", "")):
        raise PermissionDenied(
            "a change made with the session cookie needs the X-CSRF-Token header",
            hint="send the csrf_token returned at sign-in",
        )


def session_user(db: Session, token: str) -> User:
    """The user of the browser session ``token`` (the cookie's value, empty when absent)."""
    if not token:
        raise NotAuthenticated(
            "sign in: send 'Authorization: Bearer <token>' or sign in at /api/v1/session"
        )
    try:
        return user_for_session(db, token)
    except PermissionDenied:
        raise NotAuthenticated("the session has ended: sign in again") from None


def set_session_cookie(response: Response, token: str) -> None:
    """Give the browser its session: Secure, HttpOnly, SameSite=Strict, for the whole site."""
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, secure=True,
                        httponly=True, samesite="strict", path="/")  # fmt: skip


def forget_session_cookie(response: Response) -> None:
    """Make the browser drop its session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True,
                           samesite="strict")  # fmt: skip


def principal(request: Request, db: DbSession) -> Principal:
    """The user behind the request's bearer token or session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if header:
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("sign in: send 'Authorization: Bearer <token>'")
        try:
            user = user_for_token(db, token.strip())
        except PermissionDenied:
            raise NotAuthenticated("invalid, expired or revoked token") from None
        found = principal_of(db, user)
        remember_principal(request, found)
        return found
    cookie = request.cookies.get(SESSION_COOKIE, "")
    user = session_user(db, cookie)
    found = principal_of(db, user)
    remember_principal(request, found)  # a forged change below is a refusal worth logging
    check_csrf(request, cookie)
    return found


CurrentPrincipal = Annotated[Principal, Depends(principal)]


# The records of the API's routes, through the gate. Each reads the id from the path (by the
# parameter's name), so a route declares the record and not the id.


def child_to_read(
    child_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> Child:
    """The child of the path, for reading (audit-logged)."""
    return access_child(db, who, child_id, Operation.READ, origin=origin(request))


def child_to_change(
    child_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> Child:
    """The child of the path, for a change (a viewer is refused; audit-logged)."""
    return access_child(db, who, child_id, Operation.CHANGE, origin=origin(request))


def household_to_read(
    household_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> Household:
    """The household of the path, for reading (with its children's records; audit-logged)."""
    return access_household(db, who, household_id, Operation.READ, origin=origin(request))


def household_to_change(
    household_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> Household:
    """The household of the path, for a change (a viewer is refused; audit-logged)."""
    return access_household(db, who, household_id, Operation.CHANGE, origin=origin(request))


def case_to_read(case_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal) -> Case:
    """The case of the path, for reading, through the gate of its child."""
    return access_case(db, who, case_id, Operation.READ, origin=origin(request))


def case_to_change(
    case_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> Case:
    """The case of the path, for a change, through the gate of its child."""
    return access_case(db, who, case_id, Operation.CHANGE, origin=origin(request))


def service_to_change(
    service_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> RemediationService:
    """The remediation service of the path, for a change, through the gate of its case."""
    return access_case_record(db, who, RemediationService, service_id, what="service",
                              operation=Operation.CHANGE, origin=origin(request))  # fmt: skip


def referral_to_change(
    referral_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> Referral:
    """The referral of the path, for a change, through the gate of its case."""
    return access_case_record(db, who, Referral, referral_id, what="referral",
                              operation=Operation.CHANGE, origin=origin(request))  # fmt: skip


def follow_up_to_read(
    follow_up_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> FollowUp:
    """The follow-up of the path, for reading, through the gate of its case."""
    return access_case_record(db, who, FollowUp, follow_up_id, what="follow-up",
                              operation=Operation.READ, origin=origin(request))  # fmt: skip


def follow_up_to_change(
    follow_up_id: RecordId, request: Request, db: DbSession, who: CurrentPrincipal
) -> FollowUp:
    """The follow-up of the path, for a change, through the gate of its case."""
    return access_case_record(db, who, FollowUp, follow_up_id, what="follow-up",
                              operation=Operation.CHANGE, origin=origin(request))  # fmt: skip


ChildToRead = Annotated[Child, Depends(child_to_read)]
ChildToChange = Annotated[Child, Depends(child_to_change)]
HouseholdToRead = Annotated[Household, Depends(household_to_read)]
HouseholdToChange = Annotated[Household, Depends(household_to_change)]
CaseToRead = Annotated[Case, Depends(case_to_read)]
CaseToChange = Annotated[Case, Depends(case_to_change)]
ServiceToChange = Annotated[RemediationService, Depends(service_to_change)]
ReferralToChange = Annotated[Referral, Depends(referral_to_change)]
FollowUpToRead = Annotated[FollowUp, Depends(follow_up_to_read)]
FollowUpToChange = Annotated[FollowUp, Depends(follow_up_to_change)]

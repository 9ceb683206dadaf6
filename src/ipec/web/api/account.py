"""Signing in and out (session cookie for browsers), API tokens for machines, and the audit
log for administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ipec.auth import (
    close_session,
    csrf_token,
    issue_token,
    list_tokens,
    read_audit_log,
    revoke_token,
)
from ipec.auth.models import ApiToken, User
from ipec.auth.service import token_works
from ipec.web.api.common import Page, PerPage, RecordId
from ipec.web.api.schemas import AuditOut, LoginIn, MeOut, TokenIn, TokenInfoOut, TokenOut
from ipec.web.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    DbSession,
    check_csrf,
    forget_session_cookie,
    origin,
    set_session_cookie,
)
from ipec.web.signin import sign_in as check_sign_in

__all__ = ["router", "token_info"]

router = APIRouter(tags=["account"])


@router.post("/session", response_model=MeOut)
async def sign_in(body: LoginIn, request: Request, response: Response) -> MeOut:
    """Sign in with a username and password; the session cookie is Secure, HttpOnly and
    SameSite=Strict. Five wrong passwords in a row make the account wait 30 s, doubling with
    each further failure (up to an hour, or until an administrator unlocks it); more than a
    few attempts a minute from one address are refused (429) before any password is checked."""
    signed_in = await check_sign_in(request, username=body.username, password=body.password)
    set_session_cookie(response, signed_in.session_token)
    secret = request.app.state.settings.secret_key
    return MeOut(username=signed_in.username, role=signed_in.role, area_id=signed_in.area_id,
                 csrf_token=csrf_token(secret, signed_in.session_token))  # fmt: skip


@router.delete("/session", status_code=204)
def sign_out(request: Request, response: Response, db: DbSession) -> None:
    """Sign out: the session ends on the server and the cookie is removed (with the session's
    X-CSRF-Token, so another site cannot sign the user out)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_csrf(request, token)
        close_session(db, token, origin=origin(request))
    forget_session_cookie(response)


@router.get("/me", response_model=MeOut)
def me(request: Request, db: DbSession, who: CurrentPrincipal) -> MeOut:
    """Who is signed in, their role and the area that bounds what they see; for a browser
    session, its anti-forgery token again (the cookie itself cannot be read by scripts)."""
    user = db.get(User, who.user_id)
    assert user is not None
    cookie = request.cookies.get(SESSION_COOKIE)
    csrf = None
    if cookie and "authorization" not in request.headers:
        csrf = csrf_token(request.app.state.settings.secret_key, cookie)
    return MeOut(username=who.username, role=who.role, area_id=user.area_id, csrf_token=csrf)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def new_token(request: Request, body: TokenIn, db: DbSession, who: CurrentPrincipal) -> TokenOut:
    """A new API token for the signed-in user (shown once), working ``days`` days (90 unless
    asked, at most 365) and until the user's password changes or they are deactivated."""
    user = db.get(User, who.user_id)
    assert user is not None
    token = issue_token(db, user=user, label=body.label, days=body.days, origin=origin(request))
    issued = list_tokens(db, user=user)[0]  # the newest
    return TokenOut(token=token, label=body.label, expires_at=issued.expires_at)


@router.get("/tokens", response_model=list[TokenInfoOut])
def my_tokens(db: DbSession, who: CurrentPrincipal) -> list[TokenInfoOut]:
    """The signed-in user's API tokens, newest first (never the tokens themselves)."""
    user = db.get(User, who.user_id)
    assert user is not None
    return [token_info(token, user) for token in list_tokens(db, user=user)]


@router.delete("/tokens/{token_id}", response_model=TokenInfoOut)
def revoke_my_token(
    request: Request, token_id: RecordId, db: DbSession, who: CurrentPrincipal
) -> TokenInfoOut:
    """Revoke one of the signed-in user's tokens; it stops working at once."""
    user = db.get(User, who.user_id)
    assert user is not None
    revoked = revoke_token(db, user=user, token_id=token_id, origin=origin(request))
    return token_info(revoked, user)


def token_info(token: ApiToken, user: User) -> TokenInfoOut:
    """What the API says about a token: never the token, whether it still works."""
    return TokenInfoOut(id=token.id, label=token.label, created_at=token.created_at,
                        expires_at=token.expires_at, revoked=token.revoked,
                        works=token_works(token, user))  # fmt: skip


@router.get("/audit", response_model=list[AuditOut])
def read_audit(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> list[AuditOut]:
    """The audit log, newest first (administrators of the whole programme)."""
    entries = read_audit_log(db, who, actor=actor, entity=entity, entity_id=entity_id,
                             page=page, per_page=per_page, origin=origin(request))  # fmt: skip
    return [AuditOut.model_validate(entry) for entry in entries]

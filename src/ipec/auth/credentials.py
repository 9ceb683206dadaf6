"""What a manager does to another user's credentials: end a sign-in wait, and list and revoke
their API tokens. Within the manager's scope, and only an administrator touches an
administrator's (``user_to_change``); every action is audit-logged."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.access import Principal
from ipec.auth.models import ApiToken, User
from ipec.auth.service import user_to_change
from ipec.errors import NotFound
from ipec.monitoring.audit import write_audit

__all__ = ["revoke_user_token", "unlock_user", "user_tokens"]


def unlock_user(
    session: Session, manager: Principal, user_id: int, *, origin: str | None = None
) -> User:
    """End the user's sign-in wait and forget their failed attempts (audit-logged)."""
    user = user_to_change(session, manager, user_id)
    waiting = user.locked_until.isoformat() if user.locked_until else None
    detail = {"failures": user.failed_logins, "waiting_until": waiting}
    user.failed_logins = 0
    user.locked_until = None
    write_audit(session, actor=manager.username, action="user.unlock", entity="user",
                entity_id=user.id, origin=origin, detail=detail)  # fmt: skip
    session.flush()
    return user


def user_tokens(
    session: Session, manager: Principal, user_id: int, *, origin: str | None = None
) -> list[ApiToken]:
    """The user's API tokens, newest first, for a manager (never the tokens themselves)."""
    user = user_to_change(session, manager, user_id)
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def revoke_user_token(
    session: Session,
    manager: Principal,
    user_id: int,
    token_id: int,
    *,
    origin: str | None = None,
) -> ApiToken:
    """Revoke one of the user's API tokens: it stops working at once (audit-logged); a token
    of another user is not found."""
    user = user_to_change(session, manager, user_id)
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"token {token_id} of user {user_id} not found")
    token.revoked = True
    write_audit(session, actor=manager.username, action="token.revoke", entity="user",
                entity_id=user.id, origin=origin, detail={"token": token_id})  # fmt: skip
    session.flush()
    return token

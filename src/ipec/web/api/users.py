"""A manager's hold on other users' credentials: their API tokens (listed, revoked) and their
sign-in wait (ended). Within the manager's scope; an administrator's only by an administrator."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ipec.auth.credentials import revoke_user_token, unlock_user, user_tokens
from ipec.auth.models import User
from ipec.web.api.account import token_info
from ipec.web.api.common import RecordId
from ipec.web.api.schemas import TokenInfoOut
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["users"])


@router.get("/users/{user_id}/tokens", response_model=list[TokenInfoOut])
def tokens_of(
    request: Request, user_id: RecordId, db: DbSession, who: CurrentPrincipal
) -> list[TokenInfoOut]:
    """A user's API tokens, newest first, with whether each still works (never the tokens)."""
    tokens = user_tokens(db, who, user_id, origin=origin(request))
    user = db.get(User, user_id)
    assert user is not None
    return [token_info(token, user) for token in tokens]


@router.delete("/users/{user_id}/tokens/{token_id}", response_model=TokenInfoOut)
def revoke_token_of(
    request: Request, user_id: RecordId, token_id: RecordId, db: DbSession, who: CurrentPrincipal
) -> TokenInfoOut:
    """Revoke one of a user's API tokens: it stops working at once (audit-logged)."""
    token = revoke_user_token(db, who, user_id, token_id, origin=origin(request))
    user = db.get(User, user_id)
    assert user is not None
    return token_info(token, user)


@router.post("/users/{user_id}/unlock", status_code=204)
def unlock(request: Request, user_id: RecordId, db: DbSession, who: CurrentPrincipal) -> None:
    """End a user's sign-in wait after failed attempts, and forget them (audit-logged)."""
    unlock_user(db, who, user_id, origin=origin(request))

"""A user's credentials on their administration page: end their sign-in wait, revoke their API
tokens. The page itself (``/admin/users/{id}``) shows them; these are its buttons."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipec.auth.credentials import revoke_user_token, unlock_user, user_tokens
from ipec.auth.models import User
from ipec.auth.service import token_works
from ipec.web.api.common import RecordId
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import SignedIn, Viewer

__all__ = ["credentials_context", "router"]

router = APIRouter(include_in_schema=False)


def credentials_context(session: Session, viewer: Viewer, user: User) -> dict[str, Any]:
    """What the user page shows of a user's credentials: their tokens (with whether each
    still works) and whether they wait after failed sign-ins."""
    tokens = user_tokens(session, viewer.principal, user.id)
    locked = user.locked_until
    waiting = locked is not None and locked.replace(tzinfo=locked.tzinfo or UTC) > datetime.now(UTC)
    return {
        "tokens": [(token, token_works(token, user)) for token in tokens],
        "waiting": waiting,
        "failures": user.failed_logins,
    }


@router.post("/admin/users/{user_id}/unlock")
def unlock(request: Request, db: DbSession, viewer: SignedIn, user_id: RecordId) -> Response:
    """End the user's sign-in wait (audit-logged)."""
    unlock_user(db, viewer.principal, user_id, origin=origin(request))
    return RedirectResponse(f"/admin/users/{user_id}?saved=1", status_code=303)


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def revoke(
    request: Request, db: DbSession, viewer: SignedIn, user_id: RecordId, token_id: RecordId
) -> Response:
    """Revoke one of the user's API tokens (audit-logged)."""
    revoke_user_token(db, viewer.principal, user_id, token_id, origin=origin(request))
    return RedirectResponse(f"/admin/users/{user_id}?saved=1#tokens", status_code=303)

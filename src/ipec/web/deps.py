"""Typed dependencies: a database session per request, and the signed-in principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ipec.auth import Principal, principal_of, user_for_token
from ipec.errors import NotAuthenticated, PermissionDenied

__all__ = ["CurrentPrincipal", "DbSession", "principal", "session"]


def session(request: Request) -> Iterator[Session]:
    """One session and transaction per request: committed on success, rolled back on error."""
    factory = request.app.state.sessions
    with factory() as opened, opened.begin():
        yield opened


DbSession = Annotated[Session, Depends(session)]


def principal(request: Request, db: DbSession) -> Principal:
    """The user behind the request's bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("sign in: send 'Authorization: Bearer <token>'")
    try:
        user = user_for_token(db, token.strip())
    except PermissionDenied:
        raise NotAuthenticated("invalid or revoked token") from None
    return principal_of(db, user)


CurrentPrincipal = Annotated[Principal, Depends(principal)]

"""Who a command acts as, and the areas their forms list: the command line has no sign-in,
so it names the user, and the access gate scopes what it does as it scopes their pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.access import Principal, principal_of
from ipec.auth.models import User
from ipec.errors import NotFound, PermissionDenied
from ipec.monitoring.models import Area

__all__ = ["areas_under", "principal_named"]


def principal_named(session: Session, username: str) -> Principal:
    """The principal of the active user ``username`` (``NotFound`` when there is none)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"no user {username.strip()!r}", hint="ipec users create makes one")
    if not user.active:
        raise PermissionDenied(f"user {user.username} is deactivated")
    return principal_of(session, user)


def areas_under(session: Session, path: str) -> list[Area]:
    """Every area of the subtree at ``path`` ("/" for the whole programme), by path."""
    query = select(Area).where(Area.path.startswith(path, autoescape=True)).order_by(Area.path)
    return list(session.scalars(query))

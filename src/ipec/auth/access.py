"""The one gate every read and change of a child's record passes through.

A user sees the children of households in their area's subtree and nothing else: a child
outside it is reported as not found (the two are never told apart). Viewers may read but not
change. Every read and every change is written to the audit log with who, what, when and from
where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ipec.auth.models import Role, User
from ipec.errors import NotFound, PermissionDenied
from ipec.monitoring.models import Area, AuditEntry, Child, Household

__all__ = ["Operation", "Principal", "access_child", "children_in_scope", "principal_of"]


class Operation(StrEnum):
    READ = "read"
    CHANGE = "change"


_MAY_CHANGE = {Role.ADMIN, Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.MONITOR}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: their name for the audit log, role, and the path of their area."""

    user_id: int
    username: str
    role: Role
    scope_path: str


def principal_of(session: Session, user: User) -> Principal:
    """The principal of a signed-in user (their area's path bounds what they see)."""
    area = session.get(Area, user.area_id)
    if area is None:
        raise NotFound(f"area {user.area_id} of user {user.username} not found")
    return Principal(user.id, user.username, user.role, area.path)


def children_in_scope(principal: Principal) -> Select[Child]:
    """A query of the children the principal may see (to be refined by the caller)."""
    return (
        select(Child)
        .join(Household, Household.id == Child.household_id)
        .join(Area, Area.id == Household.area_id)
        .where(Area.path.startswith(principal.scope_path, autoescape=True))
    )


def access_child(
    session: Session,
    principal: Principal,
    child_id: int,
    operation: Operation = Operation.READ,
    *,
    origin: str | None = None,
) -> Child:
    """The child, if the principal may do ``operation`` on it; the access is audit-logged."""
    child = session.scalars(children_in_scope(principal).where(Child.id == child_id)).first()
    if child is None:
        raise NotFound(f"child {child_id} not found")
    if operation is Operation.CHANGE and principal.role not in _MAY_CHANGE:
        raise PermissionDenied(f"a {principal.role.value} may read but not change records")
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            actor=principal.username,
            action=f"child.{operation.value}",
            entity="child",
            entity_id=child.id,
            origin=origin,
            detail={},
        )
    )
    session.flush()
    return child

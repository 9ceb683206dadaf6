"""A user's team, and the gates of assigning follow-ups and of naming a visit's monitor.

A principal's team is the active users who may record visits (not viewers) whose area lies
in the principal's subtree (an administrator of the whole programme's team includes the
administrators without an area). Supervisors, programme managers and administrators
(:data:`ASSIGN_ROLES`) assign an area's monitor and a follow-up's assignee, for an area of
their subtree, to a member of their team whose own subtree holds the area; monitors and
viewers do not. A visit's monitor is the user who records it; a supervisor or above may
record a visit for a member of their team (say, from a paper form), naming them.

The writes are ``ipec.monitoring.service``'s; what a follow-up's assignment means, its
inheritance down the areas, ``ipec.monitoring.assignment``'s.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ipec.auth.access import CHANGE_ROLES, Principal, require_role
from ipec.auth.models import Role, User
from ipec.errors import DataError, NotFound, PermissionDenied
from ipec.monitoring.models import Area
from ipec.monitoring.scope import WHOLE_PROGRAMME

__all__ = [
    "ASSIGN_ROLES",
    "assignee_for",
    "may_assign",
    "member_of_team",
    "team_for",
    "team_of",
    "users_by_id",
    "visit_monitor",
    "whose_week",
]

#: Roles that assign follow-ups (an area's monitor, a follow-up's assignee).
ASSIGN_ROLES = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.SUPERVISOR})


def may_assign(principal: Principal) -> bool:
    """Whether the principal assigns follow-ups (supervisors and above)."""
    return principal.role in ASSIGN_ROLES


def _team(principal: Principal) -> Select[User, str]:
    """The principal's team with each member's area path (None: the whole programme)."""
    inside = Area.path.startswith(principal.scope_path, autoescape=True)
    whole = principal.scope_path == WHOLE_PROGRAMME
    where = or_(inside, User.area_id.is_(None)) if whole else inside
    return (
        select(User, Area.path)
        .outerjoin(Area, Area.id == User.area_id)
        .where(User.active.is_(True), User.role.in_(CHANGE_ROLES), where)
    )


def team_of(session: Session, principal: Principal) -> list[User]:
    """The principal's team, by name."""
    query = _team(principal).order_by(User.display_name, User.id)
    return [row.User for row in session.execute(query)]


def team_for(session: Session, principal: Principal, areas: list[Area]) -> dict[int, list[User]]:
    """For each area, the members of the principal's team who work in it (their subtree
    holds it: whom its follow-ups may be assigned to), by name."""
    members = session.execute(_team(principal).order_by(User.display_name, User.id)).all()
    return {
        area.id: [row.User for row in members if area.path.startswith(row.path or WHOLE_PROGRAMME)]
        for area in areas
    }


def member_of_team(
    session: Session, principal: Principal, *, user_id: int | None = None,
    username: str | None = None,
) -> tuple[User, str]:  # fmt: skip
    """The member of the principal's team with this id (or username), with the path of the
    subtree they see; anyone else is not found."""
    query = _team(principal)
    if user_id is not None:
        query = query.where(User.id == user_id)
    if username is not None:
        query = query.where(User.username == username.strip().lower())
    found = session.execute(query).first()
    if found is None:
        who = user_id if username is None else username
        raise NotFound(f"user {who} not found in your areas' team",
                       hint="choose an active user of your areas, not a viewer")  # fmt: skip
    return found.User, found.path or WHOLE_PROGRAMME


def assignee_for(
    session: Session, principal: Principal, *, user_id: int | None, area: Area, doing: str
) -> User | None:
    """User ``user_id``, if the principal may assign them the follow-ups of ``area`` (an area
    of the principal's subtree, which the caller checked): the principal is a supervisor or
    above, the user is of their team and sees the area. None (taking an assignment away)
    needs the role alone."""
    require_role(principal, ASSIGN_ROLES, doing)
    if user_id is None:
        return None
    user, path = member_of_team(session, principal, user_id=user_id)
    if not area.path.startswith(path):
        raise DataError(f"user {user.username} does not work in {area.name}: their areas do not "
                        "include it", column="user_id",
                        hint="choose a user of the area or of an area above it")  # fmt: skip
    return user


def visit_monitor(session: Session, principal: Principal, named: str | None) -> str:
    """Who a visit the principal records was made by (its ``monitor``): the principal,
    unless a supervisor or above names a member of their team (by username)."""
    if named is None or named.strip().lower() == principal.username:
        return principal.username
    if principal.role not in ASSIGN_ROLES:
        raise PermissionDenied(
            f"a {principal.role.value} records their own visits, not {named.strip()}'s",
            hint="leave the monitor out (it is the signed-in user), or sign in as the monitor",
        )
    user, _path = member_of_team(session, principal, username=named)
    return user.username


def whose_week(session: Session, principal: Principal, monitor_id: int | None) -> int | None:
    """The user whose week the principal reads (None: the whole team's). A monitor reads
    their own; the others read their team's, or one member's (``monitor_id``)."""
    if principal.role is Role.MONITOR:
        if monitor_id not in (None, principal.user_id):
            raise PermissionDenied("a monitor reads their own week",
                                   hint="leave monitor_id out")  # fmt: skip
        return principal.user_id
    if monitor_id is not None:
        member_of_team(session, principal, user_id=monitor_id)
    return monitor_id


def users_by_id(session: Session, user_ids: Iterable[int | None]) -> dict[int, User]:
    """The users of ``user_ids`` (Nones left out), by id, for their names."""
    wanted = sorted({user_id for user_id in user_ids if user_id is not None})
    if not wanted:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(wanted)))}

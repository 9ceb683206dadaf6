"""Managing users: who may grant what, where, and the audit rows of each change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Principal, Role, User, create_user, open_session, principal_of
from ipec.auth.service import (
    UserRuleBroken,
    add_user,
    list_users,
    update_user,
    user_for_session,
)
from ipec.errors import Conflict, DataError, NotFound, PermissionDenied
from ipec.monitoring import AuditEntry
from ipec.monitoring.service import create_area

PASSWORD = "correct horse battery staple"


def _world(session: Session) -> dict[str, User]:
    """Country > A, B; an administrator of the country, a manager and a monitor of A, an
    administrator of B."""
    country = create_area(session, name="Country", level="country")
    a = create_area(session, name="A", level="district", parent_id=country.id)
    b = create_area(session, name="B", level="district", parent_id=country.id)
    made = {}
    for name, role, area in (("root", Role.ADMIN, country), ("manager", Role.PROGRAMME_MANAGER, a),
                             ("monitor", Role.MONITOR, a), ("b_admin", Role.ADMIN, b)):  # fmt: skip
        made[name] = create_user(session, username=name, display_name=name, password=PASSWORD,
                                 role=role, area_id=area.id)  # fmt: skip
    return made


def _as(session: Session, user: User) -> Principal:
    return principal_of(session, user)


def _audit(session: Session, action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(query))


def test_adding_users_within_scope_and_rights(session: Session) -> None:
    users = _world(session)
    manager = _as(session, users["manager"])
    a_id, b_id = users["monitor"].area_id, users["b_admin"].area_id
    made = add_user(
        session,
        manager,
        username=" New.Sup ",
        display_name="Sup",
        password=PASSWORD,
        role=Role.SUPERVISOR,
        area_id=a_id,
        origin="10.0.0.1",
    )
    assert (made.username, made.role, made.area_id) == ("new.sup", Role.SUPERVISOR, a_id)
    [entry] = _audit(session, "user.create")
    assert (entry.actor, entry.entity_id, entry.origin) == ("manager", made.id, "10.0.0.1")
    with pytest.raises(UserRuleBroken) as refused:
        add_user(session, manager, username="x1", display_name="X", password=PASSWORD,
                 role=Role.ADMIN, area_id=a_id)  # fmt: skip
    assert refused.value.rule == "admin_role"
    with pytest.raises(NotFound):
        add_user(session, manager, username="x2", display_name="X", password=PASSWORD,
                 role=Role.MONITOR, area_id=b_id)  # fmt: skip
    with pytest.raises(PermissionDenied):
        add_user(session, _as(session, users["monitor"]), username="x3", display_name="X",
                 password=PASSWORD, role=Role.VIEWER, area_id=a_id)  # fmt: skip
    with pytest.raises(Conflict):
        add_user(session, manager, username="monitor", display_name="X", password=PASSWORD,
                 role=Role.VIEWER, area_id=a_id)  # fmt: skip
    for field, fields in (("username", {"username": "no spaces"}),
                          ("display_name", {"display_name": " "}),
                          ("password", {"password": "short"})):  # fmt: skip
        given = {"username": "x4", "display_name": "X", "password": PASSWORD, **fields}
        with pytest.raises(DataError) as wrong:
            add_user(session, manager, role=Role.VIEWER, area_id=a_id, **given)
        assert wrong.value.column == field
    root = _as(session, users["root"])
    assert add_user(session, root, username="admin2", display_name="A2", password=PASSWORD,
                    role=Role.ADMIN, area_id=b_id).role is Role.ADMIN  # fmt: skip
    assert len(_audit(session, "user.create")) == 2


def test_listing_users_of_the_scope(session: Session) -> None:
    users = _world(session)
    names = [user.username for user, _ in list_users(session, _as(session, users["manager"]))]
    assert names == ["manager", "monitor"]
    everyone = list_users(session, _as(session, users["root"]), per_page=2)
    assert [user.username for user, _ in everyone] == ["b_admin", "manager", "monitor"]
    assert len(_audit(session, "user.list")) == 2
    with pytest.raises(PermissionDenied):
        list_users(session, _as(session, users["monitor"]))


def test_updating_users(session: Session) -> None:
    users = _world(session)
    manager, root = _as(session, users["manager"]), _as(session, users["root"])
    monitor = users["monitor"]
    token = open_session(session, user=monitor, now=datetime.now(UTC))
    update_user(session, manager, monitor.id, role=Role.SUPERVISOR)
    update_user(session, manager, monitor.id, active=False, origin="10.0.0.2")
    assert (monitor.role, monitor.active) == (Role.SUPERVISOR, False)
    with pytest.raises(PermissionDenied):
        user_for_session(session, token)  # the session ended
    entries = _audit(session, "user.update")
    assert [entry.detail for entry in entries] == [
        {"changes": {"role": {"from": "monitor", "to": "supervisor"}}},
        {"changes": {"active": {"from": True, "to": False}}},
    ]
    update_user(session, manager, monitor.id, active=True)
    assert monitor.active
    with pytest.raises(UserRuleBroken) as grant:
        update_user(session, manager, monitor.id, role=Role.ADMIN)
    assert grant.value.rule == "admin_role"
    with pytest.raises(NotFound):
        update_user(session, manager, monitor.id, area_id=users["b_admin"].area_id)
    with pytest.raises(NotFound):  # a user outside the manager's areas
        update_user(session, manager, users["b_admin"].id, active=False)
    with pytest.raises(UserRuleBroken) as itself:
        update_user(session, root, users["root"].id, active=False)
    assert itself.value.rule == "self"
    # A manager of the whole country still may not change an administrator.
    update_user(session, root, users["manager"].id, area_id=users["root"].area_id)
    with pytest.raises(UserRuleBroken) as admins:
        update_user(session, _as(session, users["manager"]), users["b_admin"].id, active=False)
    assert admins.value.rule == "admin_user"
    assert monitor.role is Role.SUPERVISOR

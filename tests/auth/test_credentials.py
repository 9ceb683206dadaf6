"""API tokens end with what should end them (expiry, a password change, a deactivation), and
a manager lists and revokes another user's tokens and ends their sign-in wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Principal, Role, User, create_user, issue_token, passwords, principal_of
from ipec.auth.credentials import revoke_user_token, unlock_user, user_tokens
from ipec.auth.service import UserRuleBroken, change_password, update_user, user_for_token
from ipec.errors import AccountLocked, DataError, NotFound, PermissionDenied
from ipec.monitoring import AuditEntry
from ipec.monitoring.service import create_area

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its smallest cost: these tests check many passwords, not the cost."""
    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64,
                                                             parallelism=1))  # fmt: skip


def _world(session: Session) -> dict[str, User]:
    """Country > A, B: an administrator of the country, a manager and a monitor of A, a
    monitor of B."""
    country = create_area(session, name="Country", level="country")
    a = create_area(session, name="A", level="district", parent_id=country.id)
    b = create_area(session, name="B", level="district", parent_id=country.id)
    made = {}
    people = (("root", Role.ADMIN, country), ("manager", Role.PROGRAMME_MANAGER, a),
              ("monitor", Role.MONITOR, a), ("b_monitor", Role.MONITOR, b))  # fmt: skip
    for name, role, area in people:
        made[name] = create_user(session, username=name, display_name=name, password=PASSWORD,
                                 role=role, area_id=area.id)  # fmt: skip
    return made


def _as(session: Session, user: User) -> Principal:
    return principal_of(session, user)


def test_a_token_expires(session: Session) -> None:
    monitor = _world(session)["monitor"]
    token = issue_token(session, user=monitor, label="odk", now=NOW, days=7)
    assert user_for_token(session, token, now=NOW + timedelta(days=6)).id == monitor.id
    with pytest.raises(PermissionDenied, match="invalid, expired or revoked token"):
        user_for_token(session, token, now=NOW + timedelta(days=7, seconds=1))
    with pytest.raises(DataError, match="column 'days': a token works 1 to 365 days, not 366"):
        issue_token(session, user=monitor, label="forever", days=366)


def test_a_password_change_ends_every_token(session: Session) -> None:
    monitor = _world(session)["monitor"]
    token = issue_token(session, user=monitor, label="odk")
    change_password(session, user=monitor, current=PASSWORD, new="a brand new passphrase")
    with pytest.raises(PermissionDenied, match="invalid, expired or revoked token"):
        user_for_token(session, token)
    fresh = issue_token(session, user=monitor, label="after the change")
    assert user_for_token(session, fresh).id == monitor.id


def test_reactivating_a_user_does_not_revive_old_tokens(session: Session) -> None:
    users = _world(session)
    root, monitor = _as(session, users["root"]), users["monitor"]
    token = issue_token(session, user=monitor, label="odk")
    update_user(session, root, monitor.id, active=False)
    update_user(session, root, monitor.id, active=True)
    with pytest.raises(PermissionDenied, match="invalid, expired or revoked token"):
        user_for_token(session, token)


def test_wrong_current_passwords_count_and_then_wait(session: Session) -> None:
    monitor = _world(session)["monitor"]
    for _ in range(5):
        with pytest.raises(PermissionDenied, match="the current password is wrong"):
            change_password(session, user=monitor, current="a wrong guess!", new="x" * 12)
    assert monitor.failed_logins == 5
    assert monitor.locked_until is not None
    # Even the right password waits now: a borrowed session cannot guess freely.
    with pytest.raises(AccountLocked, match="waits"):
        change_password(session, user=monitor, current=PASSWORD, new="a brand new passphrase")
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "monitor"))
    assert list(actions).count("password.failure") == 5


def test_a_manager_lists_and_revokes_the_tokens_of_their_users(session: Session) -> None:
    users = _world(session)
    manager, monitor = _as(session, users["manager"]), users["monitor"]
    token = issue_token(session, user=monitor, label="odk")
    listed = user_tokens(session, manager, monitor.id)
    assert [t.label for t in listed] == ["odk"]
    revoke_user_token(session, manager, monitor.id, listed[0].id, origin="10.1.1.1")
    with pytest.raises(PermissionDenied):
        user_for_token(session, token)
    row = session.scalars(select(AuditEntry).where(AuditEntry.action == "token.revoke")).one()
    assert (row.actor, row.entity_id, row.detail) == (
        "manager",
        monitor.id,
        {"token": listed[0].id},
    )


def test_managers_reach_only_their_users(session: Session) -> None:
    users = _world(session)
    manager = _as(session, users["manager"])
    root_token = issue_token(session, user=users["root"], label="root's")
    b_token = issue_token(session, user=users["b_monitor"], label="b's")
    with pytest.raises(NotFound, match=f"user {users['b_monitor'].id} not found"):
        user_tokens(session, manager, users["b_monitor"].id)
    with pytest.raises(NotFound):
        unlock_user(session, manager, users["root"].id)  # the country is above the manager
    root = _as(session, users["root"])
    monitor_id = users["monitor"].id
    b_token_id = user_tokens(session, root, users["b_monitor"].id)[0].id
    with pytest.raises(NotFound, match=f"token {b_token_id} of user {monitor_id} not found"):
        revoke_user_token(session, root, monitor_id, b_token_id)
    assert user_for_token(session, b_token).username == "b_monitor"
    assert user_for_token(session, root_token).username == "root"


def test_an_administrator_is_changed_only_by_an_administrator(session: Session) -> None:
    users = _world(session)
    a_admin = create_user(session, username="a_admin", display_name="A admin",
                          password=PASSWORD, role=Role.ADMIN,
                          area_id=users["monitor"].area_id)  # fmt: skip
    with pytest.raises(UserRuleBroken, match="only an administrator"):
        unlock_user(session, _as(session, users["manager"]), a_admin.id)


def test_an_administrator_ends_a_wait(session: Session) -> None:
    users = _world(session)
    monitor = users["monitor"]
    monitor.failed_logins, monitor.locked_until = 9, NOW + timedelta(hours=1)
    unlock_user(session, _as(session, users["root"]), monitor.id, origin="10.1.1.1")
    assert (monitor.failed_logins, monitor.locked_until) == (0, None)
    row = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.unlock")).one()
    assert (row.actor, row.entity_id, row.detail["failures"]) == ("root", monitor.id, 9)

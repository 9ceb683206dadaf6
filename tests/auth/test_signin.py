"""Signing in: a wait that grows with failures (not a fixed lock anyone can trigger), attempts
during a wait not counted, a password changed under a sign-in, and every attempt audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, User, create_user, passwords
from ipec.auth.passwords import hash_password
from ipec.auth.signin import (
    authenticate,
    delay_after,
    settle_sign_in,
    sign_in_candidate,
)
from ipec.errors import AccountLocked, PermissionDenied
from ipec.monitoring import AuditEntry
from ipec.monitoring.service import create_area

PASSWORD = "correct horse battery staple"
WRONG = "not the password at all"
NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its smallest cost: these tests check many passwords, not the cost."""
    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64,
                                                             parallelism=1))  # fmt: skip


def _user(session: Session) -> User:
    area = create_area(session, name="Country", level="country")
    return create_user(session, username="ama", display_name="Ama", password=PASSWORD,
                       role=Role.MONITOR, area_id=area.id)  # fmt: skip


def _fail(session: Session, at: datetime, name: str = "ama") -> None:
    with pytest.raises(PermissionDenied, match="wrong username or password"):
        authenticate(session, username=name, password=WRONG, now=at, origin="10.0.0.9")


def test_the_wait_starts_after_five_failures_and_doubles_up_to_an_hour() -> None:
    assert [delay_after(n).total_seconds() for n in range(7)] == [0, 0, 0, 0, 0, 30, 60]
    assert delay_after(11).total_seconds() == 1920
    assert delay_after(12).total_seconds() == 3600  # 3840 capped at an hour
    assert delay_after(10_000).total_seconds() == 3600


def test_a_stranger_cannot_lock_an_account_for_long(session: Session) -> None:
    user = _user(session)
    for _ in range(5):
        _fail(session, NOW)
    assert user.locked_until is not None
    assert user.locked_until.replace(tzinfo=UTC) == NOW + timedelta(seconds=30)
    # A hundred more guesses during the wait are not counted: the wait does not grow.
    for _ in range(100):
        _fail(session, NOW + timedelta(seconds=10))
    assert user.failed_logins == 5
    # Once the wait is over the owner signs in (and the count is forgotten).
    signed_in = authenticate(session, username="ama", password=PASSWORD,
                             now=NOW + timedelta(seconds=31))  # fmt: skip
    assert (signed_in.failed_logins, signed_in.locked_until) == (0, None)


def test_failures_after_each_wait_double_it(session: Session) -> None:
    user = _user(session)
    moment = NOW
    for _ in range(5):
        _fail(session, moment)
    waits = []
    for _ in range(3):
        assert user.locked_until is not None
        moment = user.locked_until.replace(tzinfo=UTC) + timedelta(seconds=1)
        _fail(session, moment)
        waits.append((user.locked_until.replace(tzinfo=UTC) - moment).total_seconds())
    assert waits == [60, 120, 240]
    with pytest.raises(AccountLocked, match="waits") as waiting:
        authenticate(session, username="ama", password=PASSWORD, now=moment)
    assert waiting.value.hint is not None
    assert "in 241 seconds" in waiting.value.hint


def test_a_password_changed_during_the_check_counts_as_wrong(session: Session) -> None:
    user = _user(session)
    candidate = sign_in_candidate(session, " AMA ")
    assert candidate.user_id == user.id
    user.password_hash = hash_password("another long password")
    session.flush()
    with pytest.raises(PermissionDenied, match="wrong username or password"):
        settle_sign_in(session, candidate, right=True, now=NOW)
    assert user.failed_logins == 1


def test_every_attempt_is_audited(session: Session) -> None:
    user = _user(session)
    _fail(session, NOW, name="nobody-here")
    for _ in range(5):
        _fail(session, NOW)
    _fail(session, NOW + timedelta(seconds=1))  # during the wait
    authenticate(session, username="ama", password=PASSWORD, now=NOW + timedelta(minutes=1))
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    events = [(row.actor, row.action, row.entity_id, row.origin) for row in rows]
    assert events[0] == ("nobody-here", "sign_in.failure", 0, "10.0.0.9")
    assert [action for _, action, _, _ in events[1:]] == (
        ["sign_in.failure"] * 4
        + ["sign_in.lockout", "sign_in.failure", "sign_in.refused", "sign_in.success"]
    )
    assert {entity for _, _, entity, _ in events[1:]} == {user.id}
    assert rows[5].detail == {"failures": 5, "wait_seconds": 30}
    assert rows[-2].detail["right_password"] is False

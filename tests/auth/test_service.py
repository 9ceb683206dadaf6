"""Users: Argon2 hashes, unique names, login throttling, API tokens stored as hashes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import ApiToken, Role, authenticate, create_user, issue_token, user_for_token
from ipec.auth.passwords import hash_password, verify_password
from ipec.errors import AccountLocked, Conflict, DataError, NotFound, PermissionDenied
from ipec.monitoring.service import create_area

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_passwords_are_argon2_hashes() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    with pytest.raises(DataError, match="shorter than 10 characters"):
        hash_password("short")


def test_users_and_throttling(session: Session) -> None:
    area = create_area(session, name="Country", level="country")
    create_user(session, username="Ama", display_name="Ama", password=PASSWORD,
                role=Role.MONITOR, area_id=area.id)  # fmt: skip
    with pytest.raises(Conflict, match="a user named ama already exists"):
        create_user(session, username="ama", display_name="Other", password=PASSWORD,
                    role=Role.VIEWER, area_id=area.id)  # fmt: skip
    with pytest.raises(NotFound, match="area 424242 not found"):
        create_user(session, username="x", display_name="x", password=PASSWORD,
                    role=Role.VIEWER, area_id=424242)  # fmt: skip
    assert authenticate(session, username=" AMA ", password=PASSWORD, now=NOW).username == "ama"
    with pytest.raises(PermissionDenied, match="wrong username or password"):
        authenticate(session, username="nobody", password=PASSWORD, now=NOW)
    for _ in range(5):
        with pytest.raises(PermissionDenied, match="wrong username or password"):
            authenticate(session, username="ama", password="wrong password!", now=NOW)
    # Waiting: only the right password learns it, so a guesser cannot tell a name exists.
    with pytest.raises(PermissionDenied, match="wrong username or password"):
        authenticate(session, username="ama", password="wrong again!", now=NOW)
    with pytest.raises(AccountLocked, match="waits") as waiting:
        authenticate(session, username="ama", password=PASSWORD, now=NOW + timedelta(seconds=5))
    assert waiting.value.hint is not None
    assert "in 26 seconds" in waiting.value.hint
    later = NOW + timedelta(seconds=31)
    assert authenticate(session, username="ama", password=PASSWORD, now=later).failed_logins == 0


def test_tokens_are_kept_as_hashes(session: Session) -> None:
    area = create_area(session, name="Country", level="country")
    user = create_user(session, username="robot", display_name="Import job", password=PASSWORD,
                       role=Role.SUPERVISOR, area_id=area.id)  # fmt: skip
    token = issue_token(session, user=user, label="ODK import", now=NOW)
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert user_for_token(session, token, now=NOW).id == user.id
    stored.revoked = True
    session.flush()
    with pytest.raises(PermissionDenied, match="invalid, expired or revoked token"):
        user_for_token(session, token, now=NOW)
    with pytest.raises(PermissionDenied):
        user_for_token(session, "made-up")

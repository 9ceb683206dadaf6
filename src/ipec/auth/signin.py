"""Signing in, in three steps so that the slow one holds nothing: read the account
(:func:`sign_in_candidate`, a short read), check the password (Argon2, no database), settle
the result (:func:`settle_sign_in`, a short write that counts the failure or clears it).

Failures do not lock an account for a fixed time that anyone can trigger by typing a name:
after :data:`LOCK_AFTER_FAILURES` consecutive failures the account waits, first
:data:`FIRST_DELAY_SECONDS`, and each further failure (made once the wait is over) doubles the
wait up to :data:`MAX_DELAY_SECONDS`. Attempts during a wait do not count. An administrator
ends the wait (``ipec.auth.credentials.unlock_user``). Every attempt is audit-logged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.auth.passwords import hash_password, verify_password
from ipec.errors import AccountLocked, PermissionDenied
from ipec.monitoring.audit import write_audit

__all__ = [
    "FIRST_DELAY_SECONDS",
    "LOCK_AFTER_FAILURES",
    "MAX_DELAY_SECONDS",
    "Candidate",
    "authenticate",
    "check_current_password",
    "delay_after",
    "settle_sign_in",
    "sign_in_candidate",
]

LOCK_AFTER_FAILURES = 5
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600
_REFUSED = "wrong username or password"


def delay_after(failures: int) -> timedelta:
    """How long an account waits after ``failures`` consecutive failed sign-ins: nothing
    before :data:`LOCK_AFTER_FAILURES`, then 30 s doubling with each failure up to an hour."""
    if failures < LOCK_AFTER_FAILURES:
        return timedelta(0)
    doublings = min(failures - LOCK_AFTER_FAILURES, 16)
    return timedelta(seconds=min(FIRST_DELAY_SECONDS * 2**doublings, MAX_DELAY_SECONDS))


@dataclass(frozen=True)
class Candidate:
    """What a sign-in checks the password against: the account (``None``: unknown or
    inactive, checked against a hash of nothing so it takes the same time)."""

    username: str
    user_id: int | None
    password_hash: str


@cache
def _unknown_user_hash() -> str:
    """A hash to check passwords of unknown users against, so both take the same time."""
    return hash_password(secrets.token_urlsafe(16))


def sign_in_candidate(session: Session, username: str) -> Candidate:
    """The account a sign-in names (a short read, no lock held afterwards)."""
    name = username.strip().lower()
    user = session.scalar(select(User).where(User.username == name))
    if user is None or not user.active:
        return Candidate(name[:100], None, _unknown_user_hash())
    return Candidate(name, user.id, user.password_hash)


def _waiting_until(user: User, moment: datetime) -> datetime | None:
    locked = user.locked_until
    if locked is None:
        return None
    locked = locked.replace(tzinfo=locked.tzinfo or UTC)
    return locked if locked > moment else None


def settle_sign_in(
    session: Session,
    candidate: Candidate,
    *,
    right: bool,
    now: datetime | None = None,
    origin: str | None = None,
) -> User:
    """The user when ``right`` (the password matched the candidate's hash); otherwise count the
    failure and refuse. The user's row is locked, so concurrent failures are all counted; a
    password changed since the candidate was read counts as wrong. A waiting account says so
    only to the right password: names cannot be probed. Audit-logged in the caller's
    transaction (which commits the refusal too: see ``ipec.web.signin``)."""
    moment = now or datetime.now(UTC)
    user = None
    if candidate.user_id is not None:
        user = session.scalar(select(User).where(User.id == candidate.user_id).with_for_update())
    if user is None or not user.active:
        _event(session, candidate.username, "sign_in.failure", 0, origin, {"known": False})
        raise PermissionDenied(_REFUSED)
    right = right and user.password_hash == candidate.password_hash
    waiting = _waiting_until(user, moment)
    if waiting is not None:
        _event(session, user.username, "sign_in.refused", user.id, origin,
               {"waiting_until": waiting.isoformat(), "right_password": right})  # fmt: skip
        if not right:
            raise PermissionDenied(_REFUSED)
        seconds = max(1, int((waiting - moment).total_seconds()) + 1)
        raise AccountLocked(
            "too many failed sign-ins: the account waits before it accepts the password",
            hint=f"try again in {seconds} seconds, or ask an administrator to unlock it",
        )
    if not right:
        user.failed_logins += 1
        delay = delay_after(user.failed_logins)
        detail: dict[str, object] = {"failures": user.failed_logins}
        if delay:
            user.locked_until = moment + delay
            detail["wait_seconds"] = int(delay.total_seconds())
            _event(session, user.username, "sign_in.lockout", user.id, origin, detail)
        _event(session, user.username, "sign_in.failure", user.id, origin, detail)
        session.flush()
        raise PermissionDenied(_REFUSED)
    user.failed_logins = 0
    user.locked_until = None
    _event(session, user.username, "sign_in.success", user.id, origin, {})
    session.flush()
    return user


def check_current_password(
    session: Session,
    user: User,
    password: str,
    *,
    now: datetime | None = None,
    origin: str | None = None,
) -> None:
    """Refuse a wrong current password (changing one's password) as a failed sign-in: it is
    counted, and a waiting account is refused before the password is even checked, so a
    borrowed session cannot guess freely. The caller commits the refusal."""
    moment = now or datetime.now(UTC)
    waiting = _waiting_until(user, moment)
    if waiting is not None:
        seconds = max(1, int((waiting - moment).total_seconds()) + 1)
        raise AccountLocked(
            "too many wrong passwords: the account waits before it accepts the password",
            hint=f"try again in {seconds} seconds, or ask an administrator to unlock it",
        )
    if verify_password(user.password_hash, password):
        return
    user.failed_logins += 1
    delay = delay_after(user.failed_logins)
    detail: dict[str, object] = {"failures": user.failed_logins, "form": "password change"}
    if delay:
        user.locked_until = moment + delay
        detail["wait_seconds"] = int(delay.total_seconds())
        _event(session, user.username, "sign_in.lockout", user.id, origin, detail)
    _event(session, user.username, "password.failure", user.id, origin, detail)
    session.flush()
    raise PermissionDenied("the current password is wrong")


def _event(  # noqa: PLR0917 (a private shorthand for the one audit writer)
    session: Session,
    actor: str,
    action: str,
    user_id: int,
    origin: str | None,
    detail: dict[str, object],
) -> None:
    write_audit(session, actor=actor, action=action, entity="user", entity_id=user_id,
                origin=origin, detail=detail)  # fmt: skip


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime | None = None,
    origin: str | None = None,
) -> User:
    """The three steps in one transaction (the command line and tests; the web server runs
    them apart, see ``ipec.web.signin``). A refusal is flushed but not committed here."""
    candidate = sign_in_candidate(session, username)
    right = verify_password(candidate.password_hash, password)
    return settle_sign_in(session, candidate, right=right, now=now, origin=origin)

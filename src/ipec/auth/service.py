"""Creating users and signing them in, with login throttling and hashed API tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from ipec.auth.access import Principal, area_in_scope, require_role
from ipec.auth.models import ApiToken, Role, User, WebSession
from ipec.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from ipec.errors import AccountLocked, Conflict, DataError, NotFound, PermissionDenied
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area
from ipec.monitoring.scope import WHOLE_PROGRAMME

__all__ = [
    "LOCK_AFTER_FAILURES",
    "LOCK_MINUTES",
    "MANAGER_ROLES",
    "SESSION_HOURS",
    "UserRuleBroken",
    "add_user",
    "authenticate",
    "change_password",
    "close_session",
    "create_user",
    "csrf_token",
    "issue_token",
    "list_tokens",
    "list_users",
    "open_session",
    "revoke_token",
    "update_user",
    "user_for_session",
    "user_for_token",
    "user_in_scope",
]

LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
#: How long a browser stays signed in without signing in again.
SESSION_HOURS = 12
#: Roles that manage the users of their own subtree.
MANAGER_ROLES = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER})
#: What a username may hold: lower-case letters, digits and . _ - (they appear in the audit log).
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class UserRuleBroken(PermissionDenied):
    """A change to a user that the granter may not make; ``rule`` says which, for forms:
    ``admin_role`` (only administrators grant it), ``admin_user`` (only administrators change
    an administrator), ``self`` (nobody deactivates themself)."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    area_id: int | None,
) -> User:
    """A new user scoped to the subtree of ``area_id``; usernames are unique. An
    administrator without an area (``area_id=None``) administers the whole programme (every
    area, those added later included); every other role needs an area."""
    if area_id is None:
        _check_whole_programme(role)
    elif session.get(Area, area_id) is None:
        raise NotFound(f"area {area_id} not found")
    name = username.strip().lower()
    if session.scalar(select(User).where(User.username == name)) is not None:
        raise Conflict(f"a user named {name} already exists", hint="choose another username")
    user = User(username=name, display_name=display_name.strip(), role=role, area_id=area_id,
                password_hash=hash_password(password), active=True, failed_logins=0)  # fmt: skip
    session.add(user)
    session.flush()
    return user


def authenticate(
    session: Session, *, username: str, password: str, now: datetime | None = None
) -> User:
    """The user, if the password is right; five failures lock the account for 15 minutes.

    The same error, after the same Argon2 work, for an unknown user and a wrong password, and
    a locked account says so only to the right password: names cannot be probed. The user's
    row is locked for the check, so concurrent guesses are all counted.
    """
    moment = now or datetime.now(UTC)
    query = select(User).where(User.username == username.strip().lower()).with_for_update()
    user = session.scalar(query)
    refused = PermissionDenied("wrong username or password")
    if user is None or not user.active:
        verify_password(_unknown_user_hash(), password)  # the same work as for a real user
        raise refused
    right = verify_password(user.password_hash, password)
    locked = user.locked_until
    if locked is not None and locked.replace(tzinfo=locked.tzinfo or UTC) > moment:
        if not right:
            raise refused
        raise AccountLocked(
            "too many failed sign-ins: the account is locked for a while",
            hint=f"try again after {LOCK_MINUTES} minutes, or ask an administrator",
        )
    if not right:
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER_FAILURES:
            user.locked_until = moment + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        session.flush()
        raise refused
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


@cache
def _unknown_user_hash() -> str:
    """A hash to check passwords of unknown users against, so both take the same time."""
    return hash_password(secrets.token_urlsafe(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, user: User, label: str, now: datetime | None = None) -> str:
    """A new API token for ``user``: returned once, stored only as its SHA-256."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label,
                         created_at=now or datetime.now(UTC), revoked=False))  # fmt: skip
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User:
    """The active user behind an unrevoked token."""
    found = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False))
    )
    user = session.get(User, found.user_id) if found else None
    if user is None or not user.active:
        raise PermissionDenied("invalid or revoked token")
    return user


def open_session(
    session: Session, *, user: User, now: datetime | None = None, hours: int = SESSION_HOURS
) -> str:
    """A new browser session for ``user``: the token goes in a cookie; only its hash is kept."""
    moment = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user.id, token_hash=_digest(token), created_at=moment,
                           expires_at=moment + timedelta(hours=hours), revoked=False))  # fmt: skip
    session.flush()
    return token


def _live_session(session: Session, token: str, moment: datetime) -> WebSession | None:
    found = session.scalar(
        select(WebSession).where(
            WebSession.token_hash == _digest(token), WebSession.revoked.is_(False)
        )
    )
    if found is None:
        return None
    expires = found.expires_at.replace(tzinfo=found.expires_at.tzinfo or UTC)
    return found if expires > moment else None


def user_for_session(session: Session, token: str, now: datetime | None = None) -> User:
    """The active user of an open, unexpired session."""
    found = _live_session(session, token, now or datetime.now(UTC))
    user = session.get(User, found.user_id) if found else None
    if user is None or not user.active:
        raise PermissionDenied("the session has ended", hint="sign in again")
    return user


def close_session(session: Session, token: str) -> None:
    """Sign out: the session's token stops working at once."""
    found = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if found is not None:
        found.revoked = True
        session.flush()


def csrf_token(secret_key: str, session_token: str) -> str:
    """The anti-forgery token of a session: a keyed hash, so nothing more is stored."""
    return hmac.new(secret_key.encode(), session_token.encode(), hashlib.sha256).hexdigest()


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """The user's API tokens, newest first (their hashes stay in the database)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def revoke_token(session: Session, *, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token is not found."""
    found = session.get(ApiToken, token_id)
    if found is None or found.user_id != user.id:
        raise NotFound(f"token {token_id} not found")
    found.revoked = True
    session.flush()
    return found


def change_password(
    session: Session,
    *,
    user: User,
    current: str,
    new: str,
    keep_session: str | None = None,
    origin: str | None = None,
) -> None:
    """Replace the user's password after checking the current one; every other browser
    session of the user ends (a stolen session does not outlive the change)."""
    if not verify_password(user.password_hash, current):
        raise PermissionDenied("the current password is wrong")
    if new == current:
        raise DataError("the new password is the same as the current one")
    user.password_hash = hash_password(new)
    _end_sessions(session, user.id, keep=_digest(keep_session) if keep_session else None)
    write_audit(session, actor=user.username, action="user.password", entity="user",
                entity_id=user.id, origin=origin)  # fmt: skip
    session.flush()


def _end_sessions(session: Session, user_id: int, *, keep: str | None = None) -> None:
    """End the user's open browser sessions, all but the one whose token digest is
    ``keep``."""
    for open_session in session.scalars(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked.is_(False))
    ):
        if open_session.token_hash != keep:
            open_session.revoked = True


def _check_whole_programme(role: Role) -> None:
    """Only an administrator may have no area (the whole programme)."""
    if role is not Role.ADMIN:
        raise DataError(
            f"a {role.value} needs an area: only an administrator may have none (and "
            "administer the whole programme)",
            column="area_id",
            hint="give the area whose subtree the user works in",
        )


def _check_grant(session: Session, granter: Principal, role: Role, area_id: int | None) -> None:
    """Only managers grant; only administrators grant the administrator role; the scope lies
    inside the granter's own (an area outside it is not found); only an administrator of the
    whole programme grants the whole programme (no area), and only to an administrator."""
    require_role(granter, MANAGER_ROLES, "manage users")
    if role is Role.ADMIN and granter.role is not Role.ADMIN:
        raise UserRuleBroken(
            "only an administrator may grant the administrator role", rule="admin_role"
        )
    if area_id is not None:
        area_in_scope(session, granter, area_id)
        return
    _check_whole_programme(role)
    if granter.scope_path != WHOLE_PROGRAMME:
        raise UserRuleBroken("only an administrator of the whole programme may grant it",
                             rule="admin_role")  # fmt: skip


def add_user(
    session: Session,
    granter: Principal,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    area_id: int | None,
    origin: str | None = None,
) -> User:
    """A new user created by a manager, within the manager's scope and rights (audit-logged);
    ``area_id=None``: an administrator of the whole programme."""
    _check_grant(session, granter, role, area_id)
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise DataError("a username is 2-80 lower-case letters, digits, '.', '_' or '-'",
                        column="username")  # fmt: skip
    if not display_name.strip():
        raise DataError("the display name is empty", column="display_name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError(f"the password is shorter than {MIN_PASSWORD_LENGTH} characters",
                        column="password")  # fmt: skip
    user = create_user(session, username=name, display_name=display_name, password=password,
                       role=role, area_id=area_id)  # fmt: skip
    write_audit(session, actor=granter.username, action="user.create", entity="user",
                entity_id=user.id, origin=origin,
                detail={"role": role.value, "area": area_id})  # fmt: skip
    session.flush()
    return user


def list_users(
    session: Session,
    principal: Principal,
    *,
    page: int = 1,
    per_page: int = 50,
    origin: str | None = None,
) -> list[Row[User, Area | None]]:
    """The users whose scope lies inside the manager's, with their area (None for an
    administrator of the whole programme, whom only such an administrator lists), by
    username (one more than a page, to tell whether another follows); the listing is
    audit-logged."""
    require_role(principal, MANAGER_ROLES, "list users")
    query = select(User, Area).join(Area, Area.id == User.area_id, isouter=True)
    if principal.scope_path != WHOLE_PROGRAMME:
        query = query.where(Area.path.startswith(principal.scope_path, autoescape=True))
    query = query.order_by(User.username).limit(per_page + 1).offset((page - 1) * per_page)
    rows: list[Row[User, Area | None]] = list(session.execute(query).all())
    write_audit(session, actor=principal.username, action="user.list", entity="user",
                entity_id=0, origin=origin, detail={"page": page})  # fmt: skip
    session.flush()
    return rows


def user_in_scope(session: Session, principal: Principal, user_id: int) -> User:
    """A user whose scope lies inside the manager's (an administrator of the whole programme
    lies inside no area's); any other is not found."""
    require_role(principal, MANAGER_ROLES, "manage users")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    if user.area_id is None:
        if principal.scope_path != WHOLE_PROGRAMME:
            raise NotFound(f"user {user_id} not found")
        return user
    try:
        area_in_scope(session, principal, user.area_id)
    except NotFound:
        raise NotFound(f"user {user_id} not found") from None
    return user


def update_user(
    session: Session,
    granter: Principal,
    user_id: int,
    *,
    role: Role | None = None,
    area_id: int | None = None,
    active: bool | None = None,
    origin: str | None = None,
) -> User:
    """Change a user's role, scope or whether they may sign in, under the granting rules;
    a deactivated user's sessions end at once. The change (before and after) is audit-logged."""
    user = user_in_scope(session, granter, user_id)
    if user.role is Role.ADMIN and granter.role is not Role.ADMIN:
        raise UserRuleBroken("only an administrator may change an administrator",
                             rule="admin_user")  # fmt: skip
    if active is False and user.id == granter.user_id:
        raise UserRuleBroken("you may not deactivate yourself", rule="self")
    new_role = user.role if role is None else role
    new_area = user.area_id if area_id is None else area_id
    if (new_role, new_area) != (user.role, user.area_id):
        _check_grant(session, granter, new_role, new_area)
    new_active = user.active if active is None else active
    changes = {
        name: {"from": before, "to": after}
        for name, before, after in (
            ("role", user.role.value, new_role.value),
            ("area", user.area_id, new_area),
            ("active", user.active, new_active),
        )
        if before != after
    }
    user.role, user.area_id, user.active = new_role, new_area, new_active
    if not new_active:
        _end_sessions(session, user.id)
    write_audit(session, actor=granter.username, action="user.update", entity="user",
                entity_id=user.id, origin=origin, detail={"changes": changes})  # fmt: skip
    session.flush()
    return user

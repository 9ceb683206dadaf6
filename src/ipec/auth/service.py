"""Creating users and signing them in, with login throttling and hashed API tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from ipec.auth.access import Principal, area_in_scope, may_read_audit_log, require_role
from ipec.auth.models import ApiToken, Role, User, WebSession
from ipec.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from ipec.auth.signin import LOCK_AFTER_FAILURES, authenticate, check_current_password
from ipec.errors import Conflict, DataError, NotFound, PermissionDenied
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area, Partner
from ipec.monitoring.scope import WHOLE_PROGRAMME

__all__ = [
    "LOCK_AFTER_FAILURES",
    "MANAGER_ROLES",
    "MAX_TOKEN_DAYS",
    "SESSION_HOURS",
    "TOKEN_DAYS",
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
    "token_works",
    "update_user",
    "user_for_session",
    "user_for_token",
    "user_in_scope",
    "user_to_change",
]

#: How long a browser stays signed in without signing in again.
SESSION_HOURS = 12
#: How long an API token works unless asked otherwise, and at most.
TOKEN_DAYS, MAX_TOKEN_DAYS = 90, 365
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
    partner_id: int | None = None,
) -> User:
    """A new user scoped to the subtree of ``area_id``; usernames are unique. An
    administrator without an area (``area_id=None``) administers the whole programme (every
    area, those added later included); a partner user has no area but a partner
    (``partner_id``: it sees the referrals sent to it); every other role needs an area."""
    _check_partner(session, role, area_id, partner_id)
    if area_id is None and role is not Role.PARTNER:
        _check_whole_programme(role)
    elif area_id is not None and session.get(Area, area_id) is None:
        raise NotFound(f"area {area_id} not found")
    name = username.strip().lower()
    if session.scalar(select(User).where(User.username == name)) is not None:
        raise Conflict(f"a user named {name} already exists", hint="choose another username")
    user = User(username=name, display_name=display_name.strip(), role=role, area_id=area_id,
                partner_id=partner_id, password_hash=hash_password(password), active=True,
                failed_logins=0)  # fmt: skip
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session,
    *,
    user: User,
    label: str,
    now: datetime | None = None,
    days: int = TOKEN_DAYS,
    origin: str | None = None,
) -> str:
    """A new API token for ``user``, working for ``days`` days (1 to :data:`MAX_TOKEN_DAYS`)
    and until the user's password changes or they are deactivated: returned once, stored
    only as its SHA-256 (audit-logged)."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise DataError(f"a token works 1 to {MAX_TOKEN_DAYS} days, not {days}", column="days")
    moment = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    stored = ApiToken(user_id=user.id, token_hash=_digest(token), label=label, created_at=moment,
                      expires_at=moment + timedelta(days=days), revoked=False,
                      epoch=user.credential_epoch)  # fmt: skip
    session.add(stored)
    session.flush()
    write_audit(session, actor=user.username, action="token.create", entity="user",
                entity_id=user.id, origin=origin,
                detail={"token": stored.id, "label": label, "days": days})  # fmt: skip
    return token


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User:
    """The active user behind an unrevoked, unexpired token issued since their password last
    changed (and since they were last deactivated)."""
    found = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False))
    )
    user = session.get(User, found.user_id) if found else None
    if found is None or user is None or not user.active or not token_works(found, user, now):
        raise PermissionDenied("invalid, expired or revoked token")
    return user


def token_works(token: ApiToken, user: User, now: datetime | None = None) -> bool:
    """Whether an API token still opens the API: not revoked, not expired, and issued under
    the user's current credential epoch."""
    expires = token.expires_at.replace(tzinfo=token.expires_at.tzinfo or UTC)
    return (
        not token.revoked
        and expires > (now or datetime.now(UTC))
        and token.epoch == user.credential_epoch
    )


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


def close_session(session: Session, token: str, *, origin: str | None = None) -> None:
    """Sign out: the session's token stops working at once (audit-logged)."""
    found = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if found is not None and not found.revoked:
        found.revoked = True
        user = session.get(User, found.user_id)
        write_audit(session, actor=user.username if user else "", action="sign_out",
                    entity="user", entity_id=found.user_id, origin=origin)  # fmt: skip
        session.flush()


def csrf_token(secret_key: str, session_token: str) -> str:
    """The anti-forgery token of a session: a keyed hash, so nothing more is stored."""
    return hmac.new(secret_key.encode(), session_token.encode(), hashlib.sha256).hexdigest()


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """The user's API tokens, newest first (their hashes stay in the database)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def revoke_token(
    session: Session, *, user: User, token_id: int, origin: str | None = None
) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token is not found
    (audit-logged)."""
    found = session.get(ApiToken, token_id)
    if found is None or found.user_id != user.id:
        raise NotFound(f"token {token_id} not found")
    found.revoked = True
    write_audit(session, actor=user.username, action="token.revoke", entity="user",
                entity_id=user.id, origin=origin, detail={"token": token_id})  # fmt: skip
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
    session of the user and every API token end (a stolen session or token does not outlive
    the change). A wrong current password counts as a failed sign-in (and may make the
    account wait, ``ipec.auth.signin``): the caller commits the refusal."""
    check_current_password(session, user, current, origin=origin)
    if new == current:
        raise DataError("the new password is the same as the current one")
    user.password_hash = hash_password(new)
    user.credential_epoch += 1
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


def _check_partner(
    session: Session, role: Role, area_id: int | None, partner_id: int | None
) -> None:
    """A partner user has a partner (one that exists) and no area; no other user has a
    partner."""
    if role is not Role.PARTNER:
        if partner_id is not None:
            raise DataError(f"a {role.value} has no partner: only a partner user has one",
                            column="partner_id", hint="leave the partner out")  # fmt: skip
        return
    if partner_id is None:
        raise DataError("a partner user needs its partner organisation", column="partner_id",
                        hint="choose the partner whose referrals the user answers")  # fmt: skip
    if area_id is not None:
        raise DataError("a partner user has no area: it sees the referrals sent to its partner",
                        column="area_id", hint="leave the area out")  # fmt: skip
    if session.get(Partner, partner_id) is None:
        raise NotFound(f"partner {partner_id} not found", hint="choose a partner of the list")


def _check_grant(session: Session, granter: Principal, role: Role, area_id: int | None) -> None:
    """Only managers grant; only administrators grant the administrator role; the scope lies
    inside the granter's own (an area outside it is not found); only an administrator of the
    whole programme grants the whole programme (no area), and only to an administrator; and
    only an administrator of the whole programme creates partner users (their referrals come
    from every area)."""
    require_role(granter, MANAGER_ROLES, "manage users")
    if role is Role.PARTNER:
        # the same administrators as the audit log's: without an area, or of a root area
        if not may_read_audit_log(granter):
            raise UserRuleBroken("only an administrator of the whole programme may create "
                                 "partner users", rule="partner_role")  # fmt: skip
        return
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
    partner_id: int | None = None,
    origin: str | None = None,
) -> User:
    """A new user created by a manager, within the manager's scope and rights (audit-logged);
    ``area_id=None``: an administrator of the whole programme, or a partner user (of
    ``partner_id``)."""
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
                       role=role, area_id=area_id, partner_id=partner_id)  # fmt: skip
    write_audit(session, actor=granter.username, action="user.create", entity="user",
                entity_id=user.id, origin=origin,
                detail={"role": role.value, "area": area_id,
                        **({"partner": partner_id} if partner_id is not None else {})})  # fmt: skip
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
        inside = Area.path.startswith(principal.scope_path, autoescape=True)
        # partner users have no area: the administrators who create them list them
        partners = User.role == Role.PARTNER
        query = query.where(or_(inside, partners) if may_read_audit_log(principal) else inside)
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
    if user.role is Role.PARTNER:  # no area: the administrators who create them manage them
        if not may_read_audit_log(principal):
            raise NotFound(f"user {user_id} not found")
        return user
    if user.area_id is None:
        if principal.scope_path != WHOLE_PROGRAMME:
            raise NotFound(f"user {user_id} not found")
        return user
    try:
        area_in_scope(session, principal, user.area_id)
    except NotFound:
        raise NotFound(f"user {user_id} not found") from None
    return user


def user_to_change(session: Session, manager: Principal, user_id: int) -> User:
    """A user the manager may change (:func:`user_in_scope`): only an administrator changes
    an administrator."""
    user = user_in_scope(session, manager, user_id)
    if user.role is Role.ADMIN and manager.role is not Role.ADMIN:
        raise UserRuleBroken("only an administrator may change an administrator",
                             rule="admin_user")  # fmt: skip
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
    user = user_to_change(session, granter, user_id)
    if active is False and user.id == granter.user_id:
        raise UserRuleBroken("you may not deactivate yourself", rule="self")
    new_role = user.role if role is None else role
    if (new_role is Role.PARTNER) != (user.role is Role.PARTNER) or (
        user.role is Role.PARTNER and area_id is not None
    ):
        raise UserRuleBroken("a partner user stays a partner user of its organisation, and no "
                             "other user becomes one: create a new user",
                             rule="partner_role")  # fmt: skip
    new_area = user.area_id if area_id is None else area_id
    if (new_role, new_area) != (user.role, user.area_id):
        _check_grant(session, granter, new_role, new_area)
    new_active = user.active if active is None else active
    user_was_active = user.active
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
        if user_was_active:
            user.credential_epoch += 1  # reactivation does not revive the old tokens
    write_audit(session, actor=granter.username, action="user.update", entity="user",
                entity_id=user.id, origin=origin, detail={"changes": changes})  # fmt: skip
    session.flush()
    return user

"""Users, their role and geographic scope, and API tokens (stored as hashes only)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, DateTime, Enum, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ipec.db.base import Base

__all__ = ["ApiToken", "Role", "User", "WebSession"]


class Role(StrEnum):
    """What a user may do; where is set by the user's area (a subtree)."""

    ADMIN = "admin"
    PROGRAMME_MANAGER = "programme_manager"
    SUPERVISOR = "supervisor"
    MONITOR = "monitor"
    VIEWER = "viewer"
    #: A user of a partner organisation: sees the referrals sent to it and nothing else
    #: (``ipec.auth.access``: :func:`~ipec.auth.access.partner_referral`).
    PARTNER = "partner"


class User(Base):
    """A person who signs in; ``area_id`` roots the subtree of areas they may see.

    An administrator without an area administers the whole programme: every area, those
    added later included. A partner user has no area but a partner (``partner_id``): what it
    sees is the referrals sent to that partner. Every other role has an area (the database
    refuses one without).
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'partner') OR area_id IS NOT NULL", name="scope"),
        CheckConstraint(
            "role <> 'partner' OR (partner_id IS NOT NULL AND area_id IS NULL)",
            name="partner_scope",
        ),
        CheckConstraint("role = 'partner' OR partner_id IS NULL", name="partner_only"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, values_callable=lambda e: [m.value for m in e])
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    #: The partner organisation of a partner user (None for every other role).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Raised by a password change, a reset and a deactivation: API tokens issued under an
    #: older epoch stop working (``ipec.auth.credentials``).
    credential_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Where the reminders digest goes (``ipec.monitoring.digest``), when ``email_digest``:
    #: the user's own choice (``ipec.monitoring.reminders.set_digest``).
    email: Mapped[str | None] = mapped_column(String(254))
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class ApiToken(Base):
    """A machine's credential; only the SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: After this moment the token no longer works.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The user's credential epoch when the token was issued; it works only while they match.
    epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the database only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

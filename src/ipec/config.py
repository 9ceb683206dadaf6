"""Settings, read from the environment (``IPEC_*``) by a factory, never at import time.

Outside demo mode the server refuses to start with the default secret key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ipec.errors import ConfigurationError

__all__ = ["DEFAULT_SECRET", "Settings", "check_secret", "load_settings"]

DEFAULT_SECRET = "change-me"


class Settings(BaseSettings):
    """Where the data lives, the profile the programme uses, and the secret key."""

    model_config = SettingsConfigDict(env_prefix="IPEC_", frozen=True)

    database_url: str = "sqlite:///ipec.db"
    profile: str = "sdg-8.7.1"
    secret_key: str = DEFAULT_SECRET
    demo: bool = False
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    database_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=200,
        description="Requests that use the database at once, per server process; the others "
        "wait their turn without holding a thread (default: 1 for SQLite, which has one "
        "writer, 8 for PostgreSQL).",
    )
    dashboard_figures_seconds: float = Field(
        default=600,
        ge=0,
        description="How long the dashboard's figures of an area and period stay fresh "
        "(records written meanwhile are not counted until they are computed again; while the "
        "background refresher runs, views may show figures up to twice this old); 0 computes "
        "them on every view.",
    )
    dashboard_refresh_seconds: float = Field(
        default=30,
        ge=0,
        description="How often a background thread computes the dashboard figures that are "
        "missing or expired: those of each active user's area and the areas just under it "
        "for the default period, and those a view read since they expired; meanwhile views "
        "get the last figures at once. 0: no thread, the next view computes expired figures.",
    )
    sign_in_per_address_per_minute: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="Sign-in attempts one client address may make in a minute, per server "
        "process; more are refused (429) before any password is checked.",
    )
    sign_in_per_minute: int = Field(
        default=300,
        ge=1,
        le=100_000,
        description="Sign-in attempts the whole server process accepts in a minute, from all "
        "addresses together; more are refused (429) before any password is checked.",
    )
    follow_up_first_months: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(3, 6),
        description="The first follow-ups, in months after remediation starts (or starts "
        'again), comma-separated: "3,6" (the default) or "3"; each 1-60.',
    )
    follow_up_every_months: int = Field(
        default=6,
        ge=1,
        le=60,
        description="Then a follow-up every this many months after the latest, until the "
        "case closes (``ipec.monitoring.rolling``).",
    )
    smtp_host: str | None = Field(
        default=None,
        description="The SMTP server that sends the reminder digests (``ipec reminders "
        "send``); unset: no e-mail is ever sent.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65_535)
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the connection with STARTTLS before signing in."
    )
    smtp_username: str | None = Field(default=None, description="Unset: no sign-in.")
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_sender: str | None = Field(
        default=None, description='The "From" address of the digests (needed with a host).'
    )
    public_url: str | None = Field(
        default=None,
        description="The address users open ipec at (https://ipec.example.org), for the "
        "links in e-mails; unset: the e-mails carry no link.",
    )

    @field_validator("follow_up_first_months", mode="before")
    @classmethod
    def _months_list(cls, value: object) -> object:
        """Read "3,6" (the environment's form) as (3, 6); check each is 1-60."""
        if isinstance(value, str):
            try:
                value = tuple(int(part) for part in value.split(",") if part.strip())
            except ValueError:
                raise ValueError(f"give whole months separated by commas, not {value!r}") from None
        if isinstance(value, list | tuple):
            if not value or any(not 1 <= int(month) <= 60 for month in value):
                raise ValueError("give one to a few months, each from 1 to 60")
            return tuple(sorted({int(month) for month in value}))
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and ``overrides``; refuses default secrets outside demo."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    check_secret(settings)
    return settings


def check_secret(settings: Settings) -> None:
    """Refuse the default or a short secret key outside demo mode."""
    if not settings.demo and (
        settings.secret_key == DEFAULT_SECRET or len(settings.secret_key) < 32
    ):
        raise ConfigurationError(
            "the secret key is the default or shorter than 32 characters",
            hint="set IPEC_SECRET_KEY to a long random value (or IPEC_DEMO=1 for a demo)",
        )

"""Settings, read from the environment (``IPEC_*``) by a factory, never at import time.

Outside demo mode the server refuses to start with the default secret key.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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

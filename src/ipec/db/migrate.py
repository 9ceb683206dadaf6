"""Apply the Alembic migrations shipped in ``ipec/db/migrations`` to a database."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from ipec.errors import ConfigurationError, DatabaseUnavailable

__all__ = ["alembic_config", "require_current", "upgrade"]


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("ipec.db") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (default: the latest)."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        raise unavailable(engine, exc) from None


def require_current(engine: Engine) -> None:
    """Refuse a database whose schema is not the one this version of ipec writes."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise unavailable(engine, exc) from None
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        raise ConfigurationError(
            f"the database at {where} has schema {current or 'none'}, this ipec needs {head}",
            hint="run `ipec db upgrade` (back up the database first)",
        )


def unavailable(engine: Engine, exc: OperationalError) -> DatabaseUnavailable:
    """A one-line error naming the database (password hidden) and the server's reason."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    where = engine.url.render_as_string(hide_password=True)
    return DatabaseUnavailable(
        f"cannot open the database at {where}: {reason}",
        hint="check --url or IPEC_DATABASE_URL, and that the server is running",
    )

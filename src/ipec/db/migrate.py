"""Apply the Alembic migrations shipped in ``ipec/db/migrations`` to a database."""

from __future__ import annotations

import logging
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ipec.db.base import Base
from ipec.db.bulk import vacuum
from ipec.errors import ConfigurationError, DatabaseUnavailable

__all__ = ["alembic_config", "require_current", "upgrade"]

_log = logging.getLogger(__name__)


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("ipec.db") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (default: the latest).

    A migration that fills a new column rewrites every row of its table; on PostgreSQL the
    tables of a database that had a schema are then vacuumed (after the upgrade committed),
    so that index-only scans work at once rather than after autovacuum's next pass (until
    then the case lists read the tables; docs/performance-history.md)."""
    try:
        before = _revision(engine)
        _refuse_unknown(engine, before)
        command.upgrade(alembic_config(engine), revision)
        applied = before is not None and _revision(engine) != before
    except OperationalError as exc:
        raise unavailable(engine, exc) from None
    if applied:
        _vacuum_after_upgrade(engine)


#: How long the vacuum after an upgrade waits for a table another session holds.
VACUUM_LOCK_TIMEOUT = "10s"


def _vacuum_after_upgrade(engine: Engine) -> None:
    """VACUUM ipec's tables (not other applications' in the same schema). The schema is
    upgraded already: a failure (a lock held elsewhere) is a warning, and autovacuum will
    do the work later. Nothing to do on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    tables = [name for name in inspect(engine).get_table_names() if name in Base.metadata.tables]
    try:
        vacuum(engine, tables, lock_timeout=VACUUM_LOCK_TIMEOUT)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        _log.warning(
            "the schema is upgraded, but VACUUM of its tables failed (%s): run VACUUM on the "
            "database, or leave it to autovacuum (case lists and metrics are slower until then)",
            reason,
        )


def _refuse_unknown(engine: Engine, current: str | None) -> None:
    """A schema revision this ipec does not know: a database made by a pre-release version
    (whose intermediate revisions were folded into the baseline) or by a newer one."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    if current is None or current in {r.revision for r in script.walk_revisions()}:
        return
    where = engine.url.render_as_string(hide_password=True)
    raise ConfigurationError(
        f"the database at {where} has schema {current}, which this ipec does not know (made "
        "by a pre-release ipec, or by a newer one)",
        hint="make a new database (ipec db upgrade on an empty one) and bring the records "
        "over, or use the ipec that made it",
    )


def _revision(engine: Engine) -> str | None:
    """The database's schema revision (None: no schema yet)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_current(engine: Engine) -> None:
    """Refuse a database whose schema is not the one this version of ipec writes."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    try:
        current = _revision(engine)
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

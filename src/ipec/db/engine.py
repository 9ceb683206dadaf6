"""Make SQLAlchemy engines: SQLite (the embedded default) tuned for safety, or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ipec.errors import DatabaseUnavailable

__all__ = ["make_engine"]


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False, **options: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on, WAL journaling and a busy timeout.

    ``options`` go to :func:`sqlalchemy.create_engine` (a pool class, say).
    """
    try:
        engine = create_engine(url, echo=echo, **options)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseUnavailable(
            f"not a usable database URL: {exc}",
            hint="use sqlite:///path.db or postgresql+psycopg://user:password@host/name",
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine

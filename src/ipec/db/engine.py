"""Make SQLAlchemy engines: SQLite (the embedded default) tuned for safety, or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ipec.errors import DatabaseUnavailable

__all__ = ["make_engine"]


#: Bytes of the database file SQLite reads through a memory map (it caps this at its own
#: compile-time limit, 2 GiB in common builds). Reading pages through the map instead of a
#: system call per page, and without copying them into each connection's 2 MiB page cache,
#: makes a region's metrics markedly faster (docs/performance-history.md). The map shares
#: the system's file cache: it adds no memory.
_SQLITE_MMAP_BYTES = 1 << 31


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute(f"PRAGMA mmap_size={_SQLITE_MMAP_BYTES}")
    cursor.close()


def _sqlite_driver_leaves_transactions(connection: Any, _record: Any) -> None:
    connection.isolation_level = None


def _sqlite_begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _postgres_custom_plans(dbapi_connection: Any, _record: Any) -> None:
    """Plan every statement for its own values. psycopg prepares a statement run five times on
    a connection, and PostgreSQL may then switch to a generic plan blind to the dates, areas
    and page sizes, and a country's case list became many times slower from its sixth request
    on a connection (docs/performance-history.md)."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.commit()


def make_engine(
    url: str,
    *,
    echo: bool = False,
    write_transactions: bool = False,
    read_transactions: bool = False,
    **options: Any,
) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on, WAL journaling, a busy timeout and
    memory-mapped reads; PostgreSQL plans each statement for its values (no generic plans of
    prepared statements).

    ``write_transactions``: on SQLite, each transaction takes the write lock when it begins.
    A server whose every request reads and then writes (each access writes its audit row)
    needs it: otherwise a request fails when another wrote between its read and its write,
    where with it the request waits its turn. ``read_transactions``: on SQLite, each
    transaction is one snapshot from its first read (a plain ``BEGIN``; the driver alone
    would commit after each statement), without the write lock. ``options`` go to
    :func:`sqlalchemy.create_engine` (a pool class, say).
    """
    try:
        engine = create_engine(url, echo=echo, **options)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseUnavailable(
            f"not a usable database URL: {exc}",
            hint="use sqlite:///path.db or postgresql+psycopg://user:password@host/name",
        ) from None
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_custom_plans)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if write_transactions or read_transactions:
            event.listen(engine, "connect", _sqlite_driver_leaves_transactions)
            begin = _sqlite_begin_immediate if write_transactions else _sqlite_begin_deferred
            event.listen(engine, "begin", begin)
    return engine

"""Write Polars frames into tables in bulk, the fastest correct way for each backend.

The ORM (and even ``session.execute(insert(Model), rows)``) builds a Python dict and binds
parameters per row, which is far slower than the driver's own batch insert. A bulk load
of millions of rows (the demo seeder) goes straight to the driver instead, inside the
caller's transaction:

- SQLite: ``executemany`` of one prepared INSERT on the sqlite3 connection, with a larger
  page cache for the duration of the load;
- PostgreSQL: ``COPY ... FROM STDIN (FORMAT csv)`` through psycopg 3, the CSV written by
  Polars (in Rust, not row by row in Python).

Secondary indexes of the tables loaded are dropped first and rebuilt from their own stored
definitions at the end: one sort per index instead of millions of scattered insertions.
On PostgreSQL the foreign keys of those tables are dropped too and added back at the end,
where each checks every row in one query instead of one lookup per row (a row-by-row check
made the load several times slower). Primary keys and unique constraints stay in force
throughout (and SQLite's foreign keys, which cost little there). Every step is in the
caller's transaction, so a failed load leaves nothing behind, indexes and constraints
included, and a row that breaks a constraint fails the whole load.

The caller chooses the ids (so parents and children can be written in one pass without
reading ids back); at the end PostgreSQL's id sequences are moved past them, and the
planner statistics of the tables written are refreshed.

A table whose rows need columns computed by SQL from other tables (the copies of
``ipec.monitoring.copies``) is written *through* a function: the frame goes to a temporary
table of its columns, and the function moves those rows in with one ``INSERT ... SELECT``.
Rows are never updated in place during a load: on PostgreSQL an update before the indexes
are built again would leave them unusable until the transaction ends (an index built over
heap-only updated rows is hidden from the transaction that built it).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, text

from ipec.errors import DatabaseUnavailable

__all__ = ["BulkWriter", "Through", "analyze", "bulk_load", "vacuum"]

#: Rows per COPY write or executemany batch: bounds the text held in memory at once.
_SLICE_ROWS = 50_000
#: SQLite page cache during a load (KiB, as ``PRAGMA cache_size`` takes a negative number).
_SQLITE_CACHE_KIB = 256 * 1024
#: How SQLAlchemy's SQLite dialect writes a date and time.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S%.6f"
#: Moves the rows of a temporary table (its name, its columns) into a table, in the
#: connection's transaction.
Through = Callable[[Connection, str, Sequence[str]], None]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class BulkWriter:
    """Appends frames to tables through the driver connection of ``connection``.

    Column names are the frame's; values must already have the column's type (Polars
    ``Date`` for dates, ``Datetime`` with a time zone for times, ``Boolean`` for flags, JSON
    as text).
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._driver: Any = connection.connection.driver_connection
        self._written: set[str] = set()
        self._indexes: list[str] = []
        self._staged: dict[str, str] = {}

    def next_id(self, table: str) -> int:
        """The first free id of ``table`` (ids are given by the caller, not the database)."""
        found = self._connection.execute(text(f"SELECT max(id) FROM {_quoted(table)}")).scalar()
        return int(found or 0) + 1

    def write(self, table: str, frame: pl.DataFrame, *, through: Through | None = None) -> None:
        """Append the rows of ``frame`` to ``table``; with ``through``, by way of a temporary
        table of the frame's columns that ``through`` moves into ``table``."""
        if not frame.height:
            return
        self._written.add(table)
        if through is None:
            self._write(table, frame)
            return
        staged = self._stage(table, frame.columns)
        self._write(staged, frame)
        through(self._connection, staged, frame.columns)
        self._connection.exec_driver_sql(f"DELETE FROM {_quoted(staged)}")

    def _stage(self, table: str, columns: Sequence[str]) -> str:
        """The temporary table of ``columns`` of ``table`` (made at its first use, in the
        caller's transaction, dropped at the end of the load)."""
        staged = self._staged.get(table)
        if staged is None:
            staged = self._staged[table] = f"ipec_staged_{table}"
            names = ", ".join(_quoted(name) for name in columns)
            self._connection.exec_driver_sql(
                f"CREATE TEMPORARY TABLE {_quoted(staged)} AS "
                f"SELECT {names} FROM {_quoted(table)} WHERE 1 = 0"
            )
        return staged

    def _write(self, table: str, frame: pl.DataFrame) -> None:
        raise NotImplementedError

    def _secondary_indexes(self, tables: Sequence[str]) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the indexes that back no constraint."""
        raise NotImplementedError

    def start(self, tables: Sequence[str]) -> None:
        """Before the first write: drop the secondary indexes of ``tables``."""
        for name, definition in self._secondary_indexes(tables):
            self._connection.exec_driver_sql(f"DROP INDEX {_quoted(name)}")
            self._indexes.append(definition)

    def finish(self) -> None:
        """After the last write: drop the temporary tables, rebuild the indexes, refresh the
        planner statistics."""
        for staged in self._staged.values():
            self._connection.exec_driver_sql(f"DROP TABLE {_quoted(staged)}")
        self._staged.clear()
        for definition in self._indexes:
            self._connection.exec_driver_sql(definition)
        self._indexes.clear()
        analyze(self._connection, sorted(self._written))

    def close(self) -> None:
        """Undo connection settings changed for the load (also after a failure)."""


class _SqliteWriter(BulkWriter):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
        # The same cache for temporary tables (rows written through a function), which then
        # stay in memory.
        self._temp_cache = connection.exec_driver_sql("PRAGMA temp.cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA temp.cache_size=-{_SQLITE_CACHE_KIB}")

    def _write(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(_quoted(name) for name in frame.columns)
        marks = ", ".join("?" * frame.width)
        sql = f"INSERT INTO {_quoted(table)} ({columns}) VALUES ({marks})"
        # Dates and times as SQLAlchemy's SQLite dialect stores them (ISO text, times in UTC
        # without the zone); flags go in as 0/1.
        frame = frame.with_columns(
            pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
            pl.col(pl.Datetime).dt.convert_time_zone("UTC").dt.to_string(_SQLITE_DATETIME),
        )
        cursor = self._driver.cursor()
        try:
            for piece in frame.iter_slices(_SLICE_ROWS):
                cursor.executemany(sql, piece.iter_rows())
        finally:
            cursor.close()

    def start(self, tables: Sequence[str]) -> None:
        # The sqlite3 module opens a transaction only before DML; the index drops must be in
        # the caller's transaction too, so that a failed load restores them.
        if not self._driver.in_transaction:
            self._driver.execute("BEGIN")
        super().start(tables)

    def _secondary_indexes(self, tables: Sequence[str]) -> list[tuple[str, str]]:
        marks = ", ".join("?" * len(tables))
        # Indexes SQLite made for UNIQUE constraints have no SQL text and cannot be dropped.
        rows = self._connection.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name",
            tuple(tables),
        ).all()
        return [(str(name), str(sql)) for name, sql in rows]

    def close(self) -> None:
        self._connection.exec_driver_sql(f"PRAGMA cache_size={int(self._cache or -2000)}")
        self._connection.exec_driver_sql(f"PRAGMA temp.cache_size={int(self._temp_cache or -2000)}")


class _PostgresWriter(BulkWriter):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._foreign_keys: list[str] = []

    def _write(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(_quoted(name) for name in frame.columns)
        sql = f"COPY {_quoted(table)} ({columns}) FROM STDIN (FORMAT csv)"
        with self._driver.cursor() as cursor, cursor.copy(sql) as copy:
            for piece in frame.iter_slices(_SLICE_ROWS):
                buffer = io.BytesIO()
                # Polars writes a null as an empty field (NULL to COPY) and an empty string
                # as "" (an empty string to COPY).
                piece.write_csv(buffer, include_header=False)
                copy.write(buffer.getbuffer())

    def _secondary_indexes(self, tables: Sequence[str]) -> list[tuple[str, str]]:
        rows = self._connection.execute(
            text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE n.nspname = current_schema() AND t.relname = ANY(:tables) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "ORDER BY i.relname"
            ),
            {"tables": list(tables)},
        ).all()
        return [(str(name), str(definition)) for name, definition in rows]

    def start(self, tables: Sequence[str]) -> None:
        super().start(tables)
        rows = self._connection.execute(
            text(
                "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE c.contype = 'f' AND n.nspname = current_schema() "
                "AND t.relname = ANY(:tables) ORDER BY t.relname, c.conname"
            ),
            {"tables": list(tables)},
        ).all()
        for name, table, definition in rows:
            self._connection.exec_driver_sql(
                f"ALTER TABLE {_quoted(table)} DROP CONSTRAINT {_quoted(name)}"
            )
            self._foreign_keys.append(
                f"ALTER TABLE {_quoted(table)} ADD CONSTRAINT {_quoted(name)} {definition}"
            )

    def finish(self) -> None:
        # More sort memory than the default 64 MB for the index builds of this transaction.
        self._connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for table in sorted(self._written):
            self._connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, 'id'), max(id)) "
                    f"FROM {_quoted(table)}"
                ),
                {"table": table},
            )
        super().finish()
        # Each foreign key checks every row in one query when it is added back.
        for definition in self._foreign_keys:
            self._connection.exec_driver_sql(definition)
        self._foreign_keys.clear()


@contextmanager
def bulk_load(connection: Connection, tables: Sequence[str]) -> Iterator[BulkWriter]:
    """A bulk writer for ``tables`` on the backend of ``connection`` (SQLite or PostgreSQL
    through psycopg), inside the connection's current transaction.

    Indexes are rebuilt and statistics refreshed when the block ends without an error; on
    an error the caller's rollback undoes everything.
    """
    name = connection.dialect.name
    writer: BulkWriter
    if name == "sqlite":
        writer = _SqliteWriter(connection)
    elif name == "postgresql" and connection.dialect.driver == "psycopg":
        writer = _PostgresWriter(connection)
    else:
        raise DatabaseUnavailable(
            f"bulk loading supports SQLite and PostgreSQL through psycopg, not {name} "
            f"({connection.dialect.driver})",
            hint="use sqlite:///path.db or postgresql+psycopg://user:password@host/name",
        )
    try:
        writer.start(tables)
        yield writer
        writer.finish()
    finally:
        writer.close()


def analyze(connection: Connection, tables: Sequence[str]) -> None:
    """Refresh the planner's statistics of ``tables`` (either backend, inside the caller's
    transaction): after a load, or after tables computed from loaded ones."""
    for table in tables:
        connection.exec_driver_sql(f"ANALYZE {_quoted(table)}")


def vacuum(engine: Engine, tables: Sequence[str], *, lock_timeout: str | None = None) -> None:
    """After a committed load on PostgreSQL, VACUUM the tables: it sets the visibility map,
    so index-only scans work at once instead of after autovacuum's next pass (which would
    otherwise run in the middle of the first queries). Nothing to do on SQLite.
    ``lock_timeout`` (PostgreSQL's syntax, "10s"): give up on a table another session holds
    rather than wait for it."""
    if engine.dialect.name != "postgresql" or not tables:
        return
    names = ", ".join(_quoted(table) for table in tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if lock_timeout is not None:
            connection.execute(text("SELECT set_config('lock_timeout', :value, false)"),
                               {"value": lock_timeout})  # fmt: skip
        connection.exec_driver_sql(f"VACUUM {names}")

"""SQLite engines: with ``write_transactions`` a transaction that reads and then writes is
atomic (no other writer gets in between, as a check-then-insert needs); without it another
writer can slip in between the read and the write."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ipec.db import make_engine


def _engine(folder: Path, *, write_transactions: bool) -> Engine:
    engine = make_engine(f"sqlite:///{folder / 'race.db'}", write_transactions=write_transactions)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE log (who TEXT)"))
    return engine


def _read_then_write(engine: Engine, read: threading.Event, other_wrote: threading.Event) -> None:
    """Read, let the other writer go, then write (as a request writing its audit row)."""
    with engine.begin() as connection:
        connection.execute(text("SELECT count(*) FROM log")).scalar()
        read.set()
        other_wrote.wait(timeout=0.5)
        connection.execute(text("INSERT INTO log VALUES ('reader')"))


def _write(engine: Engine, read: threading.Event, done: threading.Event) -> None:
    read.wait(timeout=10)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO log VALUES ('writer')"))
    done.set()


def _race(engine: Engine) -> list[str]:
    """Who wrote first, when a reader-then-writer and a plain writer start together."""
    read, done = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=_read_then_write, args=(engine, read, done)),
        threading.Thread(target=_write, args=(engine, read, done)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT who FROM log ORDER BY rowid")).scalars())


def test_write_transactions_keep_read_and_write_together(tmp_path: Path) -> None:
    engine = _engine(tmp_path, write_transactions=True)
    assert _race(engine) == ["reader", "writer"]
    engine.dispose()


def test_without_them_a_writer_slips_in_between(tmp_path: Path) -> None:
    engine = _engine(tmp_path, write_transactions=False)
    assert _race(engine) == ["writer", "reader"]
    engine.dispose()


@pytest.mark.parametrize("write_transactions", [False, True])
def test_pragmas_either_way(tmp_path: Path, write_transactions: bool) -> None:
    """Foreign keys, WAL, and reads through a memory map of the file (2 GiB, or the most
    this SQLite build allows)."""
    engine = _engine(tmp_path, write_transactions=write_transactions)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        mmap_size = connection.execute(text("PRAGMA mmap_size")).scalar()
        options = connection.execute(text("PRAGMA compile_options")).scalars().all()
    engine.dispose()
    built = [int(o.split("=")[1], 0) for o in options if o.startswith("MAX_MMAP_SIZE=")]
    allowed = built[0] if built else 0x7FFF0000  # SQLite's default limit
    assert mmap_size == min(1 << 31, allowed)


def test_postgresql_plans_each_statement_for_its_values(engine: Engine) -> None:
    """Prepared statements get no generic plan, which ignores the dates and page sizes."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"

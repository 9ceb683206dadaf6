"""The bulk writer: times stored as the ORM stores them, rows written through a function (by
way of a temporary table), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    select,
)

from ipec.db.bulk import bulk_load

THINGS = Table(
    "things",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("doubled", Integer),
    Column("at", DateTime(timezone=True)),
)


def _frame(first: int) -> pl.DataFrame:
    ids = [first, first + 1]
    stamps = [datetime(2026, 1, 2, 10, 30, tzinfo=UTC), datetime(2026, 5, 6, 23, 0, 1, 5, UTC)]
    return pl.DataFrame({"id": ids, "name": [f"thing {i}" for i in ids], "at": stamps})


def test_rows_written_through_a_function(engine: Engine) -> None:
    THINGS.metadata.create_all(engine)
    moved: list[tuple[str, list[str]]] = []

    def through(connection: Connection, staged: str, columns: Sequence[str]) -> None:
        moved.append((staged, list(columns)))
        connection.exec_driver_sql(
            f"INSERT INTO things (id, name, at, doubled) SELECT id, name, at, id * 2 FROM {staged}"
        )

    with engine.begin() as connection, bulk_load(connection, ["things"]) as writer:
        writer.write("things", _frame(1), through=through)
        writer.write("things", _frame(3), through=through)
    assert moved == [("ipec_staged_things", ["id", "name", "at"])] * 2
    with engine.connect() as connection:
        rows = connection.execute(select(THINGS).order_by(THINGS.c.id)).all()
        assert "ipec_staged_things" not in inspect(connection).get_table_names()
    assert [(row.id, row.name, row.doubled) for row in rows] == [
        (i, f"thing {i}", 2 * i) for i in range(1, 5)
    ]
    # Times come back as the ORM wrote them (SQLite keeps them in UTC without the zone).
    stamps = [row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC) for row in rows]
    assert stamps == _frame(1)["at"].to_list() * 2

"""Migrations build the whole schema from an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from ipec.db import Base, upgrade
from ipec.db.migrate import alembic_config


def test_upgrade_from_empty_matches_the_models(engine: Engine) -> None:
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_school_attendance_columns_from_empty(engine: Engine) -> None:
    """0005 adds two nullable integer columns to visits; its downgrade takes them away."""
    from alembic import command

    def visit_columns() -> dict[str, Any]:
        return {c["name"]: c for c in inspect(engine).get_columns("visits")}

    upgrade(engine, "0004")
    assert "school_days_attended" not in visit_columns()
    upgrade(engine, "0005")
    columns = visit_columns()
    for name in ("school_days_attended", "school_days_open"):
        assert columns[name]["nullable"] is True
        assert columns[name]["type"].python_type is int
    command.downgrade(alembic_config(engine), "0004")
    assert not {"school_days_attended", "school_days_open"} & set(visit_columns())


def test_migrations_form_one_line() -> None:
    from ipec.db import make_engine

    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    revisions = [r.revision for r in script.walk_revisions()]
    assert revisions == sorted(revisions, reverse=True)
    assert len(script.get_heads()) == 1


def test_sqlite_pragmas(tmp_path: object) -> None:
    from ipec.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()

"""Migrations build the whole schema from an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from ipec.db import Base, upgrade
from ipec.db.migrate import alembic_config, require_current
from ipec.errors import ConfigurationError


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


def test_downgrade_to_nothing_and_back(engine: Engine) -> None:
    """The baseline's downgrade removes every table it made; upgrading again rebuilds them."""
    from alembic import command

    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_a_pre_release_revision_is_refused_with_a_hint(engine: Engine) -> None:
    """A database left at a revision folded into the baseline (or made by a newer ipec) is
    named and refused, not half-upgraded."""
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0014'"))
    with pytest.raises(ConfigurationError, match="has schema 0014, which this ipec does not know"):
        upgrade(engine)
    with pytest.raises(ConfigurationError, match="has schema 0014, this ipec needs 0001"):
        require_current(engine)


#: A revision after the baseline, for the tests of what an upgrade does around a migration:
#: it adds a column to ``visits`` and fills it from each visit's child (a rewrite of every
#: row, as real migrations that copy a column do), then makes it required.
_NEXT_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("visits") as batch_op:
        batch_op.add_column(sa.Column("household_probe", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE visits SET household_probe = "
        "(SELECT household_id FROM children WHERE children.id = visits.child_id)"
    )
    with op.batch_alter_table("visits") as batch_op:
        batch_op.alter_column("household_probe", existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table("visits") as batch_op:
        batch_op.drop_column("household_probe")
"""


@pytest.fixture
def with_next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped migrations plus :data:`_NEXT_REVISION`, in a copy of their folder."""
    from ipec.db import migrate

    shipped = Path(str(resources.files("ipec.db") / "migrations"))
    folder = tmp_path / "migrations"
    shutil.copytree(shipped, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "0002_probe.py").write_text(_NEXT_REVISION, encoding="utf-8")

    def config(engine: Engine) -> Any:
        found = original(engine)
        found.set_main_option("script_location", str(folder))
        return found

    original = migrate.alembic_config
    monkeypatch.setattr(migrate, "alembic_config", config)


def _one_visit(engine: Engine, *, child_id: int = 1) -> None:
    """A visit, written with foreign keys off when its child does not exist (SQLite)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.execute(
            text(
                "INSERT INTO visits (id, child_id, area_id, visit_date, age, monitor, consent, "
                "record, profile_id, profile_version, status, reasons, missing, explanation, "
                "child_labour, hazardous_work) VALUES (1, :child, 1, '2026-01-01', 12, 'm', "
                "true, '{}', 'p', '1', 's', '[]', '[]', '', false, false)"
            ),
            {"child": child_id},
        )
        connection.commit()


@pytest.mark.usefixtures("with_next_revision")
def test_an_upgrade_of_a_database_with_a_schema_vacuums_it_on_postgresql(engine: Engine) -> None:
    """The visibility map is set again after migrations that rewrite rows (PostgreSQL)."""
    from ipec.db import migrate

    if engine.dialect.name != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    vacuumed = text("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'visits'")
    migrate.upgrade(engine, "0001")
    with engine.connect() as connection:
        before = connection.execute(vacuumed).scalar_one()
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # nothing to apply: nothing vacuumed
    with engine.connect() as connection:
        assert connection.execute(vacuumed).scalar_one() == before + 1


@pytest.mark.usefixtures("with_next_revision")
def test_a_vacuum_blocked_after_the_upgrade_is_a_warning(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The schema is upgraded (committed) before the vacuum: a table held by another session
    makes the vacuum give up with a warning, not an error that would read as a failed
    upgrade."""
    from ipec.db import migrate

    if engine.dialect.name != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    monkeypatch.setattr(migrate, "VACUUM_LOCK_TIMEOUT", "200ms")
    migrate.upgrade(engine, "0001")
    with engine.connect() as holder:
        # A table the next revision does not touch (it would wait for it).
        holder.execute(text("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE"))
        with caplog.at_level("WARNING", logger="ipec.db.migrate"):
            migrate.upgrade(engine)
        holder.rollback()
    assert "VACUUM of its tables failed (canceling statement due to lock timeout)" in caplog.text
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0002"
        )


@pytest.mark.usefixtures("with_next_revision")
def test_a_failed_migration_leaves_nothing_behind_on_sqlite(tmp_path: Path) -> None:
    """SQLite runs DDL in the migrations' one transaction too: a visit whose child is gone
    (written with foreign keys off) makes the next revision fail, and the schema stays at the
    baseline whole."""
    from sqlalchemy.exc import IntegrityError

    from ipec.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path}/failed.db")
    migrate.upgrade(engine, "0001")
    _one_visit(engine, child_id=99)
    engine.dispose()
    with pytest.raises(IntegrityError, match="NOT NULL"):
        migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0001"
        )
    assert "household_probe" not in {c["name"] for c in inspect(engine).get_columns("visits")}
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()

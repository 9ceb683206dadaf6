"""Migrations build the whole schema from an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
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


def _insert(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Write ``rows`` (table -> rows of column -> value) as they are, in one transaction."""
    with engine.begin() as connection:
        for table, values in rows.items():
            columns = list(values[0])
            connection.execute(
                text(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + c for c in columns)})"
                ),
                values,
            )


def test_area_copies_and_child_facts_filled_from_the_records(engine: Engine) -> None:
    """0007 gives the visits and cases already there their child's household's area; 0009
    computes the children's facts."""
    from alembic import command

    from ipec.monitoring.readmodel import refresh_child_facts

    upgrade(engine, "0006")
    rows = {
        "areas": [
            {"id": 1, "parent_id": None, "name": "country", "level": "country", "path": "/1/"},
            {"id": 2, "parent_id": 1, "name": "north", "level": "district", "path": "/1/2/"},
            {"id": 3, "parent_id": 1, "name": "south", "level": "district", "path": "/1/3/"},
        ],
        # household -> area: 10 -> 2, 11 -> 3, 12 -> 1
        "households": [
            {"id": 10 + i, "area_id": area, "head_name": "h", "version": 1}
            for i, area in enumerate((2, 3, 1))
        ],
        # child -> household: 20, 21 -> 10; 22 -> 11; 23 -> 12
        "children": [
            {"id": 20 + i, "household_id": household, "pseudonym": f"C-{i}", "name": f"c{i}",
             "sex": "female", "birth_date": date(2014, 1, 1), "version": 1}
            for i, household in enumerate((10, 10, 11, 12))
        ],
        "visits": [
            {"id": 30 + i, "child_id": child, "visit_date": date(2026, 1, 1 + i), "age": 12,
             "monitor": "m", "consent": True, "record": "{}", "profile_id": "p",
             "profile_version": "1", "status": "s", "reasons": "[]", "explanation": "",
             "child_labour": False, "hazardous_work": False}
            for i, child in enumerate((20, 21, 22, 23, 22))
        ],
        "cases": [
            {"id": 40 + i, "child_id": child, "kind": "child_labour", "status": "identified",
             "worst_forms": False, "hazardous": False, "opened_on": date(2026, 1, 1),
             "version": 1}
            for i, child in enumerate((21, 22, 23))
        ],
        # a follow-up done by a visit: SQLite rebuilds the visits table it refers to
        "follow_ups": [{"id": 50, "case_id": 40, "due_on": date(2026, 1, 2), "visit_id": 31}],
    }  # fmt: skip
    _insert(engine, rows)
    upgrade(engine, "0007")
    with engine.connect() as connection:
        visits = dict(connection.execute(text("SELECT id, area_id FROM visits")).all())
        cases = dict(connection.execute(text("SELECT id, area_id FROM cases")).all())
    assert visits == {30: 2, 31: 2, 32: 3, 33: 1, 34: 3}
    assert cases == {40: 2, 41: 3, 42: 1}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT visit_id FROM follow_ups")).scalar() == 31
    for table in ("visits", "cases"):
        column = {c["name"]: c for c in inspect(engine).get_columns(table)}["area_id"]
        assert column["nullable"] is False
        assert any(
            fk["constrained_columns"] == ["area_id"] and fk["referred_table"] == "areas"
            for fk in inspect(engine).get_foreign_keys(table)
        )
    # 0009 computes each visited child's facts from the visits already there.
    upgrade(engine, "0009")
    with engine.connect() as connection:
        facts = connection.execute(
            text("SELECT child_id, last_date, prev_date FROM child_facts ORDER BY child_id")
        ).all()
    as_dates = [(child, str(last), prev and str(prev)) for child, last, prev in facts]
    assert as_dates == [(20, "2026-01-01", None), (21, "2026-01-02", None),
                        (22, "2026-01-05", "2026-01-03"), (23, "2026-01-04", None)]  # fmt: skip
    # The migrations' own statements give what the application computes today.
    upgrade(engine)
    everything = text("SELECT * FROM child_facts ORDER BY child_id")
    with engine.begin() as connection:
        migrated = connection.execute(everything).all()
        refresh_child_facts(connection)
        assert connection.execute(everything).all() == migrated
    command.downgrade(alembic_config(engine), "0006")
    assert "child_facts" not in inspect(engine).get_table_names()
    for table in ("visits", "cases"):
        assert "area_id" not in {c["name"] for c in inspect(engine).get_columns(table)}


def _assert_case_copies(engine: Engine) -> None:
    """0014 copies each case's columns and its child's facts (none for child 21, never
    visited) to the case's facts, in the world of the test below."""
    upgrade(engine, "0014")
    copies = text(
        "SELECT case_id, area_id, child_id, kind, opened_on, closed_on, sex, last_date, "
        "prev_date, last_age, last_monitor, last_child_labour, last_hazardous FROM case_facts "
        "ORDER BY case_id"
    )
    with engine.connect() as connection:
        copied = [tuple(None if v is None else str(v) for v in row)
                  for row in connection.execute(copies)]  # fmt: skip
    latest = ("female", "2026-04-01", "2026-03-01", "11", "m", "0", "0")
    assert copied == [
        ("40", "2", "20", "child_labour", "2026-03-01", None, *latest),
        ("41", "2", "20", "child_labour", "2026-03-02", "2026-05-01", *latest),
        ("42", "3", "21", "child_labour", "2026-03-01", None, *(None,) * 7),
    ]


def test_case_facts_filled_from_the_records(engine: Engine) -> None:
    """0011 computes each case's facts (the identification visit's verdicts and the first
    start dates of its services) and each child's area and remediation start; 0012 the
    cases' kinds of service, the children's age at their first visit in child labour and the
    follow-ups' area; 0014 the cases' copies of their columns and their child's facts."""
    from alembic import command

    from ipec.monitoring.readmodel import refresh_case_facts, refresh_child_facts

    upgrade(engine, "0010")
    visit = {
        "area_id": 2,
        "monitor": "m",
        "consent": True,
        "record": "{}",
        "profile_id": "p",
        "profile_version": "1",
        "status": "s",
        "reasons": "[]",
        "explanation": "",
    }
    rows = {
        "areas": [
            {"id": 1, "parent_id": None, "name": "country", "level": "country", "path": "/1/"},
            {"id": 2, "parent_id": 1, "name": "north", "level": "district", "path": "/1/2/"},
            {"id": 3, "parent_id": 1, "name": "south", "level": "district", "path": "/1/3/"},
        ],
        "households": [{"id": 10 + i, "area_id": 2 + i, "head_name": "h", "version": 1}
                       for i in range(2)],
        # child 20 in the north (household 10), child 21 in the south (household 11)
        "children": [
            {"id": 20 + i, "household_id": 10 + i, "pseudonym": f"C-{i}", "name": f"c{i}",
             "sex": "female", "birth_date": date(2014, 1, 1), "version": 1}
            for i in range(2)
        ],
        # child 20: working on 1 March, then (same day, later id) hazardous; clean in April
        # (the ages as recorded, not in order).
        "visits": [
            {**visit, "id": 31, "child_id": 20, "visit_date": date(2026, 3, 1), "age": 13,
             "child_labour": True, "hazardous_work": False},
            {**visit, "id": 32, "child_id": 20, "visit_date": date(2026, 3, 1), "age": 12,
             "child_labour": True, "hazardous_work": True},
            {**visit, "id": 33, "child_id": 20, "visit_date": date(2026, 4, 1), "age": 11,
             "child_labour": False, "hazardous_work": False},
        ],
        # 40 opens with the March visits, 41 after them (closed in May), 42 (child 21) has
        # no visit at all.
        "cases": [
            {"id": 40 + i, "child_id": child, "area_id": child - 18, "kind": "child_labour",
             "status": "identified", "worst_forms": False, "hazardous": False,
             "opened_on": opened, "closed_on": closed, "version": 1}
            for i, (child, opened, closed) in enumerate(
                ((20, date(2026, 3, 1), None), (20, date(2026, 3, 2), date(2026, 5, 1)),
                 (21, date(2026, 3, 1), None))
            )
        ],
        "services": [
            {"id": 50 + i, "case_id": 40, "type": kind, "started_on": day}
            for i, (kind, day) in enumerate(
                (("health", date(2026, 3, 5)), ("school_kit", date(2026, 3, 9)),
                 ("bridging_class", date(2026, 3, 7)), ("health", date(2026, 3, 20)))
            )
        ],
        "follow_ups": [
            {"id": 60 + i, "case_id": case, "due_on": date(2026, 6, 1), "visit_id": None}
            for i, case in enumerate((40, 41, 42))
        ],
        # child 20's facts as 0009 left them (child 21 has no visit, hence no facts)
        "child_facts": [
            {"child_id": 20, "first_age": 11, "last_date": date(2026, 4, 1), "last_age": 11,
             "last_monitor": "m", "last_child_labour": 0, "last_hazardous": 0, "last_worst": 0,
             "prev_date": date(2026, 3, 1), "prev_child_labour": 1}
        ],
    }  # fmt: skip
    _insert(engine, rows)
    upgrade(engine, "0011")
    children = text(
        "SELECT child_id, area_id, household_id, sex, remediation_start, last_found_on "
        "FROM child_facts"
    )
    with engine.connect() as connection:
        found = [tuple(map(str, row)) for row in connection.execute(children)]
    assert found == [("20", "2", "10", "female", "2026-03-05", "2026-03-01")]
    everything = text("SELECT * FROM case_facts ORDER BY case_id")
    with engine.connect() as connection:
        migrated = connection.execute(everything).all()
    as_text = [tuple(None if v is None else str(v) for v in row) for row in migrated]
    assert as_text == [("40", "1", "0", "2026-03-05", "2026-03-07"),
                       ("41", "0", "0", None, None),
                       ("42", None, None, None, None)]  # fmt: skip
    upgrade(engine, "0012")
    with engine.connect() as connection:
        kinds = connection.execute(text("SELECT case_id, service_kinds FROM case_facts")).all()
        ages = connection.execute(text("SELECT first_found_age FROM child_facts")).all()
        follow_up_areas = connection.execute(text("SELECT id, area_id FROM follow_ups")).all()
    assert sorted(kinds) == [(40, 3), (41, 0), (42, 0)]  # health twice: three kinds
    assert ages == [(12,)]
    assert sorted(follow_up_areas) == [(60, 2), (61, 2), (62, 3)]
    _assert_case_copies(engine)
    # The migrations' own statements give what the application computes today.
    upgrade(engine)
    all_children = text("SELECT * FROM child_facts ORDER BY child_id")
    with engine.begin() as connection:
        cases_migrated = connection.execute(everything).all()
        children_migrated = connection.execute(all_children).all()
        refresh_child_facts(connection)
        refresh_case_facts(connection)
        assert connection.execute(everything).all() == cases_migrated
        assert connection.execute(all_children).all() == children_migrated
    command.downgrade(alembic_config(engine), "0013")
    kept = {c["name"] for c in inspect(engine).get_columns("case_facts")}
    assert kept == {"case_id", "first_child_labour", "first_hazardous", "first_service_on",
                    "first_education_on", "service_kinds"}  # fmt: skip
    assert "ix_case_facts_area" not in {
        i["name"] for i in inspect(engine).get_indexes("case_facts")
    }
    command.downgrade(alembic_config(engine), "0011")
    assert "service_kinds" not in {c["name"] for c in inspect(engine).get_columns("case_facts")}
    assert "first_found_age" not in {c["name"] for c in inspect(engine).get_columns("child_facts")}
    assert "area_id" not in {c["name"] for c in inspect(engine).get_columns("follow_ups")}
    command.downgrade(alembic_config(engine), "0010")
    assert "case_facts" not in inspect(engine).get_table_names()
    kept = {c["name"] for c in inspect(engine).get_columns("child_facts")}
    assert not {"area_id", "household_id", "sex", "remediation_start", "last_found_on"} & kept


def test_cases_get_their_childs_sex_and_birth_date(engine: Engine) -> None:
    """0013 copies each case's child's sex and birth date to the case, and puts them in the
    two priority indexes; its downgrade takes them away."""
    from alembic import command

    upgrade(engine, "0012")
    rows = {
        "areas": [{"id": 1, "parent_id": None, "name": "country", "level": "country",
                   "path": "/1/"}],
        "households": [{"id": 10, "area_id": 1, "head_name": "h", "version": 1}],
        "children": [
            {"id": 20 + i, "household_id": 10, "pseudonym": f"C-{i}", "name": f"c{i}",
             "sex": sex, "birth_date": born, "version": 1}
            for i, (sex, born) in enumerate((("female", date(2014, 2, 3)),
                                             ("male", date(2011, 7, 8))))
        ],
        "cases": [
            {"id": 40 + i, "child_id": child, "area_id": 1, "kind": "child_labour",
             "status": "identified", "worst_forms": False, "hazardous": False,
             "opened_on": date(2026, 3, 1), "version": 1}
            for i, child in enumerate((20, 21, 21))
        ],
    }  # fmt: skip
    _insert(engine, rows)
    upgrade(engine, "0013")
    with engine.connect() as connection:
        copies = connection.execute(
            text("SELECT id, child_sex, child_birth_date FROM cases ORDER BY id")
        ).all()
    assert [(i, sex, str(born)) for i, sex, born in copies] == [
        (40, "female", "2014-02-03"), (41, "male", "2011-07-08"), (42, "male", "2011-07-08")
    ]  # fmt: skip
    columns = {c["name"]: c for c in inspect(engine).get_columns("cases")}
    assert not columns["child_sex"]["nullable"]
    assert not columns["child_birth_date"]["nullable"]
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("cases")}
    for name in ("ix_cases_area_id_priority", "ix_cases_priority"):
        assert indexes[name][-2:] == ["child_birth_date", "child_sex"]
    command.downgrade(alembic_config(engine), "0012")
    columns = {c["name"]: c for c in inspect(engine).get_columns("cases")}
    assert not {"child_sex", "child_birth_date"} & set(columns)
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("cases")}
    assert indexes["ix_cases_priority"][-1] == "child_id"


def test_an_upgrade_of_a_database_with_a_schema_vacuums_it_on_postgresql(engine: Engine) -> None:
    """The visibility map is set again after migrations that rewrite rows (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    vacuumed = text("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'cases'")
    upgrade(engine, "0012")
    with engine.connect() as connection:
        before = connection.execute(vacuumed).scalar_one()
    upgrade(engine)
    upgrade(engine)  # nothing to apply: nothing vacuumed
    with engine.connect() as connection:
        assert connection.execute(vacuumed).scalar_one() == before + 1


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
    upgrade(engine, "0012")
    with engine.connect() as holder:
        # A table that no migration after 0012 touches (they would wait for it).
        holder.execute(text("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE"))
        with caplog.at_level("WARNING", logger="ipec.db.migrate"):
            upgrade(engine)
        holder.rollback()
    assert "VACUUM of its tables failed (canceling statement due to lock timeout)" in caplog.text
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_a_failed_migration_leaves_nothing_behind_on_sqlite(tmp_path: object) -> None:
    """SQLite runs DDL in the migrations' one transaction too: a visit whose child is gone
    (written with foreign keys off) makes 0007 fail, and the schema stays at 0006 whole."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from ipec.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/failed.db")
    upgrade(engine, "0006")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.execute(
            text(
                "INSERT INTO visits (id, child_id, visit_date, age, monitor, consent, record, "
                "profile_id, profile_version, status, reasons, explanation, child_labour, "
                "hazardous_work) VALUES (1, 99, '2026-01-01', 12, 'm', 1, '{}', 'p', '1', 's', "
                "'[]', '', 0, 0)"
            )
        )
        connection.commit()
    engine.dispose()
    with pytest.raises(IntegrityError, match="NOT NULL"):
        upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0006"
        )
    assert "area_id" not in {c["name"] for c in inspect(engine).get_columns("visits")}
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_visits_missing_values_from_the_records(engine: Engine) -> None:
    """0015 gives visits the fields an undetermined classification waits for: an empty list
    for the visits already recorded; its downgrade takes the column away."""
    import json

    from alembic import command

    upgrade(engine, "0014")
    rows = {
        "areas": [{"id": 1, "parent_id": None, "name": "c", "level": "country", "path": "/1/"}],
        "households": [{"id": 10, "area_id": 1, "head_name": "h", "version": 1}],
        "children": [{"id": 20, "household_id": 10, "pseudonym": "C-1", "name": "c",
                      "sex": "female", "birth_date": date(2014, 1, 1), "version": 1}],
        "visits": [{"id": 30, "child_id": 20, "area_id": 1, "visit_date": date(2026, 1, 1),
                    "age": 12, "monitor": "m", "consent": True, "record": "{}",
                    "profile_id": "p", "profile_version": "1", "status": "permitted_work",
                    "reasons": "[]", "explanation": "", "child_labour": False,
                    "hazardous_work": False}],
    }  # fmt: skip
    _insert(engine, rows)
    upgrade(engine, "0015")
    column = {c["name"]: c for c in inspect(engine).get_columns("visits")}["missing"]
    assert column["nullable"] is False
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT missing FROM visits WHERE id = 30")).scalar()
    assert (json.loads(stored) if isinstance(stored, str) else stored) == []
    command.downgrade(alembic_config(engine), "0014")
    assert "missing" not in {c["name"] for c in inspect(engine).get_columns("visits")}

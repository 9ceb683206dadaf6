"""``ipec forms xlsform``, ``ipec forms entities`` and ``ipec import submissions`` against a
real SQLite database."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.cli.main import run
from ipec.db import make_engine
from ipec.forms.entities import entity_name
from ipec.monitoring.models import Area, AuditEntry, Case, FollowUp, Sex, Visit
from ipec.monitoring.service import (
    ChildInput,
    record_visit,
    register_household,
    schedule_follow_ups,
)
from tests.forms.odk import XF, central_zip, convert_form
from tests.forms.test_importer import SDG, World, visit


@pytest.fixture
def url(tmp_path: Path) -> str:
    made = f"sqlite:///{tmp_path / 'ipec.db'}"
    assert run(["db", "upgrade", "--url", made]) == 0
    return made


@pytest.fixture
def world(url: str) -> World:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        made = World(session)
        session.commit()
    engine.dispose()
    return made


def test_xlsform_writes_a_form_that_converts(
    url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, xml = tmp_path / "visit.xlsx", tmp_path / "visit.xml"
    argv = [
        "forms",
        "xlsform",
        "-o",
        str(out),
        "--kind",
        "visit",
        "--user",
        "mon",
        "--xform",
        str(xml),
        "-p",
        "cocoa-ci-2017",
        "--url",
        url,
    ]
    assert run(argv) == 0
    assert "wrote" in capsys.readouterr().out
    form = etree.parse(str(xml)).getroot()
    # the monitor of Ahodwo gets Ahodwo's subtree: one community
    communities = form.find(f".//{{{XF}}}instance[@id='area_1']")
    assert [item.findtext(f"{{{XF}}}name") for item in communities.iter(f"{{{XF}}}item")] == [
        f"a{world.ahodwo.id}"
    ]


def test_xlsform_refuses_an_unknown_kind(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["forms", "xlsform", "-o", "x.xlsx", "--kind", "census", "--url", url]) == 1
    assert "--kind 'census' is not registration, visit or follow-up" in capsys.readouterr().err


def test_entities_lists_the_children_due_in_the_users_areas(
    url: str, world: World, tmp_path: Path
) -> None:
    today = datetime.now(UTC).date()
    engine = make_engine(url)
    with Session(engine) as session:
        for kid in (world.kofi, world.ama):
            record_visit(
                session,
                child_id=kid.id,
                visit_date=today - timedelta(days=100),
                monitor="m",
                consent=True,
                record={"econ_any": True, "econ_hours": 30},
                profile=SDG,
                actor="setup",
            )
            case = session.scalars(select(Case).where(Case.child_id == kid.id)).one()
            schedule_follow_ups(
                session,
                case_id=case.id,
                remediation_start=today - timedelta(days=95),
                until=today + timedelta(days=200),
            )
        session.commit()
        kofi_first = session.scalars(
            select(FollowUp)
            .join(Case)
            .where(Case.child_id == world.kofi.id)
            .order_by(FollowUp.due_on)
        ).first()
    out = tmp_path / "children_due.csv"
    assert run(["forms", "entities", "--user", "mon", "-o", str(out), "--url", url]) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    # the monitor of Ahodwo: Kofi only (Ama lives in Bantama), once, by the earliest follow-up
    assert [(row["child"], row["follow_up"]) for row in rows] == [
        (world.kofi.pseudonym, str(kofi_first.id))
    ]
    assert rows[0]["name"] == entity_name(kofi_first.id)
    assert rows[0]["birth_date"] == "2015-04-01"
    assert rows[0]["area"] == f"a{world.ahodwo.id}"
    with Session(engine) as session:
        read = session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.actor == "mon", AuditEntry.action == "child.read"
            )
        ).all()
    engine.dispose()
    assert read == [world.kofi.id]


def test_import_submissions_once_then_unchanged_and_names_the_refused(
    url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ipec.forms.people import areas_under
    from ipec.forms.xlsform import FormKind, build_xlsform
    from ipec.standards import load_profile
    from ipec.web.pages.i18n import LANGUAGES, load_translations

    engine = make_engine(url)
    with Session(engine) as session:
        translations = load_translations()
        made = build_xlsform(
            FormKind.VISIT,
            load_profile("sdg-8.7.1"),
            areas_under(session, "/"),
            languages=LANGUAGES,
            translate=lambda m, c: translations[c].gettext(m),
        )
    form = convert_form(made, tmp_path)
    good = visit(world, world.kofi, "uuid:c-1", visit_date=date.today().isoformat())
    late = visit(world, world.ama, "uuid:c-2", visit_date="2999-01-01")
    export = central_zip(form, [good, late], tmp_path / "visits.zip")
    capsys.readouterr()
    dry = ["import", "submissions", str(export), "--user", "sup", "--dry-run", "--url", url]
    assert run(dry) == 1
    assert "visits.zip (checked, nothing written): 1 new, 0 unchanged, 1 refused" in (
        capsys.readouterr().out
    )
    with Session(engine) as session:
        assert session.scalars(select(Visit)).all() == []
    assert run(["import", "submissions", str(export), "--user", "sup", "--url", url]) == 1
    said = capsys.readouterr()
    assert "visits.zip: 1 new, 0 unchanged, 1 refused" in said.out
    assert (
        "visits.zip/ipec_visit.csv, row 2 (uuid:c-2): visit_date: 2999-01-01 is in the future"
    ) in said.err
    assert run(["import", "submissions", str(export), "--user", "sup", "--url", url]) == 1
    assert "visits.zip: 0 new, 1 unchanged, 1 refused" in capsys.readouterr().out
    with Session(engine) as session:
        assert len(session.scalars(select(Visit)).all()) == 1
    engine.dispose()


def test_import_refuses_an_unknown_user(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "x.csv"
    export.write_text("form_kind,KEY\nvisit,uuid:1\n", encoding="utf-8")
    assert run(["import", "submissions", str(export), "--user", "nobody", "--url", url]) == 1
    assert "error: no user 'nobody'" in capsys.readouterr().err


def test_import_register_dry_run_then_for_real(
    url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        session.get_one(Area, world.ahodwo.id).code = "GH-AH"
        session.commit()
    engine.dispose()
    register = tmp_path / "register.csv"
    register.write_text(
        "household,area_code,head_name,child_name,sex,birth_date\n"
        "H1,GH-AH,Kwabena Ofori,Adwoa,female,2016-04-04\n"
        "H1,GH-AH,Kwabena Ofori,Kwadwo,male,2013-09-09\n",
        encoding="utf-8",
    )
    argv = ["import", "register", str(register), "--user", "mon", "--url", url]
    capsys.readouterr()
    assert run([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "register.csv, row 1 (household H1): new" in out
    assert "checked (nothing written) register.csv: 1 households new (2 children)" in out
    assert run(argv) == 0
    assert "imported register.csv: 1 households new (2 children)" in capsys.readouterr().out
    assert run(argv) == 0
    assert "0 households new (0 children), 1 already registered" in capsys.readouterr().out


def test_duplicates_lists_a_child_registered_twice_in_the_users_areas(
    url: str, world: World, tmp_path: Path
) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        # Kofi of Ahodwo registered again with a transliterated name and day and month swapped
        register_household(
            session,
            area_id=world.ahodwo.id,
            head_name="Kofi's",
            children=[ChildInput("Koffi", Sex.FEMALE, date(2015, 1, 4))],
            actor="setup",
        )
        session.commit()
    engine.dispose()
    out = tmp_path / "dups.csv"
    assert run(["duplicates", "--user", "mon", "-o", str(out), "--url", url]) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [(row["first"], row["second_name"]) for row in rows] == [(world.kofi.pseudonym, "Koffi")]
    assert rows[0]["agreeing"] == "name sex birth_date head area"

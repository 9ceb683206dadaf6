"""Submissions exported by ODK Central and KoboToolbox go in through the pages' service
functions and access gate, each once, each whole or not at all, every refusal named."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth import Role
from ipec.auth.access import Principal, principal_of
from ipec.auth.models import User
from ipec.auth.passwords import hash_password
from ipec.errors import DataError
from ipec.forms.exports import read_submissions
from ipec.forms.importer import ImportReport, import_submissions
from ipec.forms.people import areas_under
from ipec.forms.xlsform import FormKind, build_xlsform
from ipec.monitoring.models import (
    AuditEntry,
    Case,
    Child,
    FollowUp,
    Household,
    Sex,
    SubmissionImport,
    Visit,
)
from ipec.monitoring.service import ChildInput, create_area, register_household
from ipec.standards import Profile, load_profile
from ipec.web.pages.i18n import LANGUAGES, load_translations
from tests.forms.odk import (
    Converted,
    central_zip,
    convert_form,
    instance_xml,
    kobo_json,
    kobo_xlsx,
)

SDG = load_profile("sdg-8.7.1")
COCOA = load_profile("cocoa-ci-2017")
TODAY = date(2026, 12, 31)
TRANSLATIONS = load_translations()
HASHED = hash_password("a-long-password-1")


class World:
    """North > Kumasi > (Ahodwo, Bantama); a child in each community; a monitor of Ahodwo, a
    supervisor of Kumasi and a viewer."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.north = create_area(session, name="North", level="region")
        self.kumasi = create_area(session, name="Kumasi", level="district", parent_id=self.north.id)
        self.ahodwo = create_area(
            session, name="Ahodwo", level="community", parent_id=self.kumasi.id
        )
        self.bantama = create_area(
            session, name="Bantama", level="community", parent_id=self.kumasi.id
        )
        self.kofi = self._child(self.ahodwo, "Kofi", date(2015, 4, 1))
        self.ama = self._child(self.bantama, "Ama", date(2014, 6, 1))
        self.monitor = self._user("mon", Role.MONITOR, self.ahodwo.id)
        self.supervisor = self._user("sup", Role.SUPERVISOR, self.kumasi.id)
        self.viewer = self._user("view", Role.VIEWER, self.kumasi.id)

    def _child(self, where: Any, name: str, born: date) -> Child:
        household = register_household(
            self.session,
            area_id=where.id,
            head_name=f"{name}'s",
            children=[ChildInput(name, Sex.FEMALE, born)],
            actor="setup",
            today=TODAY,
        )
        self.session.refresh(household)
        return household.children[0]

    def _user(self, name: str, role: Role, area_id: int) -> Principal:
        # as ipec.auth.create_user makes them, with the password hashed once for the module
        user = User(
            username=name, display_name=name, password_hash=HASHED, role=role, area_id=area_id
        )
        self.session.add(user)
        self.session.flush()
        return principal_of(self.session, user)

    def form(self, kind: FormKind, folder: Path, profile: Profile = SDG) -> Converted:
        made = build_xlsform(
            kind,
            profile,
            areas_under(self.session, "/"),
            languages=LANGUAGES,
            translate=lambda m, code: TRANSLATIONS[code].gettext(m),
        )
        return convert_form(made, folder)

    def place(self, child: Child) -> dict[str, str]:
        where = self.ahodwo if child.id == self.kofi.id else self.bantama
        return {
            "area_1": f"a{self.north.id}",
            "area_2": f"a{self.kumasi.id}",
            "area_3": f"a{where.id}",
        }


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


def visit(world: World, kid: Child, instance: str, **answers: str) -> dict[str, Any]:
    """A visit submission with consent, working 30 hours (child labour under 15)."""
    return {
        "instanceID": instance,
        "form_kind": "visit",
        "profile": SDG.id,
        **world.place(kid),
        "child": kid.pseudonym,
        "visit_date": "2026-12-01",
        "consent": "yes",
        "econ_any": "yes",
        "econ_hours": "30",
        "wfcl_other": "no",
        **answers,
    }


def run(
    world: World, path: Path, who: Principal | None = None, profile: Profile = SDG
) -> ImportReport:
    submissions = read_submissions(path)
    return import_submissions(
        world.session, submissions, principal=who or world.monitor, profile=profile, today=TODAY
    )


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_central_visit_export_classifies_opens_a_case_and_goes_in_once(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    export = central_zip(form, [visit(world, world.kofi, "uuid:v-1")], tmp_path / "v.zip")
    report = run(world, export)
    assert (report.new, report.unchanged, report.rejected) == (1, 0, [])
    recorded = world.session.scalars(select(Visit).where(Visit.child_id == world.kofi.id)).one()
    # 11 years old, 30 hours of economic activity: child labour (below the minimum age)
    assert (recorded.age, recorded.child_labour, recorded.monitor) == (11, True, "ama")
    assert recorded.record["econ_hours"] == 30.0
    case = world.session.scalars(select(Case).where(Case.child_id == world.kofi.id)).one()
    assert case.status.value == "identified"
    ledger = world.session.scalars(select(SubmissionImport)).one()
    assert (ledger.instance_id, ledger.actor, ledger.made) == (
        "uuid:v-1",
        "mon",
        {"visit": recorded.id},
    )
    audited = set(world.session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "mon")))
    assert {"child.change", "visit.create", "submission.import"} <= audited
    again = run(world, export)
    assert (again.new, again.unchanged, again.rejected) == (0, 1, [])
    assert count(world.session, Visit) == 1
    assert count(world.session, Case) == 1


def test_a_kobo_registration_export_registers_the_household_and_its_children(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.REGISTRATION, tmp_path)
    sub = {
        "instanceID": "uuid:r-1",
        "form_kind": "registration",
        **world.place(world.kofi),
        "head_name": "Yaw Mensah",
        "supply_unit": "Coop 4",
        "location": "6.69 -1.62 250 5",
        "child": [
            {"child_name": "Akua", "sex": "female", "birth_date": "2016-02-29"},
            {
                "child_name": "Kwame",
                "sex": "male",
                "birth_date": "2012-11-30",
                "school_status": "in school",
            },
        ],
    }
    export = kobo_xlsx(form, [sub], tmp_path / "kobo.xlsx")
    before = count(world.session, Household)
    report = run(world, export)
    assert (report.new, report.rejected) == (1, [])
    household = world.session.scalars(
        select(Household).where(Household.head_name == "Yaw Mensah")
    ).one()
    names = sorted((c.name, c.sex.value, c.birth_date) for c in household.children)
    assert names == [("Akua", "female", date(2016, 2, 29)), ("Kwame", "male", date(2012, 11, 30))]
    assert (household.latitude, household.longitude, household.area_id) == (
        6.69,
        -1.62,
        world.ahodwo.id,
    )
    assert run(world, export).unchanged == 1
    assert count(world.session, Household) == before + 1


def test_a_central_registration_zip_links_the_repeat_by_parent_key(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.REGISTRATION, tmp_path)
    subs = [
        {
            "instanceID": f"uuid:r-{n}",
            "form_kind": "registration",
            **world.place(world.ama),
            "head_name": f"Head {n}",
            "location": "-6.5 -1.6 0 3",
            "child": [
                {"child_name": f"Child {n}{k}", "sex": "male", "birth_date": "2015-01-02"}
                for k in range(n)
            ],
        }
        for n in (1, 2)
    ]
    export = central_zip(form, subs, tmp_path / "r.zip")
    assert sorted(zipfile.ZipFile(export).namelist()) == [
        "ipec_registration-child.csv",
        "ipec_registration.csv",
    ]
    report = run(world, export, world.supervisor)
    assert (report.new, report.rejected) == (2, [])
    second = world.session.scalars(select(Household).where(Household.head_name == "Head 2")).one()
    assert sorted(c.name for c in second.children) == ["Child 20", "Child 21"]
    assert second.latitude == -6.5


def test_a_follow_up_submission_does_the_follow_up(world: World, tmp_path: Path) -> None:
    from ipec.monitoring.service import schedule_follow_ups

    run(
        world,
        central_zip(
            world.form(FormKind.VISIT, tmp_path),
            [visit(world, world.kofi, "uuid:v-1")],
            tmp_path / "v.zip",
        ),
    )
    case = world.session.scalars(select(Case).where(Case.child_id == world.kofi.id)).one()
    due = schedule_follow_ups(
        world.session,
        case_id=case.id,
        remediation_start=date(2026, 12, 2),
        until=date(2027, 12, 31),
    )[0]
    form = world.form(FormKind.FOLLOW_UP, tmp_path)
    sub = {
        "instanceID": "uuid:f-1",
        "form_kind": "follow-up",
        "due": "x",
        "child": world.kofi.pseudonym,
        "follow_up": str(due.id),
        "birth_date": "2015-04-01",
        "visit_date": "2026-12-20",
        "consent": "yes",
        "econ_any": "no",
        "wfcl_other": "no",
        "school_days_attended": "50",
        "school_days_open": "60",
    }
    report = run(world, central_zip(form, [sub], tmp_path / "f.zip"))
    assert (report.new, report.rejected) == (1, [])
    world.session.refresh(due)
    done = world.session.get(Visit, due.visit_id)
    assert done is not None
    assert (done.child_labour, done.school_days_open) == (False, 60)


def test_every_wrong_field_is_named_and_nothing_of_it_is_written(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    subs = [
        visit(world, world.kofi, "uuid:ok"),
        visit(
            world,
            world.kofi,
            "uuid:bad-1",
            econ_hours="200",
            visit_date="2027-02-01",
            area_3="a999999",
        ),
        visit(world, world.kofi, "uuid:bad-2", child="C-12", wfcl_other="perhaps"),
        visit(world, world.kofi, "uuid:bad-3", SubmitterName="ama", econ_any="no"),
        visit(world, world.kofi, "uuid:bad-4", econ_hours="<script>alert(1)</script>"),
    ]
    subs[3]["econ_hours"] = "12"  # hours of an activity not done
    report = run(world, central_zip(form, subs, tmp_path / "v.zip"))
    assert report.new == 1
    found = {(r.row, r.instance_id, r.field) for r in report.rejected}
    assert found == {
        (2, "uuid:bad-1", "econ_hours"),
        (2, "uuid:bad-1", "visit_date"),
        (2, "uuid:bad-1", "area_3"),
        (3, "uuid:bad-2", "child"),
        (3, "uuid:bad-2", "wfcl_other"),
        (4, "uuid:bad-3", "econ_hours"),
        (5, "uuid:bad-4", "econ_hours"),
    }
    lines = [r.line() for r in report.rejected]
    assert (
        "v.zip/ipec_visit.csv, row 2 (uuid:bad-1): visit_date: 2027-02-01 is in the future" in lines
    )
    assert count(world.session, Visit) == 1
    assert count(world.session, SubmissionImport) == 1


def test_a_control_character_or_an_overlong_name_is_refused(world: World, tmp_path: Path) -> None:
    form = world.form(FormKind.REGISTRATION, tmp_path)
    kid = [{"child_name": "Esi", "sex": "female", "birth_date": "2016-01-01"}]
    subs = [
        {
            "instanceID": "uuid:h-1",
            "form_kind": "registration",
            **world.place(world.kofi),
            "head_name": "Ab\u202eba",
            "child": kid,
        },
        {
            "instanceID": "uuid:h-2",
            "form_kind": "registration",
            **world.place(world.kofi),
            "head_name": "x" * 201,
            "child": [{**kid[0], "sex": "girl"}],
        },
    ]
    report = run(world, central_zip(form, subs, tmp_path / "r.zip"))
    assert report.new == 0
    messages = {(r.instance_id, r.field): r.message for r in report.rejected}
    assert messages[("uuid:h-1", "head_name")] == "a control character (U+202E)"
    assert messages[("uuid:h-2", "head_name")] == "201 characters, over 200"
    assert messages[("uuid:h-2", "child row 2: sex")] == "'girl' is not female or male"


def test_the_gate_scopes_the_import_as_it_scopes_the_pages(world: World, tmp_path: Path) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    export = central_zip(form, [visit(world, world.ama, "uuid:a-1")], tmp_path / "v.zip")
    refused = run(world, export)  # the monitor of Ahodwo; Ama lives in Bantama
    assert [(r.field, r.message) for r in refused.rejected] == [
        ("child", f"no child {world.ama.pseudonym} in your areas")
    ]
    viewer = run(world, export, world.viewer)
    assert "may read but not change" in viewer.rejected[0].message
    assert run(world, export, world.supervisor).new == 1


def test_a_visit_of_a_child_in_another_area_than_chosen_is_refused(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    sub = visit(world, world.ama, "uuid:a-1", area_3=f"a{world.ahodwo.id}")
    report = run(world, central_zip(form, [sub], tmp_path / "v.zip"), world.supervisor)
    assert report.rejected[0].field == "area"
    assert "does not live in the area chosen (Ahodwo)" in report.rejected[0].message


def test_a_refused_consent_keeps_no_answers_and_does_no_follow_up(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    sub = visit(
        world, world.kofi, "uuid:n-1", consent="no", econ_any="", econ_hours="", wfcl_other=""
    )
    assert run(world, central_zip(form, [sub], tmp_path / "v.zip")).new == 1
    kept = world.session.scalars(select(Visit)).one()
    assert (kept.status, kept.record, kept.consent) == ("consent_refused", {}, False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("version", "form version 'ipec-0' is not read"),
        ("columns", "the columns of the visit form are missing: econ_hours"),
        ("not-export", "not an ODK Central export of an ipec form"),
        ("not-zip", "not a .zip archive"),
    ],
)
def test_a_file_that_is_not_an_export_of_the_form_is_refused_whole(
    world: World, tmp_path: Path, change: str, message: str
) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    path = tmp_path / "v.zip"
    subs = [visit(world, world.kofi, "uuid:v-1")]
    if change == "version":
        central_zip(form, subs, path, version="ipec-0")
    elif change == "columns":
        form.fields = [field for field in form.fields if field[-1] != "econ_hours"]
        central_zip(form, subs, path)
    elif change == "not-export":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.csv", "a,b\n1,2\n")
    else:
        path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DataError, match=message):
        run(world, path)
    assert count(world.session, Visit) == 0


def test_a_workbook_with_a_formula_or_merged_cells_is_refused(world: World, tmp_path: Path) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    path = kobo_xlsx(form, [visit(world, world.kofi, "uuid:v-1")], tmp_path / "k.xlsx")
    book = load_workbook(path)
    book.active["B2"] = "=1+1"
    book.save(tmp_path / "formula.xlsx")
    with pytest.raises(DataError, match="a formula in cell B2"):
        read_submissions(tmp_path / "formula.xlsx")
    book = load_workbook(path)
    book.active.merge_cells("A2:B2")
    book.save(tmp_path / "merged.xlsx")
    with pytest.raises(DataError, match=r"merged cells \(A2:B2\)"):
        read_submissions(tmp_path / "merged.xlsx")


def test_an_edit_of_an_imported_submission_is_refused_not_doubled(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    run(world, central_zip(form, [visit(world, world.kofi, "uuid:v-1")], tmp_path / "a.zip"))
    subs = read_submissions(
        central_zip(form, [visit(world, world.kofi, "uuid:v-2")], tmp_path / "b.zip")
    )
    subs[0].fields["deprecatedID"] = "uuid:v-1"
    report = import_submissions(
        world.session, subs, principal=world.monitor, profile=SDG, today=TODAY
    )
    assert [r.field for r in report.rejected] == ["deprecatedID"]
    assert count(world.session, Visit) == 1


def test_the_same_submission_twice_in_one_file_goes_in_once(world: World, tmp_path: Path) -> None:
    form = world.form(FormKind.VISIT, tmp_path)
    sub = visit(world, world.kofi, "uuid:v-1")
    report = run(world, kobo_xlsx(form, [sub, sub], tmp_path / "k.xlsx"))
    assert (report.new, report.unchanged) == (1, 1)
    assert count(world.session, FollowUp) == 0
    assert count(world.session, Visit) == 1


def test_the_national_list_ticked_in_the_form_makes_the_work_hazardous(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.VISIT, tmp_path, COCOA)
    machete = COCOA.hazards.national[0].column
    base = {"chores_any": "no", "water_any": "no", "firewood_any": "no", "econ_hours": "4"}
    subs = [
        visit(world, world.kofi, "uuid:h-1", hazards=machete, **base),
        visit(world, world.kofi, "uuid:h-2", hazards=f"{machete} haz_x", **base),
    ]
    report = run(world, central_zip(form, subs, tmp_path / "v.zip"), profile=COCOA)
    assert [(r.instance_id, r.field, r.message) for r in report.rejected] == [
        ("uuid:h-2", "hazards", "unknown hazard code 'haz_x'")
    ]
    kept = world.session.scalars(select(Visit)).one()
    assert kept.record[machete] is True
    assert kept.hazardous_work is True
    assert kept.record[COCOA.hazards.national[1].column] is False


def test_xml_instances_of_a_folder_or_a_zip_go_in_as_the_exports_do(
    world: World, tmp_path: Path
) -> None:
    form = world.form(FormKind.REGISTRATION, tmp_path)
    sub = {
        "instanceID": "uuid:x-1",
        "form_kind": "registration",
        **world.place(world.kofi),
        "head_name": "Abena",
        "location": "6.7 -1.6 0 4",
        "child": [
            {"child_name": "Esi", "sex": "female", "birth_date": "2017-05-05"},
            {"child_name": "Kojo", "sex": "male", "birth_date": "2013-05-05"},
        ],
    }
    folder = tmp_path / "instances" / "ipec_registration_2026-12-01"
    folder.mkdir(parents=True)
    (folder / "ipec_registration_2026-12-01.xml").write_bytes(instance_xml(form, sub))
    report = run(world, tmp_path / "instances")
    assert (report.new, report.rejected) == (1, [])
    household = world.session.scalars(select(Household).where(Household.head_name == "Abena")).one()
    assert sorted(child.name for child in household.children) == ["Esi", "Kojo"]
    with zipfile.ZipFile(tmp_path / "instances.zip", "w") as archive:
        archive.writestr("uuidx1/submission.xml", instance_xml(form, sub))
    assert run(world, tmp_path / "instances.zip").unchanged == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<data id='ipec_visit'><form_kind>visit", "not well-formed XML"),
        (b"<!DOCTYPE lol [<!ENTITY a 'aaaa'>]><data>&a;</data>", "document type declaration"),
    ],
)
def test_a_malformed_or_entity_laden_instance_is_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "bad.xml").write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_submissions(tmp_path / "bad.xml")


def test_a_kobo_json_export_with_its_repeat_as_an_array(world: World, tmp_path: Path) -> None:
    form = world.form(FormKind.REGISTRATION, tmp_path)
    sub = {
        "instanceID": "uuid:j-1",
        "form_kind": "registration",
        **world.place(world.kofi),
        "head_name": "Efua Quaye",
        "child": [{"child_name": "Araba", "sex": "female", "birth_date": "2014-08-08"}],
    }
    path = kobo_json(form, [sub], tmp_path / "kobo.json")
    report = run(world, path)
    assert (report.new, report.rejected) == (1, [])
    household = world.session.scalars(
        select(Household).where(Household.head_name == "Efua Quaye")
    ).one()
    assert [child.name for child in household.children] == ["Araba"]
    (tmp_path / "not.json").write_text('{"results": 3}', encoding="utf-8")
    with pytest.raises(DataError, match="not a JSON export of submissions"):
        read_submissions(tmp_path / "not.json")


def test_a_submission_another_import_wrote_meanwhile_is_not_doubled(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipec.forms import importer

    form = world.form(FormKind.VISIT, tmp_path)
    export = central_zip(form, [visit(world, world.kofi, "uuid:v-1")], tmp_path / "v.zip")
    assert run(world, export).new == 1
    # a second import that looked before the first one wrote: it does not see the ledger row
    monkeypatch.setattr(importer, "_imported", lambda session, ids: set())
    report = run(world, export)
    assert [(r.field, r.message.split(":")[0]) for r in report.rejected] == [
        ("instanceID", "imported meanwhile by another import")
    ]
    assert count(world.session, Visit) == 1


def test_a_two_gigabyte_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.zip"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: nothing is written to the disk
    with pytest.raises(DataError, match="2048 MiB is over the 256 MiB an import reads"):
        read_submissions(path)

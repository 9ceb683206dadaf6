"""An existing register (CSV or XLSX, one row per child) goes in household by household
through the household page's service: mapped columns and codes, a dry run that writes
nothing, the user's scope, and a second import that registers nothing twice."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.forms.register import import_register, read_mapping, read_register
from ipec.monitoring.models import Child, Household
from tests.forms.test_importer import TODAY, World


@pytest.fixture
def world(session: Session) -> World:
    made = World(session)
    made.ahodwo.code, made.bantama.code = "GH-AH", "GH-BA"
    session.flush()
    return made


HEADER = ["Farmer ID", "Village", "Farmer", "Coop", "Child", "Sex", "Born", "GPS lat", "GPS lon"]
MAPPING = """
[columns]
household = "Farmer ID"
area_code = "Village"
head_name = "Farmer"
supply_unit = "Coop"
child_name = "Child"
sex = "Sex"
birth_date = "Born"
latitude = "GPS lat"
longitude = "GPS lon"

[values.sex]
F = "female"
M = "male"
"""


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _households(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Household)) or 0


def test_a_mapped_register_goes_in_once_household_by_household(
    world: World, tmp_path: Path
) -> None:
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    rows = [
        ["F-1", "GH-AH", "Kwaku Boateng", "Coop A", "Yaa", "F", "2015-03-01", "6.1", "-1.2"],
        ["F-1", "GH-AH", "Kwaku Boateng", "Coop A", "Kofi", "M", "2012-07-09", "6.1", "-1.2"],
        ["F-2", "GH-AH", "Adjoa Mensah", "", "Akosua", "F", "2018-01-30", "", ""],
        ["F-3", "GH-AH", "Esi Owusu", "", "Kwesi", "X", "2031-01-01", "", ""],
    ]
    path = _csv(tmp_path / "register.csv", rows)
    read = read_register(path, read_mapping(tmp_path / "map.toml"))
    before = _households(world.session)
    dry = import_register(
        world.session, read, principal=world.monitor, source=path.name, dry_run=True, today=TODAY
    )
    assert (dry.new, dry.children, dry.refused) == (2, 3, 1)
    assert _households(world.session) == before
    report = import_register(
        world.session, read, principal=world.monitor, source=path.name, today=TODAY
    )
    assert (report.new, report.existing, report.refused) == (2, 0, 1)
    assert [(fate.row, fate.outcome, fate.field) for fate in report.fates] == [
        (1, "new", ""),
        (2, "new", ""),
        (3, "new", ""),
        (4, "refused", "sex"),
        (4, "refused", "birth_date"),
    ]
    assert "row 4 (household F-3): refused: sex: 'X' is not female or male" in (
        report.fates[3].line(path.name)
    )
    boateng = world.session.scalars(
        select(Household).where(Household.head_name == "Kwaku Boateng")
    ).one()
    assert (boateng.supply_unit, boateng.latitude, boateng.area_id) == (
        "Coop A",
        6.1,
        world.ahodwo.id,
    )
    assert sorted((c.name, c.sex.value) for c in boateng.children) == [
        ("Kofi", "male"),
        ("Yaa", "female"),
    ]
    again = import_register(
        world.session, read, principal=world.monitor, source=path.name, today=TODAY
    )
    assert (again.new, again.existing) == (0, 2)
    assert _households(world.session) == before + 2


def test_a_household_outside_the_users_areas_is_refused(world: World, tmp_path: Path) -> None:
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    path = _csv(
        tmp_path / "r.csv", [["F-9", "GH-BA", "Ama Serwaa", "", "Abena", "F", "2016-02-02", "", ""]]
    )
    read = read_register(path, read_mapping(tmp_path / "map.toml"))
    report = import_register(
        world.session, read, principal=world.monitor, source=path.name, today=TODAY
    )
    assert report.refused == 1
    assert f"area {world.bantama.id} not found" in report.fates[0].message
    assert (
        import_register(
            world.session, read, principal=world.supervisor, source=path.name, today=TODAY
        ).new
        == 1
    )


def test_rows_of_one_household_that_disagree_refuse_it_whole(world: World, tmp_path: Path) -> None:
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    path = _csv(
        tmp_path / "r.csv",
        [
            ["F-5", "GH-AH", "Kojo Asante", "", "Afua", "F", "2016-02-02", "", ""],
            ["F-5", "GH-AH", "Kojo Asanti", "", "Yaw", "M", "2014-02-02", "", ""],
        ],
    )
    report = import_register(
        world.session,
        read_register(path, read_mapping(tmp_path / "map.toml")),
        principal=world.monitor,
        source=path.name,
        today=TODAY,
    )
    assert [(f.row, f.outcome, f.field) for f in report.fates] == [
        (1, "refused", ""),
        (2, "refused", "head_name"),
    ]
    assert world.session.scalars(select(Child).where(Child.name == "Afua")).all() == []


def test_missing_columns_formulas_and_bad_mappings_are_refused_naming_them(
    tmp_path: Path,
) -> None:
    path = _csv(tmp_path / "r.csv", [])
    with pytest.raises(DataError, match=r"missing columns: household, area_code, head_name"):
        read_register(path)
    (tmp_path / "bad.toml").write_text("[columns]\nhousehold_key = 'x'\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown names in the mapping: household_key"):
        read_mapping(tmp_path / "bad.toml")
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["F-1", "GH-AH", "=A1", "", "Yaa", "F", "2015-03-01", "", ""])
    book.save(tmp_path / "r.xlsx")
    with pytest.raises(DataError, match="a formula in cell C2"):
        read_register(tmp_path / "r.xlsx")

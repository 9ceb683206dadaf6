"""Importing areas on SQLite and PostgreSQL: paths, idempotence, updates by code, and files
refused whole with every bad row named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry
from ipec.monitoring.areas import AreaFileRefused, import_areas, read_area_file
from ipec.monitoring.models import Area
from ipec.monitoring.service import create_area
from tests.monitoring.areas.test_files import SQUARE, feature, write_geojson, write_xlsx

HEADER = "code,name,level,parent_code\n"
#: Four levels, children before their parents and out of order.
HIERARCHY = (
    "XL-N-01-001,Portside,community,XL-N-01\n"
    "XL-N-01,Harbour,district,XL-N\n"
    "XL-S-01-001,Dunes,community,XL-S-01\n"
    "XL,Xland,country,\n"
    "XL-N,North,region,XL\n"
    "XL-S,South,region,XL\n"
    "XL-S-01,Desert,district,XL-S\n"
    "XL-N-01-002,Lighthouse,community,XL-N-01\n"
)


def _file(folder: Path, body: str, name: str = "areas.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _import(session: Session, path: Path, **options: bool) -> tuple[int, int, int]:
    done = import_areas(session, read_area_file(path), actor="tester", **options)
    return done.created, done.updated, done.unchanged


def _areas(session: Session) -> dict[str, Area]:
    return {area.code or f"#{area.id}": area for area in session.scalars(select(Area))}


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Area)) or 0)


def test_a_four_level_hierarchy_gets_its_paths(session: Session, tmp_path: Path) -> None:
    assert _import(session, _file(tmp_path, HIERARCHY)) == (8, 0, 0)
    areas = _areas(session)
    by_id = {area.id: area for area in areas.values()}
    for area in areas.values():
        parent = by_id.get(area.parent_id) if area.parent_id is not None else None
        assert area.path == f"{parent.path if parent else '/'}{area.id}/"
    portside = areas["XL-N-01-001"]
    chain = [areas[code].id for code in ("XL", "XL-N", "XL-N-01", "XL-N-01-001")]
    assert portside.path == "/" + "".join(f"{area_id}/" for area_id in chain)
    assert (portside.name, portside.level, portside.parent_id) == (
        "Portside", "community", areas["XL-N-01"].id
    )  # fmt: skip
    subtree = session.scalars(select(Area.code).where(Area.path.startswith(areas["XL-N"].path)))
    assert sorted(subtree) == ["XL-N", "XL-N-01", "XL-N-01-001", "XL-N-01-002"]
    logged = session.scalars(select(AuditEntry).where(AuditEntry.action == "areas.import")).one()
    assert (logged.actor, logged.detail) == (
        "tester", {"source": "areas.csv", "created": 8, "updated": 0, "unchanged": 0}
    )  # fmt: skip


def test_importing_the_same_file_again_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = _file(tmp_path, HIERARCHY)
    _import(session, path)
    before = {code: (a.id, a.parent_id, a.path, a.name) for code, a in _areas(session).items()}
    assert _import(session, path) == (0, 0, 8)
    after = {code: (a.id, a.parent_id, a.path, a.name) for code, a in _areas(session).items()}
    assert after == before


def test_a_file_updates_names_and_levels_by_code_and_adds_areas(
    session: Session, tmp_path: Path
) -> None:
    _import(session, _file(tmp_path, HIERARCHY))
    ids = {code: area.id for code, area in _areas(session).items()}
    changed = (HIERARCHY.replace("Harbour,district", "Harbour City,municipality")
               + "XL-S-01-002,Oasis,community,XL-S-01\n")  # fmt: skip
    assert _import(session, _file(tmp_path, changed, "v2.csv")) == (1, 1, 7)
    areas = _areas(session)
    assert (areas["XL-N-01"].id, areas["XL-N-01"].name, areas["XL-N-01"].level) == (
        ids["XL-N-01"], "Harbour City", "municipality"
    )  # fmt: skip
    assert areas["XL-S-01-002"].path == f"{areas['XL-S-01'].path}{areas['XL-S-01-002'].id}/"


def test_a_file_may_add_areas_under_stored_ones(session: Session, tmp_path: Path) -> None:
    _import(session, _file(tmp_path, HIERARCHY))
    more = _file(tmp_path, "XL-N-02,Cliffs,district,XL-N\nXL-N-02-001,Rock,community,XL-N-02\n",
                 "more.csv")  # fmt: skip
    assert _import(session, more) == (2, 0, 0)
    areas = _areas(session)
    assert areas["XL-N-02-001"].path == (
        f"{areas['XL-N'].path}{areas['XL-N-02'].id}/{areas['XL-N-02-001'].id}/"
    )


def test_siblings_may_swap_names(session: Session, tmp_path: Path) -> None:
    _import(session, _file(tmp_path, HIERARCHY))
    swapped = HIERARCHY.replace("XL-N,North", "XL-N,@").replace("XL-S,South", "XL-S,North")
    assert _import(session, _file(tmp_path, swapped.replace("@", "South"), "b.csv")) == (0, 2, 6)
    areas = _areas(session)
    assert (areas["XL-N"].name, areas["XL-S"].name) == ("South", "North")


def test_xlsx_and_geojson_import_the_same_areas(session: Session, tmp_path: Path) -> None:
    rows = [line.split(",") for line in HIERARCHY.splitlines()]
    sheet = write_xlsx(tmp_path / "a.xlsx", [HEADER.strip().split(","), *rows])
    assert _import(session, sheet) == (8, 0, 0)
    features = [feature(code, name, level, parent or None, SQUARE if code == "XL" else None)
                for code, name, level, parent in rows]  # fmt: skip
    path = write_geojson(tmp_path / "a.geojson", features)
    assert _import(session, path) == (0, 1, 7)  # the boundary of XL is new
    assert json.loads(_areas(session)["XL"].boundary or "") == SQUARE
    assert _import(session, path) == (0, 0, 8)
    # A file without boundaries keeps the stored ones; a new boundary replaces the old.
    assert _import(session, _file(tmp_path, HIERARCHY)) == (0, 0, 8)
    assert json.loads(_areas(session)["XL"].boundary or "") == SQUARE
    bigger = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    features[3] = feature("XL", "Xland", "country", None, bigger)
    assert _import(session, write_geojson(tmp_path / "b.geojson", features)) == (0, 1, 7)
    assert json.loads(_areas(session)["XL"].boundary or "") == bigger


#: Every kind of bad row, each named with its reason (row numbers as a spreadsheet shows).
BAD = (
    "XL,Xland,country,\n"  # row 2: fine
    "XL-N,North,region,XL\n"  # row 3: its code is on row 6 too
    "XL-E,,region,XL\n"  # row 4
    "XL-W,West,,XL\n"  # row 5
    "XL-N,North again,region,XL\n"  # row 6
    "XL-X-01,Town,district,XL-X\n"  # row 7
    "L-A,Loop A,district,L-B\n"  # row 8
    "L-B,Loop B,district,L-A\n"  # row 9
    "S-1,Self,district,S-1\n"  # row 10
    "XL-N-01,Twin,district,XL-N\n"  # row 11
    "XL-N-02,Twin,district,XL-N\n"  # row 12
    ",No code,district,XL\n"  # row 13
    "XL-N-03,Harbour, Old Town,district,XL-N\n"  # row 14: an unquoted comma
    "XL-N-04,Fine,district,XL-N\n"  # row 15: fine
    + "XL-N-05,"
    + "N" * 201
    + ",district,XL-N\n"  # row 16
)


def test_every_bad_row_is_named_and_nothing_is_imported(session: Session, tmp_path: Path) -> None:
    with pytest.raises(AreaFileRefused) as refused:
        _import(session, _file(tmp_path, BAD))
    reasons: dict[int, list[str]] = {}
    for problem in refused.value.problems:
        reasons.setdefault(problem.number, []).append(problem.reason)
    assert reasons == {
        3: ["the code XL-N is on rows 3, 6"],
        4: ["the name is empty"],
        5: ["the level is empty"],
        6: ["the code XL-N is on rows 3, 6"],
        7: ["its parent code XL-X is neither in the file nor in the database"],
        8: ["the area L-A is its own ancestor: L-A -> L-B -> L-A"],
        9: ["the area L-B is its own ancestor: L-A -> L-B -> L-A"],
        10: ["the area S-1 is its own parent"],
        11: ["another area under XL-N is named Twin (row 12)"],
        12: ["another area under XL-N is named Twin (row 11)"],
        13: ["the code is empty"],
        14: ["has 5 values but the header names 4 columns (a comma in a name needs quotes)"],
        16: ["the name is longer than 200 characters"],
    }
    assert refused.value.lines[0] == "row 3: the code XL-N is on rows 3, 6"
    message = refused.value.one_line()
    assert message.startswith("areas.csv: 13 bad rows, nothing imported: row 3: the code XL-N")
    assert "; and 8 more; fix: correct every row named" in message
    assert _count(session) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_an_import_does_not_move_areas(session: Session, tmp_path: Path) -> None:
    _import(session, _file(tmp_path, HIERARCHY))
    moved = HIERARCHY.replace("XL-N-01,Harbour,district,XL-N", "XL-N-01,Harbour,district,XL-S")
    with pytest.raises(AreaFileRefused) as refused:
        _import(session, _file(tmp_path, moved, "moved.csv"))
    assert refused.value.lines == (
        "row 3: the area XL-N-01 has the parent XL-N in the database, not XL-S: an import "
        "does not move areas",
    )
    made_top = HIERARCHY.replace("XL-N,North,region,XL", "XL-N,North,region,")
    with pytest.raises(AreaFileRefused, match="not none \\(a top area\\)"):
        _import(session, _file(tmp_path, made_top, "top.csv"))
    assert _areas(session)["XL-N-01"].parent_id == _areas(session)["XL-N"].id


def test_stored_areas_without_a_code_keep_their_names(session: Session, tmp_path: Path) -> None:
    country = create_area(session, name="Xland", level="country")
    create_area(session, name="North", level="region", parent_id=country.id)
    # The stored top area has no code, so a file cannot name it: its own top area clashes.
    with pytest.raises(AreaFileRefused) as refused:
        _import(session, _file(tmp_path, "XL,Xland,country,\n"))
    assert refused.value.lines == (
        f"row 2: another area at the top is named Xland (area {country.id}, in the database)",
    )


def test_a_hierarchy_too_deep_to_store_is_refused(session: Session, tmp_path: Path) -> None:
    chain = "".join(f"C{n},Level {n},level,{f'C{n - 1}' if n else ''}\n" for n in range(150))
    with pytest.raises(AreaFileRefused, match="levels deep: the hierarchy is too deep to store"):
        _import(session, _file(tmp_path, chain))
    assert _count(session) == 0


def test_checking_a_file_writes_nothing(session: Session, tmp_path: Path) -> None:
    assert _import(session, _file(tmp_path, HIERARCHY), check_only=True) == (8, 0, 0)
    assert _count(session) == 0
    with pytest.raises(AreaFileRefused):
        _import(session, _file(tmp_path, BAD), check_only=True)


def test_many_areas_in_one_bulk_load(session: Session, tmp_path: Path) -> None:
    lines = ["C,Country,country,"]
    lines += [f"D{d},District {d},district,C" for d in range(100)]
    lines += [f"D{n % 100}-{n},Community {n},community,D{n % 100}" for n in range(20_000)]
    assert _import(session, _file(tmp_path, "\n".join(reversed(lines)) + "\n")) == (20_101, 0, 0)
    paths = dict(session.execute(select(Area.id, Area.path)).all())
    parents = dict(session.execute(select(Area.id, Area.parent_id)).all())
    for area_id, path in paths.items():
        parent = parents[area_id]
        assert path == f"{paths[parent] if parent else '/'}{area_id}/"

"""Reading files of areas: CSV, Excel and GeoJSON give the same rows; what cannot be read is
named row by row, or, for the whole file, as one error."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import openpyxl
import pytest

from ipec.errors import DataError
from ipec.monitoring.areas import AreaRow, BadRow, files, read_area_file

HEADER = ["code", "name", "level", "parent_code"]
ROWS = [
    ["XL", "Xland", "country", ""],
    ["XL-N", "North", "region", "XL"],
    ["XL-N-01", "Harbour, Old Town", "district", "XL-N"],
]
SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def _expected(boundary: str | None = None) -> tuple[AreaRow, ...]:
    return (
        AreaRow(2, "XL", "Xland", "country", "", boundary),
        AreaRow(3, "XL-N", "North", "region", "XL", None),
        AreaRow(4, "XL-N-01", "Harbour, Old Town", "district", "XL-N", None),
    )


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_geojson(path: Path, features: list[object]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def feature(code: str, name: str, level: str, parent: str | None, geometry: object = None) -> dict:
    properties = {"code": code, "name": name, "level": level, "parent_code": parent}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_the_examples_of_the_module_run() -> None:
    assert doctest.testmod(files).failed == 0


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(
        "\ufeffCode , Name,LEVEL,parent_code,population\n"
        "XL,Xland,country,,100\n"
        ",,,,\n"  # a blank row is skipped, and still counted
        "XL-N, North ,region,XL,\n"
        'XL-N-01,"Harbour, Old Town",district,XL-N\n',
        encoding="utf-8",
    )
    found = read_area_file(path)
    assert found.unit == "row"
    assert found.problems == ()
    assert [(row.number, row.code, row.name) for row in found.rows] == [
        (2, "XL", "Xland"), (4, "XL-N", "North"), (5, "XL-N-01", "Harbour, Old Town")
    ]  # fmt: skip


def test_csv_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("code;name;level;parent_code\nXL;Xland;country;\n", encoding="utf-8")
    assert read_area_file(path).rows == (AreaRow(2, "XL", "Xland", "country", ""),)


def test_xlsx_reads_as_the_csv(tmp_path: Path) -> None:
    found = read_area_file(write_xlsx(tmp_path / "areas.xlsx", [HEADER, *ROWS]))
    assert found.rows == _expected()
    # Codes typed as numbers lose nothing but their ".0"; an empty cell is an empty value.
    typed = [HEADER, [101, "A", "x", None], [10102, "B", "y", 101.0]]
    numbers = read_area_file(write_xlsx(tmp_path / "n.xlsx", typed))
    assert [(row.code, row.parent_code) for row in numbers.rows] == [("101", ""), ("10102", "101")]


def test_geojson_keeps_each_boundary(tmp_path: Path) -> None:
    features = [feature(*ROWS[0][:3], None, SQUARE), feature(*ROWS[1]), feature(*ROWS[2])]
    found = read_area_file(write_geojson(tmp_path / "areas.geojson", features))
    assert found.unit == "feature"
    first, *others = found.rows
    assert json.loads(first.boundary or "") == SQUARE
    assert [(r.number, r.code, r.parent_code, r.boundary) for r in others] == [
        (2, "XL-N", "XL", None), (3, "XL-N-01", "XL-N", None)
    ]  # fmt: skip


def test_rows_that_cannot_be_read_are_named(tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("code,name,level,parent_code\nXL,Xland,country,\n"
                    "XL-S,South, Coast,region,XL\n", encoding="utf-8")  # fmt: skip
    found = read_area_file(path)
    assert found.problems == (
        BadRow(3, "has 5 values but the header names 4 columns (a comma in a name needs quotes)"),
    )
    listed = {"code": ["C"], "name": "C", "level": "x"}
    points = [feature("A", "A", "x", None, {"type": "Point", "coordinates": [0, 0]}),
              {"type": "Feature", "geometry": None}, feature("B", "B", "x", None),
              {"type": "Feature", "properties": listed}]  # fmt: skip
    read = read_area_file(write_geojson(tmp_path / "bad.geojson", points))
    assert read.problems == (
        BadRow(1, "its geometry is a Point: a boundary is a Polygon or MultiPolygon"),
        BadRow(2, "is not a Feature with properties"),
        BadRow(4, "code is neither text nor a number"),
    )
    assert [row.code for row in read.rows] == ["B"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "code,name,level\nXL,Xland,country\n", "the header has no column 'parent_code'"),
        ("a.csv", "", "the file is empty"),
        ("a.txt", "code,name,level,parent_code\n", "'.txt' is not a file of areas"),
        ("a.geojson", '{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ("a.geojson", "{", "not GeoJSON"),
        ("a.xlsx", "not a workbook", "not an Excel workbook"),
    ],
)
def test_files_that_cannot_be_read(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as raised:
        read_area_file(path)
    assert raised.value.one_line().startswith(name)


def test_csv_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_bytes("code,name,level,parent_code\nXL,Côte,country,\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"not UTF-8 .*fix: save it as CSV UTF-8"):
        read_area_file(path)

"""Reading a file of administrative areas: CSV, Excel (.xlsx) or GeoJSON, into rows.

Each area is a row with the columns (or, in GeoJSON, the feature properties) ``code``,
``name``, ``level`` and ``parent_code`` (empty for a top area); other columns are ignored. A
GeoJSON feature's geometry (a Polygon or MultiPolygon) is kept as the area's boundary, once
checked (a valid shape in longitude and latitude degrees: :func:`ipec.maps.boundary_problem`).

Rows are numbered as a spreadsheet shows them (the header is row 1, the first area row 2);
GeoJSON features from 1. Reading never stops at a bad row: what is wrong with each is
collected (:class:`BadRow`), so that a file is refused once with every bad row named.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipec.errors import DataError
from ipec.maps.geometry import boundary_problem

__all__ = [
    "COLUMNS",
    "AreaFile",
    "AreaFileRefused",
    "AreaRow",
    "BadRow",
    "read_area_file",
]

#: The columns (or feature properties) every file has.
COLUMNS = ("code", "name", "level", "parent_code")
#: Geometries a boundary may have.
_BOUNDARY_TYPES = ("Polygon", "MultiPolygon")
#: How many bad rows the one-line message of a refusal lists (all are in ``problems``).
_LISTED = 5


@dataclass(frozen=True, slots=True)
class AreaRow:
    """One area of a file: ``parent_code`` is empty for a top area; ``boundary`` is GeoJSON
    geometry text, or None when the file gives none (an area's boundary is then kept)."""

    number: int
    code: str
    name: str
    level: str
    parent_code: str
    boundary: str | None = None


@dataclass(frozen=True, slots=True)
class BadRow:
    """What is wrong with one row (``number`` as in :class:`AreaRow`)."""

    number: int
    reason: str


@dataclass(frozen=True, slots=True)
class AreaFile:
    """The rows of a file, and what was wrong with the rows that could not be read;
    ``unit`` is what its rows are called ("row", or "feature" in GeoJSON)."""

    source: str
    unit: str
    rows: tuple[AreaRow, ...]
    problems: tuple[BadRow, ...] = field(default=())

    def describe(self, problem: BadRow) -> str:
        """``row 7: the name is empty``."""
        return f"{self.unit} {problem.number}: {problem.reason}"


class AreaFileRefused(DataError):
    """A file of areas refused whole: ``problems`` names every bad row with its reason, and
    nothing was imported."""

    def __init__(self, area_file: AreaFile, problems: Sequence[BadRow]) -> None:
        self.problems = tuple(sorted(problems, key=lambda problem: problem.number))
        self.lines = tuple(area_file.describe(problem) for problem in self.problems)
        rows = {problem.number for problem in self.problems}
        listed = "; ".join(self.lines[:_LISTED])
        if len(self.lines) > _LISTED:
            listed += f"; and {len(self.lines) - _LISTED} more"
        noun = area_file.unit if len(rows) == 1 else f"{area_file.unit}s"
        super().__init__(
            f"{len(rows)} bad {noun}, nothing imported: {listed}",
            source=area_file.source,
            hint="correct every row named and import the file again",
        )


def read_area_file(path: Path) -> AreaFile:
    """The areas of a ``.csv``, ``.xlsx``, ``.geojson`` or ``.json`` (GeoJSON) file.

    A file that cannot be read at all (missing, not UTF-8, not a workbook, not a
    FeatureCollection, a required column missing) raises :class:`~ipec.errors.DataError`;
    bad rows are returned in :attr:`AreaFile.problems`.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "areas.csv").write_text("code,name,level,parent_code\\nXL,Xland,country,\\n")
    >>> read_area_file(folder / "areas.csv").rows
    (AreaRow(number=2, code='XL', name='Xland', level='country', parent_code='', boundary=None),)
    """
    source = path.name
    if not path.is_file():
        raise DataError("no such file", source=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _from_table(source, _csv_records(path))
    if suffix == ".xlsx":
        return _from_table(source, _xlsx_records(path))
    if suffix in {".geojson", ".json"}:
        return _from_geojson(source, path)
    raise DataError(
        f"'{path.suffix}' is not a file of areas",
        source=source,
        hint="give a .csv, .xlsx or .geojson file",
    )


def _text(value: Any) -> str | None:
    """A cell or property as text (a whole number without its '.0'), or None when it is
    neither text nor a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return None


def _row(number: int, values: Sequence[Any], boundary: str | None) -> AreaRow | BadRow:
    """The row of the values of :data:`COLUMNS`, in that order."""
    texts = [value.strip() if type(value) is str else _text(value) for value in values]
    code, name, level, parent = texts
    if code is None or name is None or level is None or parent is None:
        wrong = [column for column, text in zip(COLUMNS, texts, strict=True) if text is None]
        return BadRow(number, f"{', '.join(wrong)} is neither text nor a number")
    return AreaRow(number, code, name, level, parent, boundary)


def _keep(found: AreaRow | BadRow, rows: list[AreaRow], problems: list[BadRow]) -> None:
    if isinstance(found, AreaRow):
        rows.append(found)
    else:
        problems.append(found)


def _from_table(source: str, records: Iterator[tuple[int, list[Any]]]) -> AreaFile:
    """Rows from a header and records (row number, cells), blank records skipped."""
    header_row = next(records, None)
    if header_row is None:
        raise DataError("the file is empty", source=source, hint=_HEADER_HINT)
    header = [str(cell).strip().lower() if cell is not None else "" for cell in header_row[1]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise DataError(f"the header has no column {', '.join(repr(m) for m in missing)}",
                        source=source, hint=_HEADER_HINT)  # fmt: skip
    width = max(index for index, name in enumerate(header) if name) + 1
    columns = [header.index(name) for name in COLUMNS]
    rows: list[AreaRow] = []
    problems: list[BadRow] = []
    for number, given in records:
        cells = given + [None] * (width - len(given))  # short rows end in blanks
        if len(cells) > width and any(not _blank(cell) for cell in cells[width:]):
            count = width + sum(not _blank(cell) for cell in cells[width:])
            problems.append(BadRow(number, f"has {count} values but the header names {width} "
                                           "columns (a comma in a name needs quotes)"))  # fmt: skip
            continue
        if all(_blank(cell) for cell in cells):
            continue
        _keep(_row(number, [cells[index] for index in columns], None), rows, problems)
    return AreaFile(source, "row", tuple(rows), tuple(problems))


_HEADER_HINT = "the first row names the columns code, name, level and parent_code"


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of a CSV file in UTF-8 (a byte-order mark is skipped), separated by
    commas, semicolons or tabs (whichever the header holds most of)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"the file is not UTF-8 text (byte {error.start})", source=path.name,
                        hint="save it as CSV UTF-8") from None  # fmt: skip
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise DataError(f"unreadable CSV: {error}", source=path.name,
                        rows=[reader.line_num - 1]) from None  # fmt: skip


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the first sheet of an Excel workbook."""
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as error:
        raise DataError(f"not an Excel workbook ({error})", source=path.name,
                        hint="save it as .xlsx (Excel 2007 and later)") from None  # fmt: skip
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def _from_geojson(source: str, path: Path) -> AreaFile:
    """Rows from the features of a GeoJSON FeatureCollection."""
    try:
        document = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"not GeoJSON: {error}", source=source) from None
    features = document.get("features") if isinstance(document, dict) else None
    collection = isinstance(document, dict) and document.get("type") == "FeatureCollection"
    if not collection or not isinstance(features, list):
        raise DataError("not a GeoJSON FeatureCollection", source=source,
                        hint="give a FeatureCollection whose features have the properties "
                             "code, name, level and parent_code")  # fmt: skip
    rows: list[AreaRow] = []
    problems: list[BadRow] = []
    for number, feature in enumerate(features, start=1):
        _keep(_feature(number, feature), rows, problems)
    return AreaFile(source, "feature", tuple(rows), tuple(problems))


def _feature(number: int, feature: Any) -> AreaRow | BadRow:
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        return BadRow(number, "is not a Feature with properties")
    geometry = feature.get("geometry")
    boundary = None
    if geometry is not None:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in _BOUNDARY_TYPES or not isinstance(geometry.get("coordinates"), list):
            shown = f"a {kind}" if isinstance(kind, str) else "not a geometry"
            return BadRow(number, f"its geometry is {shown}: a boundary is a Polygon or "
                                  "MultiPolygon")  # fmt: skip
        problem = boundary_problem(geometry)
        if problem is not None:
            return BadRow(number, problem)
        boundary = json.dumps(geometry, separators=(",", ":"))
    properties = feature["properties"]
    return _row(number, [properties.get(column) for column in COLUMNS], boundary)

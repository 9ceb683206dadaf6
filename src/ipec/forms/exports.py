"""Submissions read from what ODK Central and KoboToolbox export, as plain field -> text
(and, by :mod:`ipec.forms.instances`, from XML instances: a folder, a .zip or one .xml).

Read here (the forms of :mod:`ipec.forms.xlsform`, version :data:`FORM_VERSION`):

- ODK Central's CSV export, a .zip holding the form's table (``ipec_visit.csv``) and one
  table per repeat (``ipec_registration-child.csv``), linked by ``KEY`` and ``PARENT_KEY``;
  columns are group paths joined by ``-`` (``answers-econ_any``, ``meta-instanceID``), a
  geopoint split into ``-Latitude``, ``-Longitude``... (the root table alone, a .csv, is
  read too). https://docs.getodk.org/central-submissions/#exporting-submissions
- KoboToolbox's XLSX export (one sheet per table, repeats linked by ``_index`` and
  ``_parent_index``) and CSV export (``;`` or ``,``), "XML values and headers", groups in
  headers joined by ``/`` or not; the instance id is ``meta/instanceID`` or ``_uuid``; and
  its JSON export (a list of submissions, or the API's ``results``; repeats as arrays).
  https://support.kobotoolbox.org/export_download.html

A file that is not one of these (no instance id column, another form's version, formulas
or merged cells in a workbook, over :data:`MAX_BYTES`) is refused whole with a
``DataError`` naming it; nothing is read from it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ipec.errors import DataError
from ipec.forms.xlsform import FORM_VERSION

__all__ = ["MAX_BYTES", "Submission", "read_submissions"]

#: The largest file (and, for a .zip, the most its tables hold once unpacked) read.
MAX_BYTES = 256 * 1024 * 1024
_GEO = {"latitude", "longitude", "altitude", "accuracy"}
_SPLIT = re.compile(r"[-/]")


@dataclass
class Submission:
    """One submission: its fields by name (groups dropped), its repeats' rows, and where it
    is in the file (``row``: the data row, 1 for the first under the header)."""

    source: str
    row: int
    fields: dict[str, str]
    repeats: dict[str, list[Submission]] = field(default_factory=dict)

    @property
    def instance_id(self) -> str:
        found = self.fields.get("instanceID") or self.fields.get("KEY", "")
        if not found and self.fields.get("uuid"):
            found = f"uuid:{self.fields['uuid']}"
        return found.strip()


def field_name(column: str) -> str:
    """A column's field name: the last part of its group path (``answers-econ_any`` and
    ``answers/econ_any`` are ``econ_any``), a geopoint part as ``location_latitude``, and
    Kobo's leading ``_`` dropped (``_uuid`` is ``uuid``)."""
    parts = [part for part in _SPLIT.split(column.strip()) if part]
    if not parts:
        return ""
    last = parts[-1]
    if last.lower() in _GEO and len(parts) > 1:
        return f"{parts[-2]}_{last.lower()}"
    return last.lstrip("_") if last.startswith("_") and last != "_" else last


def _refuse(source: str, message: str, hint: str) -> DataError:
    return DataError(message, source=source, hint=hint)


def _rows(header: list[str], body: Iterable[list[str]], source: str) -> Iterator[dict[str, str]]:
    names = [field_name(column) for column in header]
    for number, values in enumerate(body, start=1):
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(names):
            raise _refuse(
                source,
                f"row {number} has {len(values)} values for {len(names)} columns",
                "export the file again",
            )
        row = {"": str(number)}
        for name, value in zip(names, values, strict=False):
            if name and (name not in row or not row[name]):
                row[name] = value
        yield row


def _csv_table(data: bytes, source: str) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(
            source, f"not UTF-8 text (byte {error.start})", "export the submissions as CSV again"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        return list(_rows(header, reader, source))
    except csv.Error as error:
        raise _refuse(source, f"not a CSV table ({error})", "export it again") from None


def _xlsx_tables(data: bytes, source: str) -> list[tuple[str, list[dict[str, str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise _refuse(
            source,
            f"not an .xlsx workbook ({type(error).__name__})",
            "export the submissions as XLSX again",
        ) from None
    tables = []
    for sheet in book.worksheets:
        where = f"{source}, sheet {sheet.title}"
        if sheet.merged_cells.ranges:
            raise _refuse(
                where,
                f"merged cells ({min(r.coord for r in sheet.merged_cells.ranges)})",
                "export the file again, or unmerge the cells",
            )
        values: list[list[str]] = []
        for row in sheet.iter_rows():
            line = []
            for cell in row:
                if cell.data_type == "f":
                    raise _refuse(
                        where,
                        f"a formula in cell {cell.coordinate}",
                        "replace formulas by their values",
                    )
                value = cell.value
                line.append("" if value is None else _cell_text(value))
            values.append(line)
        if values:
            tables.append((sheet.title, list(_rows(values[0], values[1:], where))))
    return tables


def _cell_text(value: object) -> str:
    """A cell as the export wrote it (a date cell as its ISO date)."""
    from datetime import date, datetime

    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _link(
    main: list[dict[str, str]],
    repeats: dict[str, list[dict[str, str]]],
    source: str,
    sources: dict[str, str],
) -> list[Submission]:
    """Each repeat row under its submission: by ``PARENT_KEY`` (ODK Central) or by
    ``_parent_index`` (Kobo)."""
    submissions = [Submission(source, int(row.pop("")), row) for row in main]
    by_key = {sub.fields.get("KEY", ""): sub for sub in submissions if sub.fields.get("KEY")}
    by_index = {sub.fields.get("index", ""): sub for sub in submissions if sub.fields.get("index")}
    for name, rows in repeats.items():
        for row in rows:
            number = int(row.pop(""))
            parent = by_key.get(row.get("PARENT_KEY", ""))
            if parent is None:
                parent = by_index.get(row.get("parent_index", ""))
            if parent is None:
                raise _refuse(
                    sources[name],
                    f"row {number} belongs to no submission of "
                    f"{source} (PARENT_KEY {row.get('PARENT_KEY', '')!r})",
                    "export the form's tables together, in one .zip",
                )
            parent.repeats.setdefault(name, []).append(Submission(sources[name], number, row))
    return submissions


def _check(submissions: list[Submission], source: str) -> list[Submission]:
    """The submissions of a known version of ipec's forms with an instance id each."""
    for sub in submissions:
        version = sub.fields.get("FormVersion", "")  # Kobo's __version__ is its own
        if version and version != FORM_VERSION:
            raise _refuse(
                source,
                f"row {sub.row}: form version {version!r} is not read "
                f"(ipec reads forms of version {FORM_VERSION!r})",
                "collect with the forms of ipec forms xlsform",
            )
        if not sub.instance_id:
            raise _refuse(
                source,
                f"row {sub.row}: no instanceID (meta-instanceID, KEY or _uuid)",
                "export the submissions with their metadata",
            )
        if not sub.fields.get("form_kind"):
            raise _refuse(
                source,
                f"row {sub.row}: no form_kind column: not a submission of an ipec form",
                "export a form made by ipec forms xlsform",
            )
    return submissions


def _from_zip(path: Path) -> list[Submission]:
    source = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _refuse(
            source, "not a .zip archive", "give ODK Central's CSV export (.zip)"
        ) from None
    with archive:
        tables = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".csv") and not info.is_dir()
        ]
        if not tables and any(name.lower().endswith(".xml") for name in archive.namelist()):
            from ipec.forms.instances import read_instances

            return _check(read_instances(path), source)
        if sum(info.file_size for info in tables) > MAX_BYTES:
            raise _refuse(
                source,
                f"its tables hold over {MAX_BYTES // 2**20} MiB unpacked",
                "export fewer submissions at once",
            )
        read = {
            info.filename: _csv_table(archive.read(info), f"{source}/{info.filename}")
            for info in tables
        }
    mains = [
        name
        for name, rows in read.items()
        if rows and "PARENT_KEY" not in rows[0] and "form_kind" in rows[0]
    ]
    if len(mains) != 1:
        raise _refuse(
            source,
            "not an ODK Central export of an ipec form (no table with form_kind and KEY)"
            if not mains
            else f"several forms' tables ({', '.join(sorted(mains))})",
            "export one form's submissions (CSV .zip) from ODK Central",
        )
    main = mains[0]
    stem = Path(main).stem
    repeats, sources = {}, {}
    for name, rows in read.items():
        if name == main or not rows:
            continue
        repeat = Path(name).stem.removeprefix(f"{stem}-")
        repeats[repeat], sources[repeat] = rows, f"{source}/{name}"
    return _check(_link(read[main], repeats, f"{source}/{main}", sources), source)


def _json_fields(record: dict[str, object], source: str, number: int) -> Submission:
    """A submission of Kobo's JSON: keys are group paths (``answers/econ_any``), a repeat is
    a list of such objects."""
    fields: dict[str, str] = {}
    repeats: dict[str, list[Submission]] = {}
    for key, value in record.items():
        name = field_name(key)
        if isinstance(value, list):
            rows = [item for item in value if isinstance(item, dict)]
            repeats[name] = [
                _json_fields(row, source, index) for index, row in enumerate(rows, start=1)
            ]
        elif isinstance(value, dict):
            continue  # Kobo's own structures (_geolocation as a dict, attachments...)
        elif value is not None and name:
            fields[name] = value if isinstance(value, str) else json.dumps(value)
    return Submission(source, number, fields, repeats)


def _from_json(data: bytes, source: str) -> list[Submission]:
    """KoboToolbox's JSON export: a list of submissions, or an object whose ``results`` is
    one (the API's answer)."""
    try:
        found = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refuse(
            source, f"not JSON ({error})", "export the submissions as JSON again"
        ) from None
    records = found.get("results") if isinstance(found, dict) else found
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        raise _refuse(
            source,
            "not a JSON export of submissions (a list of objects, or 'results' holding one)",
            "export the submissions as JSON again",
        )
    return [_json_fields(record, source, number) for number, record in enumerate(records, start=1)]


def read_submissions(path: Path) -> list[Submission]:
    """The submissions of an export file (.zip or .csv from ODK Central, .xlsx or .csv from
    KoboToolbox) or of XML instances (a folder or .zip of them, or one .xml), refused whole
    when it is not one."""
    from ipec.forms.instances import read_instance, read_instances

    source = path.name
    if path.is_dir():
        return _check(read_instances(path), source)
    if not path.is_file():
        raise _refuse(source, "no such file", "check the path")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise _refuse(
            source,
            f"{size / 2**20:.0f} MiB is over the {MAX_BYTES // 2**20} MiB an import reads",
            "export fewer submissions at once",
        )
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _from_zip(path)
    if suffix == ".xml":
        return _check([read_instance(path.read_bytes(), source)], source)
    if suffix == ".json":
        return _check(_from_json(path.read_bytes(), source), source)
    if suffix == ".csv":
        rows = _csv_table(path.read_bytes(), source)
        return _check([Submission(source, int(row.pop("")), row) for row in rows], source)
    if suffix == ".xlsx":
        tables = _xlsx_tables(path.read_bytes(), source)
        if not tables:
            raise _refuse(source, "an empty workbook", "export the submissions again")
        (first, main), *others = tables
        repeats = dict(others)
        sources = {title: f"{source}, sheet {title}" for title in repeats}
        return _check(_link(main, repeats, f"{source}, sheet {first}", sources), source)
    raise _refuse(
        source,
        f"a {suffix or 'nameless'} file is not an export ipec reads",
        "give a .zip or .csv from ODK Central, or an .xlsx or .csv from KoboToolbox",
    )

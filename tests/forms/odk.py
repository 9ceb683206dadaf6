"""Exports as ODK Central and KoboToolbox write them, for the forms ipec makes: the columns
come from the XForm that pyxform makes of the form (its primary instance), laid out as the
documentation describes.

ODK Central (https://docs.getodk.org/central-submissions/#exporting-submissions): a .zip of
``<form_id>.csv`` (``SubmissionDate``, the fields by group path joined with ``-``, a geopoint
split in ``-Latitude``, ``-Longitude``, ``-Altitude``, ``-Accuracy``, then ``KEY``,
``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``) and one
``<form_id>-<repeat>.csv`` per repeat (its fields, ``PARENT_KEY``, ``KEY``).
KoboToolbox (https://support.kobotoolbox.org/export_download.html), XLSX with XML values and
headers, groups joined with ``/``: the main sheet's fields then ``_id``, ``_uuid``,
``_submission_time``, ``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``,
``__version__``, ``_tags``, ``_index``; a sheet per repeat, its fields then ``_index``,
``_parent_table_name``, ``_parent_index``, ``_submission__id``, ``_submission__uuid``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl import Workbook
from pyxform.xls2xform import convert

from ipec.forms.xlsform import XLSForm, write_xlsform

XF = "http://www.w3.org/2002/xforms"
JR = "http://openrosa.org/javarosa"
_CENTRAL_TAIL = (
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
)
_KOBO_TAIL = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
_KOBO_REPEAT_TAIL = (
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
)


@dataclass
class Converted:
    """A form converted by pyxform: the XForm, its root's id and version, and its fields."""

    xml: etree._Element
    form_id: str
    version: str
    fields: list[tuple[str, ...]]
    repeats: dict[str, list[tuple[str, ...]]]
    geopoints: set[str]


def convert_form(form: XLSForm, folder: Path) -> Converted:
    path = folder / f"{form.settings['form_id']}.xlsx"
    write_xlsform(form, path)
    xml = etree.fromstring(convert(str(path)).xform.encode())
    root = xml.find(f".//{{{XF}}}instance")[0]  # the primary instance's root
    binds = {bind.get("nodeset"): bind.get("type") for bind in xml.iter(f"{{{XF}}}bind")}
    fields: list[tuple[str, ...]] = []
    repeats: dict[str, list[tuple[str, ...]]] = {}

    def walk(element: Any, path: tuple[str, ...], into: list[tuple[str, ...]]) -> None:
        for node in element:
            name = etree.QName(node).localname
            if name == "meta":
                into.append((*path, "meta", "instanceID"))
            elif node.get(f"{{{JR}}}template") is not None:
                repeats[name] = []  # a repeat: its own table, named by the repeat
                walk(node, (), repeats[name])
            elif name in repeats:
                continue  # the repeat's first instance, after its template
            elif len(node):
                walk(node, (*path, name), into)  # a group
            else:
                into.append((*path, name))

    walk(root, (), fields)
    geopoints = {nodeset.rsplit("/", 1)[1] for nodeset, kind in binds.items() if kind == "geopoint"}
    return Converted(xml, root.get("id"), root.get("version"), fields, repeats, geopoints)


def _central_columns(paths: Sequence[tuple[str, ...]], geopoints: set[str]) -> list[str]:
    columns = []
    for path in paths:
        joined = "-".join(path)
        if path[-1] in geopoints:
            columns += [
                f"{joined}-{part}" for part in ("Latitude", "Longitude", "Altitude", "Accuracy")
            ]
        else:
            columns.append(joined)
    return columns


def _cells(
    paths: Sequence[tuple[str, ...]], values: dict[str, str], geopoints: set[str]
) -> list[str]:
    cells = []
    for path in paths:
        value = values.get(path[-1], "")
        if path[-1] in geopoints:
            cells += [*value.split(), "", "", "", ""][:4]
        else:
            cells.append(value)
    return cells


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def central_zip(
    form: Converted, submissions: list[dict[str, Any]], path: Path, *, version: str | None = None
) -> Path:
    """ODK Central's CSV .zip of ``submissions`` (field -> value; ``instanceID``; repeats
    as ``child``: a list of field -> value)."""
    main_header = ["SubmissionDate", *_central_columns(form.fields, form.geopoints), *_CENTRAL_TAIL]
    main_rows, repeat_rows = [], {name: [] for name in form.repeats}
    for sub in submissions:
        key = sub["instanceID"]
        tail = [
            key,
            "7",
            sub.get("SubmitterName", "ama"),
            "0",
            "0",
            "",
            "",
            "collect:x",
            "0",
            version or form.version,
        ]
        main_rows.append(
            ["2026-03-02T10:00:00.000Z", *_cells(form.fields, sub, form.geopoints), *tail]
        )
        for name in form.repeats:
            for index, row in enumerate(sub.get(name, []), start=1):
                repeat_rows[name].append(
                    [
                        *_cells(form.repeats[name], row, form.geopoints),
                        key,
                        f"{key}/{name}[{index}]",
                    ]
                )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{form.form_id}.csv", _csv(main_header, main_rows))
        for name, paths in form.repeats.items():
            header = [*_central_columns(paths, form.geopoints), "PARENT_KEY", "KEY"]
            archive.writestr(f"{form.form_id}-{name}.csv", _csv(header, repeat_rows[name]))
    return path


def kobo_xlsx(form: Converted, submissions: list[dict[str, Any]], path: Path) -> Path:
    """KoboToolbox's XLSX export of ``submissions`` (as for :func:`central_zip`)."""
    book = Workbook()
    main = book.active
    main.title = form.form_id[:31]
    paths = [path_ for path_ in form.fields if path_[-1] != "instanceID"]
    main.append(["/".join(path_) for path_ in paths] + list(_KOBO_TAIL))
    sheets = {}
    for name, repeat_paths in form.repeats.items():
        sheets[name] = book.create_sheet(name)
        sheets[name].append(
            [f"{name}/{'/'.join(p)}" for p in repeat_paths] + list(_KOBO_REPEAT_TAIL)
        )
    for index, sub in enumerate(submissions, start=1):
        uuid = sub["instanceID"].removeprefix("uuid:")
        values = [sub.get(p[-1], "") for p in paths]
        main.append(
            [
                *values,
                str(1000 + index),
                uuid,
                "2026-03-02T10:00:00",
                "",
                "",
                "submitted_via_web",
                sub.get("SubmitterName", "ama"),
                "vAbC123",
                "",
                str(index),
            ]
        )
        for name, repeat_paths in form.repeats.items():
            for row in sub.get(name, []):
                sheets[name].append(
                    [row.get(p[-1], "") for p in repeat_paths]
                    + ["1", form.form_id, str(index), str(1000 + index), uuid]
                )
    book.save(path)
    return path


def instance_xml(form: Converted, sub: dict[str, Any]) -> bytes:
    """The XML instance ODK Collect writes for ``sub``: the primary instance's root with
    the form's id and version, groups as elements, each repeat row an element."""
    root = etree.Element("data", id=form.form_id, version=form.version)

    def put(parent: Any, path: tuple[str, ...], value: str) -> None:
        for name in path[:-1]:
            found = parent.find(name)
            parent = found if found is not None else etree.SubElement(parent, name)
        etree.SubElement(parent, path[-1]).text = value

    for path in form.fields:
        if path[-1] == "instanceID":
            continue
        put(root, path, sub.get(path[-1], ""))
    for name, paths in form.repeats.items():
        for row in sub.get(name, []):
            element = etree.SubElement(root, name)
            for path in paths:
                put(element, path, row.get(path[-1], ""))
    put(root, ("meta", "instanceID"), sub["instanceID"])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def kobo_json(form: Converted, submissions: list[dict[str, Any]], path: Path) -> Path:
    """KoboToolbox's JSON export (the API's answer: ``count`` and ``results``; group paths
    joined with ``/``; a repeat as an array of objects keyed by their paths)."""
    import json

    results = []
    for index, sub in enumerate(submissions, start=1):
        record: dict[str, Any] = {
            "_id": 1000 + index,
            "formhub/uuid": "f00d",
            "__version__": "vAbC123",
        }
        for field_path in form.fields:
            value = sub.get(field_path[-1], "")
            if value != "":
                record["/".join(field_path)] = value
        for name, paths in form.repeats.items():
            if sub.get(name):
                record[name] = [
                    {f"{name}/{'/'.join(p)}": row[p[-1]] for p in paths if row.get(p[-1], "") != ""}
                    for row in sub[name]
                ]
        record |= {
            "_uuid": sub["instanceID"].removeprefix("uuid:"),
            "_attachments": [],
            "_geolocation": [None, None],
            "_submission_time": "2026-03-02T10:00:00",
            "_submitted_by": sub.get("SubmitterName", "ama"),
            "_status": "submitted_via_web",
        }
        results.append(record)
    path.write_text(
        json.dumps({"count": len(results), "next": None, "previous": None, "results": results}),
        encoding="utf-8",
    )
    return path

"""Write estimates: tidy CSV, Parquet and JSON for machines, XLSX laid out like MICS tables.

Machine formats keep one row per (breakdown, level, indicator), proportions on the 0-1 scale.
The workbook shows percentages with one decimal and applies the display rules: fewer than 25
unweighted cases suppressed ("*"), 25-49 in parentheses, no cases "-". Every file is written to
a temporary path and moved into place when complete.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ipec.files import atomic_output, table_format
from ipec.survey.analysis import INDICATOR_LABELS

__all__ = ["OUTPUT_FORMATS", "write_estimates"]

OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json", ".xlsx": "xlsx"}
_NOTE = (
    "Percentages. * fewer than {suppress} unweighted cases: suppressed; ( ) {suppress}-"
    "{parenthesise_last} unweighted cases: interpret with caution; - no cases."
)


def _display(estimate: float | None, flag: str) -> str:
    if flag == "-" or estimate is None or (isinstance(estimate, float) and math.isnan(estimate)):
        return "-"
    if flag == "*":
        return "*"
    text = f"{100 * estimate:.1f}"
    return f"({text})" if flag == "()" else text


def _write_json(frame: pl.DataFrame, path: Path, metadata: Mapping[str, Any]) -> None:
    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    records = [{k: clean(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]
    path.write_text(
        json.dumps({"metadata": dict(metadata), "estimates": records}, indent=1),
        encoding="utf-8",
    )


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    candidate, i = base, 2
    while candidate in used:
        candidate = f"{base[:28]}_{i}"
        i += 1
    used.add(candidate)
    return candidate


def _write_table_sheet(
    workbook: Any,
    sheet_name: str,
    title: str,
    frame: pl.DataFrame,
    *,
    domain_labels: Mapping[str, str],
    note: str,
) -> None:
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format({"bold": True, "text_wrap": True, "align": "center",
                                  "valign": "top", "border": 1})  # fmt: skip
    right = workbook.add_format({"align": "right"})
    italic = workbook.add_format({"italic": True, "font_size": 9})
    sheet.write(0, 0, title, bold)
    has_columns = "column" in frame.columns
    series = "profile" in frame.columns and frame["profile"].n_unique() > 1
    keys: list[tuple[str, ...]] = []
    for row in (
        frame.select(
            *(["profile"] if series else []), "indicator", *(["column"] if has_columns else [])
        )
        .unique(maintain_order=True)
        .iter_rows()
    ):
        keys.append(tuple(str(v) for v in row))
    sheet.write(2, 0, "", header)
    for j, key in enumerate(keys, start=1):
        indicator = key[1] if series else key[0]
        label = INDICATOR_LABELS.get(indicator, indicator)
        if series:
            label = f"{label} ({key[0]})"
        if has_columns:
            label = f"{label}, {key[-1]}"
        sheet.write(2, j, label, header)
    sheet.write(2, len(keys) + 1, "Number of children (weighted)", header)
    cells: dict[tuple[str, str, tuple[str, ...]], str] = {}
    weighted: dict[tuple[str, str], float] = {}
    rows: list[tuple[str, str]] = []
    for record in frame.iter_rows(named=True):
        row_key = (record["by"], record["level"])
        if row_key not in weighted:
            rows.append(row_key)
        key = tuple(
            str(record[c])
            for c in (["profile"] if series else [])
            + ["indicator"]
            + (["column"] if has_columns else [])
        )
        cells[(*row_key, key)] = _display(record["estimate"], record["flag"])
        if not has_columns or record["column"] == "5-17":
            weighted.setdefault(row_key, record["n_weighted"])
    line = 3
    current_by = None
    for by, level in rows:
        if by != current_by:
            current_by = by
            if by != "total":
                label = " x ".join(domain_labels.get(part, part) for part in by.split("*"))
                sheet.write(line, 0, label, bold)
                line += 1
        sheet.write(line, 0, "Total" if by == "total" else f"  {level.replace('*', ' / ')}")
        for j, key in enumerate(keys, start=1):
            sheet.write(line, j, cells.get((by, level, key), ""), right)
        count = weighted.get((by, level))
        if count is not None and math.isfinite(count):
            sheet.write(line, len(keys) + 1, round(count))
        line += 1
    sheet.write(line + 1, 0, note, italic)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, len(keys) + 1, 14)
    sheet.freeze_panes(3, 1)


def _write_xlsx(
    frame: pl.DataFrame,
    path: Path,
    metadata: Mapping[str, Any],
    domain_labels: Mapping[str, str],
) -> None:
    import xlsxwriter

    flags = metadata.get("flags", {"suppress": 25, "parenthesise": 50})
    note = _NOTE.format(
        suppress=flags["suppress"], parenthesise_last=int(flags["parenthesise"]) - 1
    )
    workbook = xlsxwriter.Workbook(str(path))
    used: set[str] = set()
    if "table" in frame.columns:
        for (table_id,), part in frame.group_by("table", maintain_order=True):
            title = f"Table {table_id}: {part['title'][0]}"
            _write_table_sheet(workbook, _sheet_name(str(table_id), used), title, part,
                               domain_labels=domain_labels, note=note)  # fmt: skip
    else:
        title = f"Estimates under {metadata.get('profile', '')}"
        _write_table_sheet(workbook, _sheet_name("Estimates", used), title, frame,
                           domain_labels=domain_labels, note=note)  # fmt: skip
    data = workbook.add_worksheet(_sheet_name("Data", used))
    for j, name in enumerate(frame.columns):
        data.write(0, j, name)
    for i, row in enumerate(frame.iter_rows(), start=1):
        for j, value in enumerate(row):
            if isinstance(value, float) and not math.isfinite(value):
                continue
            data.write(i, j, value)
    about = workbook.add_worksheet(_sheet_name("About", used))
    for i, (key, value) in enumerate(metadata.items()):
        about.write(i, 0, key)
        about.write(i, 1, json.dumps(value) if isinstance(value, dict | list) else str(value))
    workbook.close()


def write_estimates(
    frame: pl.DataFrame,
    path: str | Path,
    *,
    metadata: Mapping[str, Any],
    domain_labels: Mapping[str, str] | None = None,
) -> None:
    """Write ``frame`` by the extension of ``path`` (.csv, .parquet, .json, .xlsx), atomically."""
    target = Path(path)
    kind = table_format(target, formats=OUTPUT_FORMATS)
    with atomic_output(target) as temporary:
        if kind == "csv":
            frame.write_csv(temporary)
        elif kind == "parquet":
            frame.write_parquet(temporary)
        elif kind == "json":
            _write_json(frame, temporary, metadata)
        else:
            _write_xlsx(frame, temporary, metadata, domain_labels or {})

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ipec.files import atomic_output, table_format
from ipec.survey.analysis import INDICATOR_LABELS
from ipec.survey.flags import display_flag

__all__ = ["OUTPUT_FORMATS", "Grid", "GridRow", "display_grid", "display_value", "write_estimates"]

OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json", ".xlsx": "xlsx"}
_NOTE = (
    "Percentages. * fewer than {suppress} unweighted cases: suppressed; ( ) {suppress}-"
    "{parenthesise_last} unweighted cases: interpret with caution; - no cases."
)


def display_value(estimate: float | None, flag: str) -> str:
    """A percentage with one decimal, with the display rules: "*", "(12.3)", "-"."""
    flag = display_flag(flag)
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


@dataclass(frozen=True)
class GridRow:
    """One displayed row: a group heading (no cells) or a level with its cells."""

    by: str
    level: str
    heading: bool
    cells: tuple[str, ...] = ()
    weighted: float | None = None


@dataclass(frozen=True)
class Grid:
    """A table of estimates laid out for reading: one column per (series, indicator, column)."""

    columns: tuple[tuple[str, ...], ...]
    rows: tuple[GridRow, ...]
    series: bool
    has_age_columns: bool


def display_grid(frame: pl.DataFrame) -> Grid:
    """Pivot tidy estimates into rows (by, level) and columns, cells formatted for display."""
    has_columns = "column" in frame.columns
    series = "profile" in frame.columns and frame["profile"].n_unique() > 1
    key_columns = [
        *(["profile"] if series else []),
        "indicator",
        *(["column"] if has_columns else []),
    ]
    keys = tuple(
        tuple(str(v) for v in row)
        for row in frame.select(key_columns).unique(maintain_order=True).iter_rows()
    )
    cells: dict[tuple[str, str, tuple[str, ...]], str] = {}
    weighted: dict[tuple[str, str], float] = {}
    order: dict[tuple[str, str], None] = {}
    for record in frame.iter_rows(named=True):
        row_key = (record["by"], record["level"])
        order.setdefault(row_key)
        key = tuple(str(record[c]) for c in key_columns)
        cells[(*row_key, key)] = display_value(record["estimate"], record["flag"])
        if not has_columns or record["column"] == "5-17":
            weighted.setdefault(row_key, record["n_weighted"])
    rows: list[GridRow] = []
    current = None
    for by, level in order:
        if by != current:
            current = by
            if by != "total":
                rows.append(GridRow(by, "", heading=True))
        rows.append(
            GridRow(
                by,
                level,
                heading=False,
                cells=tuple(cells.get((by, level, key), "") for key in keys),
                weighted=weighted.get((by, level)),
            )
        )
    return Grid(keys, tuple(rows), series, has_columns)


def _column_label(key: tuple[str, ...], grid: Grid) -> str:
    indicator = key[1] if grid.series else key[0]
    label = INDICATOR_LABELS.get(indicator, indicator)
    if grid.series:
        label = f"{label} ({key[0]})"
    if grid.has_age_columns:
        label = f"{label}, {key[-1]}"
    return label


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
    grid = display_grid(frame)
    sheet.write(0, 0, title, bold)
    sheet.write(2, 0, "", header)
    for j, key in enumerate(grid.columns, start=1):
        sheet.write(2, j, _column_label(key, grid), header)
    last = len(grid.columns) + 1
    sheet.write(2, last, "Number of children (weighted)", header)
    line = 3
    for row in grid.rows:
        if row.heading:
            label = " x ".join(domain_labels.get(part, part) for part in row.by.split("*"))
            sheet.write(line, 0, label, bold)
        else:
            name = "Total" if row.by == "total" else f"  {row.level.replace('*', ' / ')}"
            sheet.write(line, 0, name)
            for j, cell in enumerate(row.cells, start=1):
                sheet.write(line, j, cell, right)
            if row.weighted is not None and math.isfinite(row.weighted):
                sheet.write(line, last, round(row.weighted))
        line += 1
    sheet.write(line + 1, 0, note, italic)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, last, 14)
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
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    used: set[str] = set()
    if "table" in frame.columns:
        for (table_id,), part in frame.group_by("table", maintain_order=True):
            title = f"Table {table_id}: {part['title'][0]}"
            _write_table_sheet(workbook, _sheet_name(str(table_id), used), title, part,
                               domain_labels=domain_labels, note=note)  # fmt: skip
    elif "kind" not in frame.columns or (frame["kind"] == "proportion").all():
        # the laid-out sheet shows percentages: for shares only (means, totals and ratios of
        # a file's variables are in the Data sheet)
        title = f"Estimates under {metadata.get('profile') or 'the file variables'}"
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
    """Write ``frame`` by the extension of ``path`` (.csv, .parquet, .json, .xlsx), atomically.

    Text from the survey (labels) is written as text: never as a spreadsheet formula or link.
    """
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

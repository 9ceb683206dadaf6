"""Write estimates: tidy CSV, Parquet and JSON for machines, XLSX laid out like MICS tables.

Machine formats keep one row per (breakdown, level, indicator), proportions on the 0-1 scale.
The workbook shows percentages with one decimal and applies the display rules: fewer than 25
unweighted cases suppressed ("*"), 25-49 in parentheses, no cases "-". Each row shows the
weighted and the unweighted number of cases; a table split by age group has one header row of
age groups over one of indicators; a table's footnotes (``note``) follow it. Every file is
written to a temporary path and moved into place when complete.
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
from ipec.survey.tables import SERIES_LABELS, STANDARD_TABLES, TOTAL_COLUMN

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
    """One displayed row: a group heading (no cells) or a level with its cells and its weighted
    and unweighted numbers of cases."""

    by: str
    level: str
    heading: bool
    cells: tuple[str, ...] = ()
    weighted: float | None = None
    unweighted: int | None = None


@dataclass(frozen=True)
class Grid:
    """A table of estimates laid out for reading: one column per (series, indicator, column).

    ``has_age_columns``: the columns are split by age group (the last part of each key), the
    groups in order and the whole 5-17 last.
    """

    columns: tuple[tuple[str, ...], ...]
    rows: tuple[GridRow, ...]
    series: bool
    has_age_columns: bool

    def column_groups(self) -> list[tuple[str, int]]:
        """The age group of each run of columns and the number of columns in it."""
        groups: list[tuple[str, int]] = []
        for key in self.columns:
            if groups and groups[-1][0] == key[-1]:
                groups[-1] = (key[-1], groups[-1][1] + 1)
            else:
                groups.append((key[-1], 1))
        return groups


def _row_blocks(frame: pl.DataFrame) -> dict[str, str]:
    """Breakdowns shown inside another's block: the SDG table's 5-14 and 15-17 band goes under
    the age groups, where 15-17 is already a row (shown once)."""
    present = set(frame["by"].unique())
    return {"age_band": "age_group"} if {"age_band", "age_group"} <= present else {}


def display_grid(frame: pl.DataFrame) -> Grid:
    """Pivot tidy estimates into rows (by, level) and columns, cells formatted for display.

    A level that another breakdown of the same block already shows (age band 15-17 beside age
    group 15-17) is shown once.
    """
    has_columns = "column" in frame.columns
    series = "profile" in frame.columns and frame["profile"].n_unique() > 1
    age_columns = has_columns and frame["column"].n_unique() > 1
    key_columns = [
        *(["profile"] if series else []),
        "indicator",
        *(["column"] if has_columns else []),
    ]
    keys = [
        tuple(str(v) for v in row)
        for row in frame.select(key_columns).unique(maintain_order=True).iter_rows()
    ]
    if age_columns:  # the age groups in order, the whole 5-17 last
        keys.sort(key=lambda key: key[-1] == TOTAL_COLUMN)
    blocks = _row_blocks(frame)
    shown = {
        (target, level)
        for target in blocks.values()
        for level in frame.filter(pl.col("by") == target)["level"]
    }
    cells: dict[tuple[str, str, tuple[str, ...]], str] = {}
    counts: dict[tuple[str, str], tuple[float | None, int | None]] = {}
    order: dict[str, dict[str, None]] = {}
    for record in frame.iter_rows(named=True):
        by, level = record["by"], record["level"]
        if by in blocks:
            if (blocks[by], level) in shown:
                continue
            by = blocks[by]
        order.setdefault(by, {}).setdefault(level)
        key = tuple(str(record[c]) for c in key_columns)
        cells[(by, level, key)] = display_value(record["estimate"], record["flag"])
        if not has_columns or record["column"] == TOTAL_COLUMN:
            counts.setdefault((by, level), (record["n_weighted"], record.get("n_unweighted")))
    rows: list[GridRow] = []
    for by, levels in order.items():
        if by != "total":
            rows.append(GridRow(by, "", heading=True))
        for level in levels:
            weighted, unweighted = counts.get((by, level), (None, None))
            rows.append(
                GridRow(
                    by,
                    level,
                    heading=False,
                    cells=tuple(cells.get((by, level, key), "") for key in keys),
                    weighted=weighted,
                    unweighted=unweighted,
                )
            )
    return Grid(tuple(keys), tuple(rows), series, age_columns)


def _column_label(key: tuple[str, ...], grid: Grid) -> str:
    """The indicator's label, with its series in a table of several (the age group is the
    header row above)."""
    indicator = key[1] if grid.series else key[0]
    label = INDICATOR_LABELS.get(indicator, indicator)
    if grid.series:
        label = f"{label}, {SERIES_LABELS.get(key[0], key[0])}"
    return label


def _group_label(column: str) -> str:
    return f"All children aged {column}" if column == TOTAL_COLUMN else f"Children aged {column}"


_WEIGHTED_HEADER = "Number of children (weighted)"
_UNWEIGHTED_HEADER = "Number of children (unweighted)"


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
    last = len(grid.columns) + 1
    top = 2
    if grid.has_age_columns:  # a row of age groups over the indicators
        first = 1
        for column, span in grid.column_groups():
            if span > 1:
                sheet.merge_range(top, first, top, first + span - 1, _group_label(column), header)
            else:
                sheet.write(top, first, _group_label(column), header)
            first += span
        sheet.merge_range(top, 0, top + 1, 0, "", header)
        sheet.merge_range(top, last, top + 1, last, _WEIGHTED_HEADER, header)
        sheet.merge_range(top, last + 1, top + 1, last + 1, _UNWEIGHTED_HEADER, header)
        top += 1
    else:
        sheet.write(top, 0, "", header)
        sheet.write(top, last, _WEIGHTED_HEADER, header)
        sheet.write(top, last + 1, _UNWEIGHTED_HEADER, header)
    for j, key in enumerate(grid.columns, start=1):
        sheet.write(top, j, _column_label(key, grid), header)
    line = top + 1
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
            if row.unweighted is not None:
                sheet.write(line, last + 1, int(row.unweighted))
        line += 1
    notes = str(frame["note"][0]).splitlines() if "note" in frame.columns else []
    line += 1
    for text in [*notes, note]:
        sheet.write(line, 0, text, italic)
        line += 1
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, last + 1, 14)
    sheet.freeze_panes(top + 1, 1)


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
        names = {spec.id: spec.display for spec in STANDARD_TABLES}
        for (table_id,), part in frame.group_by("table", maintain_order=True):
            title = f"Table {names.get(str(table_id), table_id)}: {part['title'][0]}"
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

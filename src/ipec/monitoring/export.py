"""Case lists as CSV or XLSX files, pseudonymous (no names), streamed row by row.

Exports leave the system to be opened in spreadsheets, so text that a spreadsheet would run
as a formula (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
written inert: prefixed with an apostrophe in CSV, stored as a string in XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from sqlalchemy import Row

from ipec.errors import DataError
from ipec.monitoring.scope import age_on

__all__ = ["EXPORT_COLUMNS", "EXPORT_FORMATS", "case_records", "write_cases"]

#: The columns of a case export, in order. Names stay out: the pseudonym identifies the child.
EXPORT_COLUMNS = (
    "case_id",
    "child_pseudonym",
    "sex",
    "birth_date",
    "age",
    "area_id",
    "area",
    "kind",
    "status",
    "worst_forms",
    "hazardous",
    "opened_on",
    "closed_on",
    "overdue_follow_ups",
)

#: Export format -> media type.
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def case_records(rows: Iterable[Row[Any]], today: date) -> Iterator[tuple[Any, ...]]:
    """One tuple per case row of ``ipec.monitoring.queries.case_query``, in EXPORT_COLUMNS."""
    for row in rows:
        case, child = row.Case, row.Child
        yield (
            case.id,
            child.pseudonym,
            child.sex.value,
            child.birth_date,
            age_on(child.birth_date, today),
            row.area_id,
            row.area_name,
            case.kind.value,
            case.status.value,
            case.worst_forms,
            case.hazardous,
            case.opened_on,
            case.closed_on,
            int(row.overdue_follow_ups),
        )


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(records: Iterable[tuple[Any, ...]], target: IO[bytes]) -> None:
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(EXPORT_COLUMNS)
    for record in records:
        writer.writerow([_inert(v.isoformat() if isinstance(v, date) else v) for v in record])
    text.flush()
    text.detach()


def _write_xlsx(records: Iterable[tuple[Any, ...]], target: IO[bytes]) -> None:
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_urls": False,
               "constant_memory": True, "in_memory": False}  # fmt: skip
    workbook = xlsxwriter.Workbook(target, options)
    sheet = workbook.add_worksheet("Cases")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, EXPORT_COLUMNS)
    for line, record in enumerate(records, start=1):
        for column, value in enumerate(record):
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(line, column, value, dates)
            elif isinstance(value, str):
                sheet.write_string(line, column, value)
            else:
                sheet.write(line, column, value)
    sheet.freeze_panes(1, 0)
    workbook.close()


def write_cases(
    rows: Iterable[Row[Any]], file_format: str, target: IO[bytes], *, today: date
) -> None:
    """Write case rows as ``csv`` or ``xlsx`` into the binary file ``target``."""
    records = case_records(rows, today)
    if file_format == "csv":
        _write_csv(records, target)
    elif file_format == "xlsx":
        _write_xlsx(records, target)
    else:
        known = ", ".join(EXPORT_FORMATS)
        raise DataError(f"unknown export format {file_format!r}", hint=f"use one of: {known}")

"""Case exports: CSV and XLSX with the list's filters, pseudonymous, inert text."""

from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy.orm import Session

from ipec.monitoring import Area
from ipec.monitoring.export import EXPORT_COLUMNS
from tests.web.api.conftest import Api, check_error


def test_csv_and_xlsx_hold_the_same_rows(api: Api) -> None:
    text = api.call("GET", "/api/v1/exports/cases.csv", who="admin")
    assert text.headers["content-type"].startswith("text/csv")
    assert "attachment" in text.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(text.text)))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert sorted(int(r[0]) for r in rows[1:]) == sorted([api.ids["case_a"], api.ids["case_b"]])
    assert "child a" not in text.text  # no names
    book = api.call("GET", "/api/v1/exports/cases.xlsx", who="admin")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True)["Cases"]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(cells[0]) == EXPORT_COLUMNS
    assert [c[0] for c in cells[1:]] == [int(r[0]) for r in rows[1:]]
    assert [c[1] for c in cells[1:]] == [r[1] for r in rows[1:]]
    filtered = api.call("GET", "/api/v1/exports/cases.csv?sex=male", who="admin")
    assert filtered.text.splitlines() == [",".join(EXPORT_COLUMNS)]


def test_hostile_text_stays_inert(api: Api) -> None:
    with Session(api.engine) as session, session.begin():
        area = session.get(Area, api.ids["area_a"])
        assert area is not None
        area.name = '=HYPERLINK("http://evil.example","x")'
    text = api.call("GET", "/api/v1/exports/cases.csv").text
    assert "'=HYPERLINK" in text
    book = api.call("GET", "/api/v1/exports/cases.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["Cases"]
    cell = sheet.cell(row=2, column=EXPORT_COLUMNS.index("area") + 1)
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://evil.example","x")')


def test_unknown_format(api: Api) -> None:
    check_error(api.call("GET", "/api/v1/exports/cases.pdf"), 422, "ValidationError")

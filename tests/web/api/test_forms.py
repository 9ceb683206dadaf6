"""``GET /api/v1/forms/...``: the XLSForms with the caller's areas, and the caller's entity
list of children due."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from pyxform.xls2xform import convert

from tests.web.api.conftest import Api, check_error


def test_a_form_lists_the_callers_areas_and_converts(api: Api, tmp_path: Path) -> None:
    answer = api.client.get("/api/v1/forms/visit.xlsx", headers=api.auth("monitor"))
    assert answer.status_code == 200
    assert 'filename="ipec_visit.xlsx"' in answer.headers["content-disposition"]
    path = tmp_path / "visit.xlsx"
    path.write_bytes(answer.content)
    choices = load_workbook(path)["choices"]
    areas = {row[1].value for row in choices.iter_rows(min_row=2) if row[0].value == "area_1"}
    assert areas == {f"a{api.ids['area_a']}"}  # the monitor's district only
    assert "<h:html" in convert(str(path)).xform
    check_error(
        api.client.get("/api/v1/forms/census.xlsx", headers=api.auth("monitor")), 404, "NotFound"
    )


def test_the_entity_list_holds_the_callers_children_due(api: Api) -> None:
    answer = api.client.get("/api/v1/forms/children_due.csv?days=3650", headers=api.auth("monitor"))
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    # district A's child has a follow-up due (district B's is outside the monitor's areas)
    assert [row["follow_up"] for row in rows] == [str(api.ids["follow_up_a"])]

"""The programme routes: create, targets, planned versus achieved, Annex A, and who may."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry
from tests.web.api.conftest import Api, check_error

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _programme(api: Api) -> int:
    body = {"name": "Cocoa TBP", "kind": "national_tbp", "donor": "US DOL",
            "profile_id": "sdg-8.7.1", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "area_ids": [api.ids["area_a"], api.ids["area_b"]],
            "phases": [{"name": "inception", "starts_on": "2026-01-01",
                        "ends_on": "2026-03-31"}],
            "partners": [{"partner_id": api.ids["partner"],
                          "role": "government_authority"}]}  # fmt: skip
    check_error(api.call("POST", "/api/v1/programmes", body), 403, "PermissionDenied")
    made = api.call("POST", "/api/v1/programmes", body, who="admin")
    assert made.status_code == 201, made.text
    assert made.json()["partners"] == [{"partner_id": api.ids["partner"],
                                        "role": "government_authority"}]  # fmt: skip
    return int(made.json()["id"])


def _target(api: Api, programme: int, who: str = "admin", **changes: object) -> object:
    body = {"indicator": "E1", "period_kind": "half_year", "starts_on": "2026-01-01",
            "area_id": api.ids["area_a"], "target_group": "all", "planned": 2,
            **changes}  # fmt: skip
    return api.call("POST", f"/api/v1/programmes/{programme}/targets", body, who=who)


def test_targets_and_results(api: Api) -> None:
    """Each district's child was given a school kit on 20 Jan 2026 on a child-labour case:
    E1 in the first half of 2026 is 1 in A (of 2 planned) and 1 in B."""
    programme = _programme(api)
    set_a = _target(api, programme)
    assert set_a.status_code == 201, set_a.text
    assert (set_a.json()["numerator"], set_a.json()["share"]) == (1, 0.5)
    assert _target(api, programme, area_id=api.ids["area_b"], planned=1).status_code == 201
    check_error(_target(api, programme, who="monitor"), 403, "PermissionDenied")
    for changes, field in (({"indicator": "XYZ"}, "indicator"), ({"planned": -3}, "planned"),
                           ({"starts_on": "2026-01-01"}, "starts_on"),  # overlaps
                           ({"target_group": "hazardous"}, "target_group")):  # fmt: skip
        error = check_error(_target(api, programme, **changes), 422, "DataError")
        assert f"'{field}'" in error["message"]
    # the monitor of A sees the programme and A's target only
    assert [p["id"] for p in api.call("GET", "/api/v1/programmes").json()] == [programme]
    mine = api.call("GET", f"/api/v1/programmes/{programme}/results.json").json()
    assert [(r["area"], r["planned"], r["numerator"]) for r in mine] == [("A", 2, 1)]
    both = api.call("GET", f"/api/v1/programmes/{programme}/results.json", who="admin").json()
    assert [(r["area"], r["numerator"]) for r in both] == [("A", 1), ("B", 1)]
    sheet = api.call("GET", f"/api/v1/programmes/{programme}/results.xlsx")
    assert sheet.headers["content-type"] == _XLSX
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(
        min_row=4, values_only=True))  # fmt: skip
    assert [(r[0], r[5], r[7], r[8]) for r in rows] == [("E1", "A", 2, 1)]
    # no target in the second half: said, not an empty file
    empty = api.call("GET", f"/api/v1/programmes/{programme}/results.xlsx?start=2026-07-01")
    assert "no target in this period" in check_error(empty, 422, "DataError")["message"]
    with Session(api.engine) as session:
        views = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "metrics.read", AuditEntry.actor == "monitor")).all()  # fmt: skip
    assert {"view": f"api:programme:{programme}", "start": "2026-01-01",
            "end": "2026-12-31"} in views  # fmt: skip


def test_annex_a(api: Api) -> None:
    """Participants in the first half of 2026: both children (school kit, not ended), girls
    of 12; no visit in the six months: POC1 0/2. E1: 2 (child labour). No livelihood."""
    programme = _programme(api)
    _target(api, programme, indicator="E1", area_id=api.ids["area_a"], planned=3)
    url = f"/api/v1/programmes/{programme}/annex-a"
    half = "start=2026-01-01&end=2026-06-30"
    rows = {r["code"]: r for r in api.call("GET", f"{url}.json?{half}", who="admin").json()}
    assert rows["POC1"]["cells"]["total"] == [0, 2]
    assert rows["POC1"]["cells"]["girls"] == [0, 2]
    assert rows["E1"]["cells"]["total"] == [2, None]
    assert rows["E1"]["target"] == 3
    assert rows["E1 (child labour)"]["cells"]["12-14"] == [2, None]
    assert rows["L1"]["cells"]["total"] == [0, None]
    sheet = api.call("GET", f"{url}.xlsx?{half}", who="admin")
    assert sheet.headers["content-type"] == _XLSX
    # the monitor of A alone cannot report on the whole programme
    check_error(api.call("GET", f"{url}.json?{half}"), 403, "PermissionDenied")
    # before the school kits: nothing to report, said so
    early = api.call("GET", f"{url}.xlsx?start=2026-01-01&end=2026-01-15", who="admin")
    assert "nothing to report" in check_error(early, 422, "DataError")["message"]
    # a partner user reads no programme figures
    check_error(api.call("GET", f"{url}.json?{half}", who="partner"), 404, "NotFound")


def test_clmrs_table(api: Api) -> None:
    """Each district: one household, its child not visited in the period, a child-labour
    case opened on 2 January with a school kit: covered 0/2, identified 0/0, supported
    2/2, followed up 0/0."""
    programme = _programme(api)
    url = f"/api/v1/programmes/{programme}/clmrs"
    rows = api.call("GET", f"{url}.json?start=2026-01-01&end=2026-06-30", who="admin").json()
    assert [(r["code"], r["numerator"], r["denominator"]) for r in rows] == [
        ("covered", 0, 2), ("identified", 0, 0), ("supported", 2, 2), ("out", 0, 0)]  # fmt: skip
    sheet = api.call("GET", f"{url}.xlsx?start=2026-01-01&end=2026-06-30", who="admin")
    assert sheet.headers["content-type"] == _XLSX
    check_error(api.call("GET", f"{url}.json?start=2026-01-01&end=2026-06-30"), 403,
                "PermissionDenied")  # fmt: skip

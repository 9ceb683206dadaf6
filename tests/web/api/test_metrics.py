"""Metrics through HTTP: the caller's scope or an area inside it, and a valid period."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry
from tests.web.api.conftest import Api, check_error

YEAR = "start=2026-01-01&end=2026-12-31"


def test_metrics_in_scope(api: Api) -> None:
    visit = {"visit_date": "2026-05-01", "consent": True,
             "record": {"econ_any": True, "econ_hours": 20}}  # fmt: skip
    api.call("POST", f"/api/v1/children/{api.ids['child_a']}/visits", visit)
    rates = api.call("GET", f"/api/v1/metrics/identification?{YEAR}").json()
    # One girl visited (aged 12 at the visit), found in child labour.
    assert rates == [
        {"group": "total", "numerator": 1, "denominator": 1, "value": 1.0},
        {"group": "female*12-14", "numerator": 1, "denominator": 1, "value": 1.0},
    ]
    # 20 hours at 12 is child labour but not hazardous work
    hazardous = api.call("GET", f"/api/v1/metrics/hazardous_work?{YEAR}").json()
    assert hazardous[0] == {"group": "total", "numerator": 0, "denominator": 1, "value": 0.0}
    everywhere = api.call("GET", f"/api/v1/metrics/referral_acceptance?{YEAR}", who="admin")
    assert everywhere.json() == [{"group": "total", "numerator": 0, "denominator": 2,
                                  "value": 0.0}]  # fmt: skip
    mine = api.call("GET", f"/api/v1/metrics/referral_acceptance?{YEAR}").json()
    assert mine[0]["denominator"] == 1
    support = api.call("GET", f"/api/v1/metrics/support?{YEAR}&at_least=2").json()
    assert (support[0]["numerator"], support[0]["denominator"]) == (0, 1)
    compliance = api.call("GET", f"/api/v1/metrics/follow_up_compliance?{YEAR}").json()
    assert (compliance[0]["numerator"], compliance[0]["denominator"]) == (0, 1)


def test_case_and_donor_metrics(api: Api) -> None:
    visit = {"visit_date": "2026-05-01", "consent": True,
             "record": {"econ_any": True, "econ_hours": 20},
             "follow_up_id": api.ids["follow_up_a"]}  # fmt: skip
    assert api.call("POST", f"/api/v1/children/{api.ids['child_a']}/visits", visit).is_success
    dol = api.call("GET", "/api/v1/metrics/us_dol?start=2026-01-01&end=2026-06-30").json()
    # The one participant (a girl of 12 given a school kit in January) was in child labour
    # on 1 May, within the six months, not in hazardous work.
    assert dol["poc1"][0] == {"group": "total", "numerator": 1, "denominator": 1, "value": 1.0}
    assert dol["poc1"][1]["group"] == "female*12-14"
    assert dol["poc2"][0]["numerator"] == 0
    # no livelihood service: no household for POH
    assert dol["poh1"]["end"] == {"group": "total", "numerator": 0, "denominator": 0,
                                  "value": None}  # fmt: skip
    # A school kit is an education service, for a child with a child-labour case.
    assert dol["e1"]["school_kit"] == {"total": 1, "child_labour*female*12-14": 1}
    assert sum(dol["l1"].values()) == 0
    outcomes = api.call("GET", f"/api/v1/metrics/outcomes?{YEAR}").json()
    assert outcomes[0] == {"group": "total", "withdrawn": 0, "protected": 0, "prevented": 0}
    caseload = api.call("GET", f"/api/v1/metrics/caseload?{YEAR}").json()
    assert caseload == [{"monitor": "monitor", "open_cases": 1}]  # the caller made the visit
    resolution = api.call("GET", f"/api/v1/metrics/time_to_resolution?{YEAR}").json()
    assert resolution[0] == {"group": "total", "cases": 0, "median_days": None, "p90_days": None}
    found = api.call("GET", f"/api/v1/metrics/effectiveness?{YEAR}").json()
    assert (found["rates"][0]["denominator"], found["still_in"]) == (0, 0)
    coverage = api.call("GET", f"/api/v1/metrics/coverage?{YEAR}", who="admin").json()
    assert coverage[0] == {"group": "total", "numerator": 1, "denominator": 2, "value": 0.5}


def test_bad_metric_requests(api: Api) -> None:
    backwards = api.call("GET", "/api/v1/metrics/identification?start=2026-12-31&end=2026-01-01")
    assert "after it ends" in check_error(backwards, 422, "DataError")["message"]
    check_error(api.call("GET", f"/api/v1/metrics/happiness?{YEAR}"), 422, "ValidationError")
    check_error(api.call("GET", "/api/v1/metrics/identification"), 422, "ValidationError")
    outside = api.call("GET", f"/api/v1/metrics/identification?{YEAR}&area_id={api.ids['area_b']}")
    check_error(outside, 404, "NotFound")


def _readings(api: Api) -> list[AuditEntry]:
    with Session(api.engine) as session:
        query = select(AuditEntry).where(AuditEntry.action == "metrics.read")
        return list(session.scalars(query.order_by(AuditEntry.id)))


def test_a_metric_reading_is_audit_logged_as_the_dashboards_is(api: Api) -> None:
    """The same row as the dashboard writes (``metrics.read`` on the area, with the view and
    the period), through the same function, for the caller's own area or one inside it."""
    area = api.ids["area_a"]
    rates = api.call("GET", f"/api/v1/metrics/identification?{YEAR}&area_id={area}")
    assert rates.status_code == 200
    entry = _readings(api)[-1]
    assert (entry.actor, entry.entity, entry.entity_id) == ("monitor", "area", area)
    assert entry.detail == {"view": "api:identification", "start": "2026-01-01",
                            "end": "2026-12-31"}  # fmt: skip
    assert entry.origin == "testclient"
    before = len(_readings(api))
    assert api.call("GET", f"/api/v1/metrics/us_dol?{YEAR}", who="admin").status_code == 200
    assert api.call("GET", f"/api/v1/metrics/caseload?{YEAR}", who="viewer").status_code == 200
    readings = _readings(api)[before:]
    assert [(e.actor, e.entity_id, e.detail["view"]) for e in readings] == [
        ("admin", api.ids["country"], "api:us_dol"),
        ("viewer", area, "api:caseload"),
    ]
    # A refused reading (a period backwards, an area out of scope) is not logged as read.
    api.call("GET", "/api/v1/metrics/identification?start=2026-12-31&end=2026-01-01")
    api.call("GET", f"/api/v1/metrics/identification?{YEAR}&area_id={api.ids['area_b']}")
    assert len(_readings(api)) == before + 2

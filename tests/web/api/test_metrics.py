"""Metrics through HTTP: the caller's scope or an area inside it, and a valid period."""

from __future__ import annotations

from tests.web.api.conftest import Api, check_error

YEAR = "start=2026-01-01&end=2026-12-31"


def test_metrics_in_scope(api: Api) -> None:
    visit = {"visit_date": "2026-05-01", "monitor": "m1", "consent": True,
             "record": {"econ_any": True, "econ_hours": 20}}  # fmt: skip
    api.call("POST", f"/api/v1/children/{api.ids['child_a']}/visits", visit)
    rates = api.call("GET", f"/api/v1/metrics/identification?{YEAR}").json()
    # One girl visited (aged 12 at the visit), found in child labour.
    assert rates == [
        {"group": "total", "numerator": 1, "denominator": 1, "value": 1.0},
        {"group": "female*12-14", "numerator": 1, "denominator": 1, "value": 1.0},
    ]
    everywhere = api.call("GET", f"/api/v1/metrics/referral_acceptance?{YEAR}", who="admin")
    assert everywhere.json() == [{"group": "total", "numerator": 0, "denominator": 2,
                                  "value": 0.0}]  # fmt: skip
    mine = api.call("GET", f"/api/v1/metrics/referral_acceptance?{YEAR}").json()
    assert mine[0]["denominator"] == 1
    support = api.call("GET", f"/api/v1/metrics/support?{YEAR}&at_least=2").json()
    assert (support[0]["numerator"], support[0]["denominator"]) == (0, 1)
    compliance = api.call("GET", f"/api/v1/metrics/follow_up_compliance?{YEAR}").json()
    assert (compliance[0]["numerator"], compliance[0]["denominator"]) == (0, 1)


def test_bad_metric_requests(api: Api) -> None:
    backwards = api.call("GET", "/api/v1/metrics/identification?start=2026-12-31&end=2026-01-01")
    assert "after it ends" in check_error(backwards, 422, "DataError")["message"]
    check_error(api.call("GET", f"/api/v1/metrics/happiness?{YEAR}"), 422, "ValidationError")
    check_error(api.call("GET", "/api/v1/metrics/identification"), 422, "ValidationError")
    outside = api.call("GET", f"/api/v1/metrics/identification?{YEAR}&area_id={api.ids['area_b']}")
    check_error(outside, 404, "NotFound")

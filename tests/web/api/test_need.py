"""``/api/v1/metrics/need_coverage`` (JSON and CSV) on SQLite and PostgreSQL: the coverage of
need of the caller's area and the areas under it, behind the metrics' access check."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import polars as pl
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from ipec.monitoring.models import Area
from ipec.monitoring.service import record_visit
from ipec.need.estimates import import_estimates
from ipec.standards import load_profile
from ipec.web.api.common import today
from tests.web.api.conftest import Api

Z = 1.959964


@pytest.fixture
def estimated(api: Api) -> Api:
    """A's child found in child labour; A estimated at 40 (RMSE 10), B at 25 (RMSE 5)."""
    frame = pl.DataFrame({"area": ["A", "B"], "kind": ["eblup", "eblup"],
                          "estimate": [0.04, 0.025], "ci_low": [0.02, 0.015],
                          "ci_high": [0.06, 0.035], "population": [1000.0, 1000.0],
                          "count": [40.0, 25.0], "count_rmse": [10.0, 5.0],
                          "indicator": ["child_labour"] * 2,
                          "profile": ["sdg-8.7.1"] * 2})  # fmt: skip
    with Session(api.engine) as session, session.begin():
        for key in ("a", "b"):
            session.execute(update(Area).where(Area.id == api.ids[f"area_{key}"])
                            .values(code=key.upper()))  # fmt: skip
        import_estimates(session, frame, source="districts.csv", actor="admin")
        record_visit(session, child_id=api.ids["child_a"], visit_date=today() - timedelta(days=9),
                     monitor="monitor", consent=True, record={"econ_any": True, "econ_hours": 30},
                     profile=load_profile("sdg-8.7.1"), actor="admin")  # fmt: skip
    return api


def _query(api: Api, area: str | None = None) -> str:
    start, end = today() - timedelta(days=60), today()
    where = f"&area_id={api.ids[area]}" if area else ""
    return f"start={start}&end={end}{where}"


def test_the_country_and_its_districts(estimated: Api) -> None:
    answer = estimated.client.get(f"/api/v1/metrics/need_coverage?{_query(estimated)}",
                                  headers=estimated.auth("admin"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    country, a, b = answer.json()
    assert (country["name"], country["identified"], country["estimated"]) == ("Country", 1, 65)
    spread = Z * 125**0.5
    assert country["estimated_low"] == pytest.approx(65 - spread, rel=1e-6)
    assert country["coverage_high"] == pytest.approx(1 / (65 - spread), rel=1e-6)
    assert (a["name"], a["identified"], a["coverage"]) == ("A", 1, pytest.approx(1 / 40))
    assert a["coverage_low"] == pytest.approx(1 / (40 + Z * 10), rel=1e-6)
    assert (b["identified"], b["coverage"], b["areas_estimated"]) == (0, 0.0, 1)


def test_csv_export_has_the_same_rows(estimated: Api) -> None:
    answer = estimated.client.get(f"/api/v1/metrics/need_coverage.csv?{_query(estimated)}",
                                  headers=estimated.auth("admin"))  # fmt: skip
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["name"], r["identified"], r["estimated"]) for r in rows] == [
        ("Country", "1", "65.0"), ("A", "1", "40.0"), ("B", "0", "25.0")]  # fmt: skip


def test_a_monitor_reads_only_their_district(estimated: Api) -> None:
    own = estimated.client.get(f"/api/v1/metrics/need_coverage?{_query(estimated)}",
                               headers=estimated.auth("monitor"))  # fmt: skip
    assert [row["name"] for row in own.json()] == ["A"]
    other = estimated.client.get(f"/api/v1/metrics/need_coverage?{_query(estimated, 'area_b')}",
                                 headers=estimated.auth("monitor"))  # fmt: skip
    assert other.status_code == 404


def test_a_missing_period_is_refused(estimated: Api) -> None:
    answer = estimated.client.get("/api/v1/metrics/need_coverage",
                                  headers=estimated.auth("admin"))  # fmt: skip
    assert answer.status_code == 422

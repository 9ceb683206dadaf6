"""Coverage of need on SQLite and PostgreSQL: estimates kept on areas by code (all or
nothing), rolled up to the areas under the chosen one, set against the children identified.

The expected figures are worked by hand below: a sum's interval is its count +/- 1.96 x the
square root of the summed squared RMSEs (z = 1.959964, the 97.5% normal quantile)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring import AuditEntry, Sex
from ipec.monitoring.metrics import Period
from ipec.monitoring.models import Area
from ipec.monitoring.service import ChildInput, create_area, record_visit, register_household
from ipec.need.coverage import need_coverage
from ipec.need.estimates import import_estimates
from ipec.need.models import AreaEstimate
from ipec.standards import load_profile

Z = 1.959964
PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
WORKING = {"econ_any": True, "econ_hours": 30}


def _world(session: Session) -> dict[str, Area]:
    """Country > R1 (D1, D2), R2 (D3); three children in child labour: two in D1, one in
    D3, and one child visited in D2 not in child labour."""
    country = create_area(session, name="Country", level="country")
    areas = {"C": country}
    for region, districts in (("R1", ("D1", "D2")), ("R2", ("D3",))):
        areas[region] = create_area(session, name=region, level="region", parent_id=country.id)
        for district in districts:
            areas[district] = create_area(session, name=district, level="district",
                                          parent_id=areas[region].id)  # fmt: skip
    for area in areas.values():
        area.code = area.name
    profile = load_profile("sdg-8.7.1")
    for district, records in (("D1", [WORKING, WORKING]), ("D2", [{"econ_any": False}]),
                              ("D3", [WORKING])):  # fmt: skip
        kids = [ChildInput(f"kid {i}", Sex.MALE, date(2014, 1, 1)) for i in range(len(records))]
        household = register_household(session, area_id=areas[district].id, head_name="H",
                                       actor="t", today=date(2026, 1, 1),
                                       children=kids)  # fmt: skip
        for child, record in zip(household.children, records, strict=True):
            record_visit(session, child_id=child.id, visit_date=date(2026, 3, 1), monitor="m",
                         consent=True, record=record, profile=profile, actor="t")  # fmt: skip
    session.flush()
    return areas


def _estimates(rows: list[tuple[str, float, float]]) -> pl.DataFrame:
    """Rows as ipec survey small-area writes them: (code, count, count_rmse), population
    1,000 each."""
    return pl.DataFrame(
        {
            "area": [code for code, _c, _r in rows],
            "kind": ["eblup"] * len(rows),
            "estimate": [count / 1000 for _a, count, _r in rows],
            "ci_low": [max(0.0, (count - Z * rmse) / 1000) for _a, count, rmse in rows],
            "ci_high": [(count + Z * rmse) / 1000 for _a, count, rmse in rows],
            "population": [1000.0] * len(rows),
            "count": [count for _a, count, _r in rows],
            "count_rmse": [rmse for _a, _c, rmse in rows],
            "indicator": ["child_labour"] * len(rows),
            "profile": ["sdg-8.7.1"] * len(rows),
        }
    )


def test_coverage_rolls_up_the_highest_estimated_areas(session: Session) -> None:
    areas = _world(session)
    done = import_estimates(session, _estimates([("D1", 100, 30), ("D2", 50, 40), ("R2", 80, 20)]),
                            source="districts.csv", actor="tester")  # fmt: skip
    assert (done.areas, done.replaced) == (3, 0)
    country = areas["C"]
    rows = need_coverage(session, area_path=country.path, area_id=country.id, name="Country",
                         period=PERIOD)  # fmt: skip
    total, r1, r2 = rows
    # Country: D1 + D2 + R2 = 230, RMSE sqrt(900 + 1600 + 400) = 53.852; 3 identified.
    assert (total.identified, total.areas_estimated) == (3, 3)
    assert total.estimated == pytest.approx(230)
    assert total.estimated_low == pytest.approx(230 - Z * 53.851648, abs=1e-4)
    assert total.estimated_high == pytest.approx(230 + Z * 53.851648, abs=1e-4)
    assert total.coverage == pytest.approx(3 / 230)
    assert total.coverage_low == pytest.approx(3 / (230 + Z * 53.851648), rel=1e-6)
    # R1: D1 + D2 = 150, RMSE 50: 52.002 to 247.998; 2 identified (D2's child is not).
    assert (r1.name, r1.identified, r1.areas_estimated) == ("R1", 2, 2)
    assert (r1.estimated_low, r1.estimated_high) == pytest.approx((52.0018, 247.9982), abs=1e-4)
    assert r1.coverage_high == pytest.approx(2 / 52.0018, rel=1e-5)
    # R2: its own estimate (80, RMSE 20), D3 has none; 1 identified.
    assert (r2.identified, r2.estimated, r2.areas_estimated) == (1, 80, 1)
    assert r2.coverage == pytest.approx(1 / 80)


def test_an_area_estimated_with_its_districts_is_counted_once(session: Session) -> None:
    areas = _world(session)
    import_estimates(session, _estimates([("R2", 80, 20), ("D3", 70, 25)]), source="a.csv",
                     actor="t")  # fmt: skip
    region = areas["R2"]
    total, d3 = need_coverage(session, area_path=region.path, area_id=region.id, name="R2",
                              period=PERIOD)  # fmt: skip
    assert (total.estimated, total.areas_estimated) == (80, 1)  # R2's own, not 80 + 70
    assert (d3.name, d3.estimated, d3.identified) == ("D3", 70, 1)


def test_no_estimate_means_no_coverage(session: Session) -> None:
    areas = _world(session)
    rows = need_coverage(session, area_path=areas["C"].path, area_id=areas["C"].id,
                         name="Country", period=PERIOD)  # fmt: skip
    assert [(r.identified, r.estimated, r.coverage, r.areas_estimated) for r in rows] == [
        (3, None, None, 0), (2, None, None, 0), (1, None, None, 0)]  # fmt: skip


def test_a_new_import_replaces_and_is_audited(session: Session) -> None:
    _world(session)
    import_estimates(session, _estimates([("D1", 100, 30)]), source="a.csv", actor="t")
    done = import_estimates(session, _estimates([("D1", 120, 30), ("D2", 10, 5)]),
                            source="b.csv", actor="t")  # fmt: skip
    assert (done.areas, done.replaced) == (2, 1)
    kept = dict(session.execute(select(AreaEstimate.source, func.count())
                                .group_by(AreaEstimate.source)).all())  # fmt: skip
    assert kept == {"b.csv": 2}
    audited = session.scalars(select(AuditEntry.detail)
                              .where(AuditEntry.action == "estimates.import")).all()  # fmt: skip
    assert [d["source"] for d in audited if d] == ["a.csv", "b.csv"]


def test_bad_rows_are_all_named_and_nothing_is_kept(session: Session) -> None:
    _world(session)
    frame = _estimates([("D1", 100, 30), ("D9", 5, 1), ("D2", 50, 40), ("D1", 1, 1)])
    frame = frame.with_columns(
        pl.when(pl.col("area") == "D2").then(None).otherwise(pl.col("population"))
        .alias("population")
    )  # fmt: skip
    with pytest.raises(DataError) as refused:
        import_estimates(session, frame, source="bad.csv", actor="t")
    message = str(refused.value)
    assert "3 bad row(s), nothing imported" in message
    assert "row 3: area 'D9' is not a stored area's code" in message
    assert "row 4: no population" in message
    assert "row 5: area D1 is given twice" in message
    assert session.scalar(select(func.count()).select_from(AreaEstimate)) == 0

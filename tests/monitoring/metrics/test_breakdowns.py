"""The dashboard's breakdowns (by month, by area, hazardous conditions, services) against
counts worked out by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ipec.monitoring import Area, Sex
from ipec.monitoring.metrics import (
    AreaCounts,
    MonthCounts,
    MonthOutcomes,
    Period,
    hazard_counts,
    identification_by_area,
    months_of,
    outcome_counts,
    outcomes_and_months,
    outcomes_by_month,
    services_by_type,
    visits_by_month,
)
from ipec.monitoring.models import ServiceType
from ipec.monitoring.service import add_service
from tests.monitoring.metrics.world import CLEAN, WORKING, area, case_of, child, visit

QUARTER = Period(date(2026, 1, 1), date(2026, 3, 31))


def _world(session: Session) -> dict[str, Area]:
    """Country > A > A1, Country > B, and a child registered in the country itself.

    - g (A, girl, 10): working 10 Feb (heavy loads: true, dust and fumes: "yes"), clean 5 Mar
      (heights: true, but not in child labour); school kit 15 Feb and 1 Mar, health 2 Apr
      -> withdrawn at her latest verification, in March.
    - b (A1, boy, 13): clean 20 Feb, working 15 Mar (heavy loads: 1); cash transfer 1 Apr.
    - c (B, boy, 9): working 1 Dec 2025 (night work), working 10 Feb (chemicals: false);
      school kit 10 Mar.
    - r (Country, girl, 12): working 11 Feb.
    """
    country = area(session, "Country")
    a = area(session, "A", country)
    a1 = area(session, "A1", a)
    b_area = area(session, "B", country)
    g = child(session, a, "g", Sex.FEMALE, date(2015, 6, 1))
    b = child(session, a1, "b", Sex.MALE, date(2012, 6, 1))
    c = child(session, b_area, "c", Sex.MALE, date(2016, 6, 1))
    r = child(session, country, "r", Sex.FEMALE, date(2013, 6, 1))
    visit(session, g, date(2026, 2, 10), {**WORKING, "haz_heavy_loads": True,
                                          "haz_dust_fumes": "yes"})  # fmt: skip
    visit(session, g, date(2026, 3, 5), {**CLEAN, "haz_heights": True})
    visit(session, b, date(2026, 2, 20), CLEAN)
    visit(session, b, date(2026, 3, 15), {**WORKING, "haz_heavy_loads": 1})
    visit(session, c, date(2025, 12, 1), {**WORKING, "haz_night_work": True})
    visit(session, c, date(2026, 2, 10), {**WORKING, "haz_chemicals": False})
    visit(session, r, date(2026, 2, 11), WORKING)
    for who, kind, day in ((g, ServiceType.SCHOOL_KIT, date(2026, 2, 15)),
                           (g, ServiceType.SCHOOL_KIT, date(2026, 3, 1)),
                           (g, ServiceType.HEALTH, date(2026, 4, 2)),
                           (b, ServiceType.CASH_TRANSFER, date(2026, 4, 1)),
                           (c, ServiceType.SCHOOL_KIT, date(2026, 3, 10))):  # fmt: skip
        add_service(session, case_id=case_of(session, who).id, service=kind, started_on=day,
                    actor="m")  # fmt: skip
    return {"country": country, "a": a, "a1": a1, "b": b_area}


def test_months_of_a_period() -> None:
    assert months_of(Period(date(2025, 11, 30), date(2026, 2, 1))) == [
        "2025-11", "2025-12", "2026-01", "2026-02"
    ]  # fmt: skip
    assert months_of(Period(date(2026, 5, 3), date(2026, 5, 4))) == ["2026-05"]


def test_visits_by_month(session: Session) -> None:
    world = _world(session)
    country, a = world["country"], world["a"]
    assert visits_by_month(session, area_path=country.path, period=QUARTER) == [
        MonthCounts("2026-01", 0, 0),
        MonthCounts("2026-02", 4, 3),  # g, b, c, r visited; b was clean
        MonthCounts("2026-03", 2, 1),  # g clean, b working
    ]
    assert visits_by_month(session, area_path=a.path, period=QUARTER) == [
        MonthCounts("2026-01", 0, 0),
        MonthCounts("2026-02", 2, 1),
        MonthCounts("2026-03", 2, 1),
    ]


def test_identification_by_area(session: Session) -> None:
    world = _world(session)
    country, a, a1, b = world["country"], world["a"], world["a1"], world["b"]
    # r, registered in the country itself, is in no row; b (in A1) rolls up to A.
    assert identification_by_area(session, area_path=country.path, period=QUARTER) == [
        AreaCounts(a.id, "A", 2, 2),
        AreaCounts(b.id, "B", 1, 1),
    ]
    assert identification_by_area(session, area_path=a.path, period=QUARTER) == [
        AreaCounts(a1.id, "A1", 1, 1)
    ]
    february = Period(date(2026, 2, 1), date(2026, 2, 28))
    assert identification_by_area(session, area_path=country.path, period=february) == [
        AreaCounts(a.id, "A", 2, 1),
        AreaCounts(b.id, "B", 1, 1),
    ]


def test_hazard_counts(session: Session) -> None:
    world = _world(session)
    country, b = world["country"], world["b"]
    found = hazard_counts(session, area_path=country.path, period=QUARTER)
    # g and b: heavy loads; g: dust and fumes; heights at a clean visit, night work before
    # the period and chemicals recorded false are not counted.
    assert {name: count for name, count in found.items() if count} == {
        "heavy_loads": 2,
        "dust_fumes": 1,
    }
    assert found["heights"] == found["night_work"] == found["chemicals"] == 0
    assert not any(hazard_counts(session, area_path=b.path, period=QUARTER).values())


def test_services_by_type(session: Session) -> None:
    world = _world(session)
    country, a = world["country"], world["a"]
    # g's two school kits count once; the health service and the cash transfer fall outside.
    assert services_by_type(session, area_path=country.path, period=QUARTER) == {"school_kit": 2}
    assert services_by_type(session, area_path=a.path, period=QUARTER) == {"school_kit": 1}


def test_outcomes_by_month(session: Session) -> None:
    world = _world(session)
    country = world["country"]
    by_month = outcomes_by_month(session, area_path=country.path, period=QUARTER, minimum_age=15)
    assert by_month == [
        MonthOutcomes("2026-01", 0, 0, 0),
        MonthOutcomes("2026-02", 0, 0, 0),
        MonthOutcomes("2026-03", 1, 0, 0),  # g, verified clean on 5 March
    ]
    total = outcome_counts(session, area_path=country.path, period=QUARTER, minimum_age=15)[0]
    assert sum(month.withdrawn for month in by_month) == total.withdrawn == 1
    # Up to February g has one visit since her case opened: nothing is verified yet.
    to_february = Period(date(2026, 1, 1), date(2026, 2, 28))
    early = outcomes_by_month(session, area_path=country.path, period=to_february, minimum_age=15)
    assert not any(month.withdrawn for month in early)


def test_outcomes_and_months_from_one_query(session: Session) -> None:
    country = _world(session)["country"].path
    for period in (QUARTER, Period(date(2026, 1, 1), date(2026, 2, 28))):
        both = outcomes_and_months(session, area_path=country, period=period, minimum_age=15)
        assert both == (
            outcome_counts(session, area_path=country, period=period, minimum_age=15),
            outcomes_by_month(session, area_path=country, period=period, minimum_age=15),
        )
        assert both[1][-1].month == f"{period.end:%Y-%m}"

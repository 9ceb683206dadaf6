"""US DOL common indicators (POC, POH, E1, L1) against counts worked out by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ipec.monitoring import Case, Sex
from ipec.monitoring.metrics import (
    ChildIndicators,
    Count,
    HouseholdIndicators,
    Period,
    Rate,
    dol_child_indicators,
    dol_education_services,
    dol_household_indicators,
    dol_livelihood_services,
)
from ipec.monitoring.models import ServiceType
from ipec.monitoring.service import add_service
from tests.monitoring.metrics.world import (
    CLEAN,
    HAZARDOUS,
    WORKING,
    WORST,
    area,
    at_risk_case,
    case_of,
    child,
    household,
    visit,
)

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
F, M = Sex.FEMALE, Sex.MALE
S = ServiceType


def _serve(session: Session, case: Case, service: ServiceType, on: date) -> None:
    add_service(session, case_id=case.id, service=service, started_on=on, actor="m")


def _world(session: Session) -> dict[str, str]:
    """District A (B outside, C empty). Beneficiary children and the latest visit in 2026:

    H1  a1 (F, 2015-06): working 1 Feb (30 of 60 days), clean 1 Jun, 45 of 60 days (75%:
        regular, exactly) -> latest: clean, regular; 11 (female*5-11).
        a2 (M, 2010-03): hazardous 1 Mar, 10 of 40 days -> child labour, hazardous, not
        regular; 16 (male*15-17).
        a3 (F, 2016-01): clean 1 Mar, no case -> not a beneficiary.
    H2  b1 (M, 2014-06): worst form 15 Jan; worst form 1 Apr, 59 of 78 days (236 >= 234:
        regular) -> child labour, other worst form, regular; 11 (male*5-11).
        b2 (F, 2012-06): at risk since 5 Jan, clean 1 May, no attendance; 13 (female*12-14).
    H3  c1 (M, 2013-06): working 1 Oct 2025 only -> a beneficiary in 2025, not in 2026.
    H4  d1 (F, 2015-01): clean 1 Jul, school open 0 days (no attendance); at risk from 1 Aug
        -> a beneficiary for the year (case opened by its end); 11 (female*5-11).
        d2 (M, 2011-06): working then clean on the same day, 1 May, 3 of 4 days -> the later
        visit: clean, regular; 14 (male*12-14).
    H5  x1 (F, 2015-06): at risk, school kit, never visited -> not a beneficiary.
    B   e1: working, outside.

    POC (base 6: a1, a2, b1, b2, d1, d2): child labour a2, b1 = 2; hazardous a2 = 1; other
    worst forms b1 = 1; attendance recorded a1, a2, b1, d2, regular a1, b1, d2 = 3 / 4.
    POH (base 3: H1, H2, H4): child labour H1, H2; hazardous H1; worst H2; attendance
    recorded H1, H2, H4, all regular H2, H4 (H1 has a2) = 2 / 3.
    """
    country = area(session, "Country")
    a, b, c = (area(session, name, country) for name in "ABC")
    a1, a2, _a3 = household(session, a, ("a1", F, date(2015, 6, 1)),
                            ("a2", M, date(2010, 3, 1)), ("a3", F, date(2016, 1, 1)))  # fmt: skip
    visit(session, a1, date(2026, 2, 1), WORKING, attended=30, days_open=60)
    visit(session, a1, date(2026, 6, 1), CLEAN, attended=45, days_open=60)
    visit(session, a2, date(2026, 3, 1), HAZARDOUS, attended=10, days_open=40)
    visit(session, _a3, date(2026, 3, 1), CLEAN)
    b1, b2 = household(session, a, ("b1", M, date(2014, 6, 1)), ("b2", F, date(2012, 6, 1)))
    visit(session, b1, date(2026, 1, 15), WORST)
    visit(session, b1, date(2026, 4, 1), WORST, attended=59, days_open=78)
    b2_case = at_risk_case(session, b2, date(2026, 1, 5))
    visit(session, b2, date(2026, 5, 1), CLEAN)
    c1 = child(session, a, "c1", M, date(2013, 6, 1))
    visit(session, c1, date(2025, 10, 1), WORKING)
    d1, d2 = household(session, a, ("d1", F, date(2015, 1, 1)), ("d2", M, date(2011, 6, 1)))
    visit(session, d1, date(2026, 7, 1), CLEAN, attended=0, days_open=0)
    at_risk_case(session, d1, date(2026, 8, 1))
    visit(session, d2, date(2026, 5, 1), WORKING)
    visit(session, d2, date(2026, 5, 1), CLEAN, attended=3, days_open=4)
    x1 = child(session, a, "x1", F, date(2015, 6, 1))
    x1_case = at_risk_case(session, x1, date(2026, 1, 5))
    e1 = child(session, b, "e1", F, date(2015, 6, 1))
    visit(session, e1, date(2026, 2, 1), WORKING)
    # services: see test_education_and_livelihood_services
    _serve(session, case_of(session, a1), S.SCHOOL_ENROLMENT, date(2026, 2, 10))
    _serve(session, case_of(session, a1), S.SCHOOL_KIT, date(2026, 3, 1))
    _serve(session, case_of(session, a2), S.VOCATIONAL_TRAINING, date(2026, 4, 1))
    _serve(session, case_of(session, a2), S.INCOME_GENERATION, date(2026, 4, 1))
    _serve(session, case_of(session, b1), S.SCHOOL_KIT, date(2026, 1, 15))
    _serve(session, case_of(session, b1), S.CASH_TRANSFER, date(2026, 2, 1))
    _serve(session, b2_case, S.SAVINGS_GROUP, date(2026, 3, 1))
    _serve(session, b2_case, S.BRIDGING_CLASS, date(2026, 5, 1))
    _serve(session, case_of(session, c1), S.CASH_TRANSFER, date(2025, 11, 1))
    _serve(session, case_of(session, c1), S.HEALTH, date(2026, 2, 1))
    _serve(session, case_of(session, d2), S.INCOME_GENERATION, date(2026, 6, 1))
    _serve(session, x1_case, S.SCHOOL_KIT, date(2026, 3, 1))
    _serve(session, case_of(session, e1), S.SCHOOL_KIT, date(2026, 3, 1))
    _serve(session, case_of(session, e1), S.CASH_TRANSFER, date(2026, 3, 1))
    return {"a": a.path, "c": c.path, "country": country.path}


def _table(rates: list[Rate]) -> dict[str, tuple[int, int]]:
    return {r.group: (r.numerator, r.denominator) for r in rates}


def test_child_indicators(session: Session) -> None:
    paths = _world(session)
    poc = dol_child_indicators(session, area_path=paths["a"], period=YEAR)
    assert _table(poc.poc1_child_labour) == {
        "total": (2, 6),
        "female*5-11": (0, 2),
        "female*12-14": (0, 1),
        "male*5-11": (1, 1),
        "male*12-14": (0, 1),
        "male*15-17": (1, 1),
    }
    assert _table(poc.poc2_hazardous_work) == {
        "total": (1, 6),
        "female*5-11": (0, 2),
        "female*12-14": (0, 1),
        "male*5-11": (0, 1),
        "male*12-14": (0, 1),
        "male*15-17": (1, 1),
    }
    assert _table(poc.poc3_other_worst_forms)["total"] == (1, 6)
    assert _table(poc.poc3_other_worst_forms)["male*5-11"] == (1, 1)
    assert _table(poc.poc4_regular_attendance) == {
        "total": (3, 4),
        "female*5-11": (1, 1),
        "female*12-14": (0, 0),
        "male*5-11": (1, 1),
        "male*12-14": (1, 1),
        "male*15-17": (0, 1),
    }
    assert poc.poc4_regular_attendance[0].value == 0.75


def test_household_indicators(session: Session) -> None:
    paths = _world(session)
    assert dol_household_indicators(session, area_path=paths["a"], period=YEAR) == (
        HouseholdIndicators(
            poh1_child_labour=Rate("total", 2, 3),
            poh2_hazardous_work=Rate("total", 1, 3),
            poh3_other_worst_forms=Rate("total", 1, 3),
            poh4_regular_attendance=Rate("total", 2, 3),
        )
    )


def test_indicators_in_other_periods_and_empty(session: Session) -> None:
    """2025: c1 alone (working, no attendance). July 2026: d1 is visited, but her case opens
    in August, so nobody is a beneficiary. C has nobody."""
    paths = _world(session)
    year_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
    poc = dol_child_indicators(session, area_path=paths["a"], period=year_2025)
    assert _table(poc.poc1_child_labour) == {"total": (1, 1), "male*12-14": (1, 1)}
    assert _table(poc.poc4_regular_attendance) == {"total": (0, 0), "male*12-14": (0, 0)}
    poh = dol_household_indicators(session, area_path=paths["a"], period=year_2025)
    assert (poh.poh1_child_labour, poh.poh4_regular_attendance) == (
        Rate("total", 1, 1),
        Rate("total", 0, 0),
    )
    july = Period(date(2026, 7, 1), date(2026, 7, 31))
    nobody = ChildIndicators([Rate("total", 0, 0)], [Rate("total", 0, 0)],
                             [Rate("total", 0, 0)], [Rate("total", 0, 0)])  # fmt: skip
    for path, period in ((paths["a"], july), (paths["c"], YEAR)):
        assert dol_child_indicators(session, area_path=path, period=period) == nobody
        poh = dol_household_indicators(session, area_path=path, period=period)
        assert poh.poh1_child_labour == Rate("total", 0, 0)
        assert poh.poh1_child_labour.value is None


def test_education_and_livelihood_services(session: Session) -> None:
    """E1 in 2026 (age at the latest visit up to the end): enrolment a1; school kit a1 and
    x1 (never visited: unknown age; b1's kit started on 15 Jan 2026 too); bridging class b2;
    vocational training a2; all: a1, a2, b1, b2, x1 = 5 children (a1 once).
    L1: income generation H1 (a2), H4 (d2); savings group H2 (b2); cash transfer H2 (b1;
    c1's was in 2025); all: H1, H2, H4 = 3 (H2 once)."""
    paths = _world(session)
    e1 = dol_education_services(session, area_path=paths["a"], period=YEAR)
    assert list(e1) == [
        "all",
        "school_enrolment",
        "school_kit",
        "bridging_class",
        "vocational_training",
        "apprenticeship",
    ]
    assert e1["all"] == [
        Count("total", 5),
        Count("female*12-14", 1),
        Count("female*5-11", 1),
        Count("female*unknown", 1),
        Count("male*15-17", 1),
        Count("male*5-11", 1),
    ]
    assert e1["school_enrolment"] == [Count("total", 1), Count("female*5-11", 1)]
    assert e1["school_kit"] == [
        Count("total", 3),
        Count("female*5-11", 1),
        Count("female*unknown", 1),
        Count("male*5-11", 1),
    ]
    assert e1["bridging_class"] == [Count("total", 1), Count("female*12-14", 1)]
    assert e1["vocational_training"] == [Count("total", 1), Count("male*15-17", 1)]
    assert e1["apprenticeship"] == [Count("total", 0)]
    l1 = dol_livelihood_services(session, area_path=paths["a"], period=YEAR)
    assert l1 == {"all": 3, "income_generation": 2, "savings_group": 1, "cash_transfer": 1}
    country = dol_livelihood_services(session, area_path=paths["country"], period=YEAR)
    assert country == {"all": 4, "income_generation": 2, "savings_group": 1, "cash_transfer": 2}
    assert dol_education_services(session, area_path=paths["country"], period=YEAR)["all"][
        0
    ] == Count("total", 6)
    empty = dol_livelihood_services(session, area_path=paths["c"], period=YEAR)
    assert empty == {"all": 0, "income_generation": 0, "savings_group": 0, "cash_transfer": 0}

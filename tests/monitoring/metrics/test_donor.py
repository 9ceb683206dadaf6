"""US DOL common indicators (POC, POH, E1, L1) against counts worked out by hand from DOL's
definitions (the toolkit's ``lib/dbms/default_data/indicators.rb``; see the module
``ipec.monitoring.metrics.donor``), not from ipec's output."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Date, literal, select
from sqlalchemy.orm import Session

from ipec.monitoring import Case, Sex
from ipec.monitoring.metrics import (
    Count,
    HouseholdIndicators,
    HouseholdRates,
    Period,
    Rate,
    dol_child_indicators,
    dol_education_services,
    dol_household_indicators,
    dol_livelihood_services,
)
from ipec.monitoring.metrics.calendar import age_on_sql, months_window_start, window_start
from ipec.monitoring.models import LeaveReason, ServiceType
from ipec.monitoring.service import add_service, end_service, record_leaving
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

#: DOL's second reporting period of a fiscal year: the six months 1 April - 30 September.
HALF = Period(date(2026, 4, 1), date(2026, 9, 30))
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
F, M = Sex.FEMALE, Sex.MALE
S = ServiceType


def _serve(session: Session, case: Case, service: ServiceType, on: date,
           ended: date | None = None) -> None:  # fmt: skip
    made = add_service(session, case_id=case.id, service=service, started_on=on, actor="m")
    if ended is not None:
        end_service(session, service_id=made.id, ended_on=ended, actor="m")


def _table(rates: list[Rate]) -> dict[str, tuple[int, int]]:
    return {r.group: (r.numerator, r.denominator) for r in rates}


@pytest.mark.parametrize(
    ("day", "months", "first"),
    [
        (date(2026, 9, 30), 6, 20260401),  # DOL's period 2: 1 Apr - 30 Sep
        (date(2026, 3, 31), 6, 20251001),  # period 1: 1 Oct - 31 Mar
        (date(2026, 8, 30), 6, 20260231),  # no 31 Feb: from 1 Mar
        (date(2026, 12, 31), 6, 20260701),
        (date(2026, 12, 31), 12, 20260101),
        (date(2026, 3, 1), 12, 20250302),
        (date(2024, 2, 28), 12, 20230229),  # from 1 Mar 2023
    ],
)
def test_window_start(session: Session, day: date, months: int, first: int) -> None:
    found = session.scalar(select(months_window_start(literal(day, Date), months)))
    assert found == first
    # the same window as a date, for a day known in Python ("31 Feb": from 1 Mar)
    start = window_start(day, months)
    assert int(start.strftime("%Y%m%d")) >= first
    assert int((start - timedelta(days=1)).strftime("%Y%m%d")) < first


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2016, 2, 29), date(2026, 2, 28), 9),
        (date(2016, 2, 29), date(2026, 3, 1), 10),
        (date(2014, 6, 1), date(2026, 5, 31), 11),
        (date(2014, 6, 1), date(2026, 6, 1), 12),
        (date(2026, 6, 1), date(2026, 5, 1), 0),  # born after the day
    ],
)
def test_age_on(session: Session, born: date, day: date, age: int) -> None:
    assert session.scalar(select(age_on_sql(literal(born, Date), literal(day, Date)))) == age


def _participants_world(session: Session) -> dict[str, str]:
    """District A (B outside). The period: 1 Apr - 30 Sep 2026 (the six-month window is the
    period). Age on 30 Sep 2026.

    p1 (F, 2015-06-01, 11): working 31 Mar (the day before the window), clean 1 May with 45
        of 60 days (75%: regular); school enrolment 10 Apr -> participant, not in child
        labour in the window, regular. School kit 1 May (E1: counted once).
    p2 (M, 2010-03-01, 16): hazardous 15 Sep 2025 and 1 Apr 2026 (the window's first day), 10
        of 40 days; vocational training since 1 Oct 2025, no end -> participant (still
        receiving), child labour, hazardous, not regular. Apprenticeship 1 Jul (E1).
    p3 (M, 2014-06-01, 12): worst form 1 Mar and 30 Sep (the last day), 59 of 78 days (236 >=
        234: regular); cash transfer 1 Jun (livelihood) -> participant, child labour, other
        worst form, regular.
    p4 (F, 2012-10-01, 13): at risk; bridging class 10 Jan - 31 Mar (ended before the period)
        -> not a participant.
    p5 (F, 2016-01-01, 10): at risk; school kit 1 Feb - 1 Apr (ends in the period) ->
        participant, never visited: counted in the denominators only.
    p6 (M, 2012-01-10, 14): working 10 Jan and 1 May; health only -> not a participant.
    p7 (F, 2013-01-01, 13): at risk from 1 Apr, school kit 1 Apr -> participant (E1:
        at_risk*female*12-14), not visited.
    e1 (F) in B: working 1 May, school kit 1 May -> outside.

    Participants: p1, p2, p3, p5, p7 = 5; female*5-11: p1, p5; female*12-14: p7;
    male*12-14: p3; male*15-17: p2.
    POC1: p2, p3 = 2/5. POC2: p2 = 1/5. POC3: p3 = 1/5. POC4: p1, p3 = 2/5. Visited: p1, p2,
    p3 = 3/5.
    """
    country = area(session, "Country")
    a, b = area(session, "A", country), area(session, "B", country)
    p1 = child(session, a, "p1", F, date(2015, 6, 1))
    visit(session, p1, date(2026, 3, 31), WORKING)
    visit(session, p1, date(2026, 5, 1), CLEAN, attended=45, days_open=60)
    _serve(session, case_of(session, p1), S.SCHOOL_ENROLMENT, date(2026, 4, 10))
    _serve(session, case_of(session, p1), S.SCHOOL_KIT, date(2026, 5, 1))
    p2 = child(session, a, "p2", M, date(2010, 3, 1))
    visit(session, p2, date(2025, 9, 15), HAZARDOUS)
    visit(session, p2, date(2026, 4, 1), HAZARDOUS, attended=10, days_open=40)
    _serve(session, case_of(session, p2), S.VOCATIONAL_TRAINING, date(2025, 10, 1))
    _serve(session, case_of(session, p2), S.APPRENTICESHIP, date(2026, 7, 1))
    p3 = child(session, a, "p3", M, date(2014, 6, 1))
    visit(session, p3, date(2026, 3, 1), WORST)
    visit(session, p3, date(2026, 9, 30), WORST, attended=59, days_open=78)
    _serve(session, case_of(session, p3), S.CASH_TRANSFER, date(2026, 6, 1))
    p4 = child(session, a, "p4", F, date(2012, 10, 1))
    _serve(session, at_risk_case(session, p4, date(2026, 1, 5)), S.BRIDGING_CLASS,
           date(2026, 1, 10), ended=date(2026, 3, 31))  # fmt: skip
    p5 = child(session, a, "p5", F, date(2016, 1, 1))
    _serve(session, at_risk_case(session, p5, date(2026, 2, 1)), S.SCHOOL_KIT,
           date(2026, 2, 1), ended=date(2026, 4, 1))  # fmt: skip
    p6 = child(session, a, "p6", M, date(2012, 1, 10))
    visit(session, p6, date(2026, 1, 10), WORKING)
    visit(session, p6, date(2026, 5, 1), WORKING)
    _serve(session, case_of(session, p6), S.HEALTH, date(2026, 2, 1))
    p7 = child(session, a, "p7", F, date(2013, 1, 1))
    _serve(session, at_risk_case(session, p7, date(2026, 4, 1)), S.SCHOOL_KIT, date(2026, 4, 1))
    e1 = child(session, b, "e1", F, date(2015, 6, 1))
    visit(session, e1, date(2026, 5, 1), WORKING)
    _serve(session, case_of(session, e1), S.SCHOOL_KIT, date(2026, 5, 1))
    return {"a": a.path, "country": country.path}


def test_participant_children(session: Session) -> None:
    paths = _participants_world(session)
    poc = dol_child_indicators(session, area_path=paths["a"], period=HALF)
    assert _table(poc.poc1_child_labour) == {
        "total": (2, 5),
        "female*5-11": (0, 2),
        "female*12-14": (0, 1),
        "male*12-14": (1, 1),
        "male*15-17": (1, 1),
    }
    assert _table(poc.poc2_hazardous_work)["total"] == (1, 5)
    assert _table(poc.poc2_hazardous_work)["male*15-17"] == (1, 1)
    assert _table(poc.poc3_other_worst_forms)["total"] == (1, 5)
    assert _table(poc.poc3_other_worst_forms)["male*12-14"] == (1, 1)
    assert _table(poc.poc4_regular_attendance) == {
        "total": (2, 5),
        "female*5-11": (1, 2),
        "female*12-14": (0, 1),
        "male*12-14": (1, 1),
        "male*15-17": (0, 1),
    }
    assert _table(poc.visited)["total"] == (3, 5)
    # the whole country adds e1 (in child labour, visited)
    country = dol_child_indicators(session, area_path=paths["country"], period=HALF)
    assert _table(country.poc1_child_labour)["total"] == (3, 6)


def test_participants_in_another_window(session: Session) -> None:
    """1 Oct 2025 - 31 Mar 2026 (the window is that period): participants p2 (vocational
    training since 1 Oct), p4 (bridging class 10 Jan - 31 Mar), p5 (school kit from 1 Feb),
    e1 is outside, p3's cash transfer starts in June. Ages on 31 Mar 2026: p2 16, p4 13, p5
    10. Visits in the window: p2 none (15 Sep 2025 is before it); p4, p5 none. POC1 0/3."""
    paths = _participants_world(session)
    first = Period(date(2025, 10, 1), date(2026, 3, 31))
    poc = dol_child_indicators(session, area_path=paths["a"], period=first)
    assert _table(poc.poc1_child_labour) == {
        "total": (0, 3),
        "female*5-11": (0, 1),
        "female*12-14": (0, 1),
        "male*15-17": (0, 1),
    }
    assert _table(poc.visited)["total"] == (0, 3)


def test_education_and_livelihood_services(session: Session) -> None:
    """E1 (services started 1 Apr - 30 Sep): school enrolment p1; school kit p1, p7;
    apprenticeship p2 (vocational training began in 2025); all: p1, p2, p7 = 3 (p1 once).
    p1, p2 have child-labour cases; p7 is at risk. L1: p3's household (cash transfer)."""
    paths = _participants_world(session)
    e1 = dol_education_services(session, area_path=paths["a"], period=HALF)
    assert list(e1) == ["all", "school_enrolment", "school_kit", "bridging_class",
                        "vocational_training", "apprenticeship"]  # fmt: skip
    assert e1["all"] == [
        Count("total", 3),
        Count("at_risk*female*12-14", 1),
        Count("child_labour*female*5-11", 1),
        Count("child_labour*male*15-17", 1),
    ]
    assert e1["school_kit"] == [
        Count("total", 2),
        Count("at_risk*female*12-14", 1),
        Count("child_labour*female*5-11", 1),
    ]
    assert e1["apprenticeship"] == [Count("total", 1), Count("child_labour*male*15-17", 1)]
    assert e1["vocational_training"] == [Count("total", 0)]
    l1 = dol_livelihood_services(session, area_path=paths["a"], period=HALF)
    assert l1 == {"all": 1, "income_generation": 0, "savings_group": 0, "cash_transfer": 1}


def _households_world(session: Session) -> str:
    """The life of the project: 2026. Livelihood households are judged at intake (the
    first livelihood service of 2026) and on 31 Dec 2026; child labour over the 12 months
    ending on that day, attendance over the six months; compulsory school age 6-16.

    H1: h1a (F, 2014-05-01), h1b (M, 2008-01-01: 18, never of school age). h1a working 1 Jun
        2025, clean 15 Jan 2026 (50 of 60 days), clean 1 Oct 2026 (40 of 60: 66%); income
        generation 1 Mar 2026 = intake. Intake (2 Mar 2025 - 1 Mar 2026): child labour;
        attendance (2 Sep 2025 - 1 Mar): 50/60, regular. End (2026): no child labour; from 1
        Jul: 40/60, not regular.
    H2: h2a (M, 2012-01-01), h2b (F, 2020-06-01: 5 at intake, 6 at the end). h2a hazardous 1
        Apr 2026 (30 of 40 days), clean 1 Aug (60 of 60); savings group 1 May (intake), cash
        transfer 1 Jun. Intake: child labour, hazardous; h2a regular, h2b not of age: all
        regular. End: 1 Apr is within 12 months: child labour, hazardous; h2a regular, h2b
        of age without attendance: not all regular.
    H3: h3a (F, 2013-03-01) worst form 1 Feb 2026; income generation 15 Feb (intake), school
        kit 15 Feb. Intake and end: child labour, other worst form; no attendance: not
        regular.
    H4: h4a cash transfer 1 Dec 2025 only -> not a livelihood household of 2026.
    H5: h5a (F, 2018-01-01), h5b (M, 2015-01-01, left 15 Jun 2026). h5a at risk from 1 Jun,
        savings group 1 Jul (intake); never visited. h5b working 1 Mar 2026 (but left before
        intake: not counted). Intake and end: no child labour; h5a (8) without attendance.
    HB (area B): cash transfer -> outside.

    Households: H1, H2, H3, H5 = 4. Intake: POH1 H1, H2, H3 = 3; POH2 H2 = 1; POH3 H3 = 1;
    POH4 of school age H1, H2, H3, H5 = 4, all regular H1, H2 = 2. End: POH1 H2, H3 = 2;
    POH2 H2 = 1; POH3 H3 = 1; POH4 0 / 4. L1: income generation H1, H3; savings group H2,
    H5; cash transfer H2; all 4.
    """
    country = area(session, "Country")
    a, b = area(session, "A", country), area(session, "B", country)
    h1a, _h1b = household(session, a, ("h1a", F, date(2014, 5, 1)), ("h1b", M, date(2008, 1, 1)))
    visit(session, h1a, date(2025, 6, 1), WORKING)
    visit(session, h1a, date(2026, 1, 15), CLEAN, attended=50, days_open=60)
    visit(session, h1a, date(2026, 10, 1), CLEAN, attended=40, days_open=60)
    _serve(session, case_of(session, h1a), S.INCOME_GENERATION, date(2026, 3, 1))
    h2a, _h2b = household(session, a, ("h2a", M, date(2012, 1, 1)), ("h2b", F, date(2020, 6, 1)))
    visit(session, h2a, date(2026, 4, 1), HAZARDOUS, attended=30, days_open=40)
    visit(session, h2a, date(2026, 8, 1), CLEAN, attended=60, days_open=60)
    _serve(session, case_of(session, h2a), S.SAVINGS_GROUP, date(2026, 5, 1))
    _serve(session, case_of(session, h2a), S.CASH_TRANSFER, date(2026, 6, 1))
    h3a = child(session, a, "h3a", F, date(2013, 3, 1))
    visit(session, h3a, date(2026, 2, 1), WORST)
    _serve(session, case_of(session, h3a), S.INCOME_GENERATION, date(2026, 2, 15))
    _serve(session, case_of(session, h3a), S.SCHOOL_KIT, date(2026, 2, 15))
    h4a = child(session, a, "h4a", M, date(2012, 5, 1))
    visit(session, h4a, date(2025, 11, 1), WORKING)
    _serve(session, case_of(session, h4a), S.CASH_TRANSFER, date(2025, 12, 1))
    h5a, h5b = household(session, a, ("h5a", F, date(2018, 1, 1)), ("h5b", M, date(2015, 1, 1)))
    visit(session, h5b, date(2026, 3, 1), WORKING)
    record_leaving(session, child_id=h5b.id, expected_version=h5b.version,
                   left_on=date(2026, 6, 15), reason=LeaveReason.MOVED, actor="m",
                   today=date(2026, 12, 31))  # fmt: skip
    _serve(session, at_risk_case(session, h5a, date(2026, 6, 1)), S.SAVINGS_GROUP,
           date(2026, 7, 1))  # fmt: skip
    hb = child(session, b, "hb", M, date(2013, 1, 1))
    visit(session, hb, date(2026, 2, 1), WORKING)
    _serve(session, case_of(session, hb), S.CASH_TRANSFER, date(2026, 3, 1))
    return a.path


def test_household_indicators(session: Session) -> None:
    path = _households_world(session)
    assert dol_household_indicators(session, area_path=path, period=YEAR) == HouseholdIndicators(
        intake=HouseholdRates(
            poh1_child_labour=Rate("total", 3, 4),
            poh2_hazardous_work=Rate("total", 1, 4),
            poh3_other_worst_forms=Rate("total", 1, 4),
            poh4_regular_attendance=Rate("total", 2, 4),
        ),
        end=HouseholdRates(
            poh1_child_labour=Rate("total", 2, 4),
            poh2_hazardous_work=Rate("total", 1, 4),
            poh3_other_worst_forms=Rate("total", 1, 4),
            poh4_regular_attendance=Rate("total", 0, 4),
        ),
    )
    l1 = dol_livelihood_services(session, area_path=path, period=YEAR)
    assert l1 == {"all": 4, "income_generation": 2, "savings_group": 2, "cash_transfer": 1}


def test_household_school_ages_are_a_parameter(session: Session) -> None:
    """With compulsory school from 6 to 13: at intake H1 (h1a, 11), H2 (h2a, 14 on 1 May:
    out), H3 (h3a, 12), H5 (h5a, 8) -> of age H1, H3, H5 = 3, regular H1 = 1."""
    path = _households_world(session)
    found = dol_household_indicators(session, area_path=path, period=YEAR, school_ages=(6, 13))
    assert found.intake.poh4_regular_attendance == Rate("total", 1, 3)


def test_nobody(session: Session) -> None:
    """A subtree without participants: every rate 0/0 (value None), no household."""
    country = area(session, "Country")
    empty = area(session, "C", country)
    poc = dol_child_indicators(session, area_path=empty.path, period=HALF)
    assert poc.poc1_child_labour == [Rate("total", 0, 0)]
    assert poc.poc1_child_labour[0].value is None
    poh = dol_household_indicators(session, area_path=empty.path, period=YEAR)
    assert poh.end.poh1_child_labour == Rate("total", 0, 0)

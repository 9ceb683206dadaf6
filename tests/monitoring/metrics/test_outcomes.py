"""Outcome counts by the database against hand-computed numbers."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ipec.monitoring import Case, Sex
from ipec.monitoring.metrics import OutcomeCounts, Period, outcome_counts
from ipec.monitoring.models import CaseKind, CaseStatus, ServiceType
from ipec.monitoring.service import add_service
from tests.monitoring.metrics.world import (
    CLEAN,
    HAZARDOUS,
    WORKING,
    area,
    at_risk_case,
    case_of,
    child,
    visit,
)

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
HALF = Period(date(2026, 1, 1), date(2026, 6, 30))
F, M = Sex.FEMALE, Sex.MALE
JAN, MAR, JUN, SEP = date(2026, 1, 10), date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1)
S = ServiceType


def _serve(session: Session, case: Case, service: ServiceType, on: date) -> None:
    add_service(session, case_id=case.id, service=service, started_on=on, actor="m")


def _world(session: Session) -> dict[str, str]:
    """Histories in district A (B outside); minimum age 15; WORKING is 30 hours (child labour
    under 15, permitted work at 15-17), HAZARDOUS 45 hours (hazardous under 18).

    - w1 (F, 2015-06): working Jan, clean Jun, enrolment Feb -> withdrawn; 11 in Jun.
    - w2 (M, 2010-03): hazardous Jan, permitted work Jun, vocational training -> withdrawn
      (before protected); 16.
    - p1 (F, 2010-03): hazardous Jan, permitted work Jun, health only -> protected; 16.
    - n1 (M, 2013-03): hazardous Jan, clean Jun, no service -> 13, below 15: nothing.
    - n2 (M, 2015-03): working Jan and Jun, school kit -> still in child labour: nothing.
    - n3 (F, 2015-03): working Jan only, school kit -> one visit verifies nothing.
    - pr1 (F, 2017-03): at risk from 5 Jan, clean Jan and Jun, school kit -> prevented; 9.
    - n4 (M, 2017-03): at risk, clean Jan and Jun, no service -> nothing.
    - n5 (M, 2017-06): at risk, working Jan (escalated), clean Jun, school kit -> in child
      labour at identification of an at-risk case: nothing.
    - c2 (F, 2012-03): an at-risk case from 5 Jan 2025 (clean Feb 2025, psychosocial: it
      would be prevented) and a child-labour case from 10 Jan 2026 (working Jan, clean Jun,
      enrolment Feb 2026: withdrawn) -> counted once, withdrawn; 14 in Jun.
    - o1 (F, 2015-01): working Jan 2025, clean Jun 2025, kit -> withdrawn, but verified in
      2025: not in 2026.
    - f1 (F, 2015-09): working Jan, clean Mar, working Sep, kit Feb -> nothing for the year;
      withdrawn for the first half (Sep is after it; 10 in Mar).
    - s1 (M, 2015-03): working Jan, clean Jun, kit from 1 Sep -> withdrawn for the year (11),
      nothing for the first half (the service starts after it).
    - b1 in B: withdrawn, outside.

    Year: F 5-11 w1, pr1 -> (1, 0, 1); F 12-14 c2 (1, 0, 0); F 15-17 p1 (0, 1, 0);
    M 5-11 s1 (1, 0, 0); M 15-17 w2 (1, 0, 0); total (4, 1, 1).
    First half: F 5-11 w1, f1, pr1 (2, 0, 1); F 12-14 c2; F 15-17 p1; M 15-17 w2;
    total (4, 1, 1).
    """
    country = area(session, "Country")
    a, b = area(session, "A", country), area(session, "B", country)
    feb = date(2026, 2, 1)
    plan: list[tuple[str, Sex, date, list[tuple[date, dict[str, object]]], list[ServiceType]]]
    plan = [
        ("w1", F, date(2015, 6, 1), [(JAN, WORKING), (JUN, CLEAN)], [S.SCHOOL_ENROLMENT]),
        ("w2", M, date(2010, 3, 1), [(JAN, HAZARDOUS), (JUN, WORKING)], [S.VOCATIONAL_TRAINING]),
        ("p1", F, date(2010, 3, 1), [(JAN, HAZARDOUS), (JUN, WORKING)], [S.HEALTH]),
        ("n1", M, date(2013, 3, 1), [(JAN, HAZARDOUS), (JUN, CLEAN)], []),
        ("n2", M, date(2015, 3, 1), [(JAN, WORKING), (JUN, WORKING)], [S.SCHOOL_KIT]),
        ("n3", F, date(2015, 3, 1), [(JAN, WORKING)], [S.SCHOOL_KIT]),
        ("f1", F, date(2015, 9, 1), [(JAN, WORKING), (MAR, CLEAN), (SEP, WORKING)],
         [S.SCHOOL_KIT]),
    ]  # fmt: skip
    for name, sex, born, history, services in plan:
        kid = child(session, a, name, sex, born)
        for day, record in history:
            visit(session, kid, day, record)
        for service in services:
            _serve(session, case_of(session, kid), service, feb)
    for name, born, history, services in [
        ("pr1", date(2017, 3, 1), [(JAN, CLEAN), (JUN, CLEAN)], [S.SCHOOL_KIT]),
        ("n4", date(2017, 3, 1), [(JAN, CLEAN), (JUN, CLEAN)], []),
        ("n5", date(2017, 6, 1), [(JAN, WORKING), (JUN, CLEAN)], [S.SCHOOL_KIT]),
    ]:
        kid = child(session, a, name, F if name == "pr1" else M, born)
        case = at_risk_case(session, kid, date(2026, 1, 5))
        for day, record in history:
            visit(session, kid, day, record)
        for service in services:
            _serve(session, case, service, feb)
    c2 = child(session, a, "c2", F, date(2012, 3, 1))
    risk = at_risk_case(session, c2, date(2025, 1, 5))
    visit(session, c2, date(2025, 2, 1), CLEAN)
    _serve(session, risk, S.PSYCHOSOCIAL, date(2025, 1, 10))
    labour = Case(child_id=c2.id, kind=CaseKind.CHILD_LABOUR, status=CaseStatus.IDENTIFIED,
                  opened_on=JAN)  # fmt: skip
    session.add(labour)
    session.flush()
    visit(session, c2, JAN, WORKING)
    visit(session, c2, JUN, CLEAN)
    _serve(session, labour, S.SCHOOL_ENROLMENT, feb)
    o1 = child(session, a, "o1", F, date(2015, 1, 1))
    visit(session, o1, date(2025, 1, 10), WORKING)
    visit(session, o1, date(2025, 6, 1), CLEAN)
    _serve(session, case_of(session, o1), S.SCHOOL_KIT, date(2025, 2, 1))
    s1 = child(session, a, "s1", M, date(2015, 3, 1))
    visit(session, s1, JAN, WORKING)
    visit(session, s1, JUN, CLEAN)
    _serve(session, case_of(session, s1), S.SCHOOL_KIT, SEP)
    b1 = child(session, b, "b1", F, date(2015, 6, 1))
    visit(session, b1, JAN, WORKING)
    visit(session, b1, JUN, CLEAN)
    _serve(session, case_of(session, b1), S.SCHOOL_KIT, feb)
    return {"a": a.path, "b": b.path, "country": country.path}


def _counts(found: list[OutcomeCounts]) -> dict[str, tuple[int, int, int]]:
    return {c.group: (c.withdrawn, c.protected, c.prevented) for c in found}


def test_outcome_counts_by_hand(session: Session) -> None:
    paths = _world(session)
    year = outcome_counts(session, area_path=paths["a"], period=YEAR, minimum_age=15)
    assert _counts(year) == {
        "total": (4, 1, 1),
        "female*5-11": (1, 0, 1),
        "female*12-14": (1, 0, 0),
        "female*15-17": (0, 1, 0),
        "male*5-11": (1, 0, 0),
        "male*15-17": (1, 0, 0),
    }
    assert [c.group for c in year] == ["total", "female*12-14", "female*15-17", "female*5-11",
                                       "male*15-17", "male*5-11"]  # fmt: skip
    half = outcome_counts(session, area_path=paths["a"], period=HALF, minimum_age=15)
    assert _counts(half) == {
        "total": (4, 1, 1),
        "female*5-11": (2, 0, 1),
        "female*12-14": (1, 0, 0),
        "female*15-17": (0, 1, 0),
        "male*15-17": (1, 0, 0),
    }


def test_outcome_counts_minimum_age_outside_and_empty(session: Session) -> None:
    paths = _world(session)
    # at minimum age 17, p1 (16) is no longer protected
    older = outcome_counts(session, area_path=paths["a"], period=YEAR, minimum_age=17)
    assert _counts(older)["total"] == (4, 0, 1)
    assert _counts(outcome_counts(session, area_path=paths["b"], period=YEAR, minimum_age=15)) == {
        "total": (1, 0, 0),
        "female*5-11": (1, 0, 0),
    }
    year_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
    # 2025: o1 is withdrawn; c2's at-risk case is prevented only with two visits: it has one
    assert _counts(outcome_counts(session, area_path=paths["a"], period=year_2025,
                                  minimum_age=15))["total"] == (1, 0, 0)  # fmt: skip
    empty = outcome_counts(session, area_path="/999999/", period=YEAR, minimum_age=15)
    assert empty == [OutcomeCounts("total", 0, 0, 0)]

"""Effectiveness, time to resolution and caseload against counts worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import Area, Child, Sex, Visit
from ipec.monitoring.metrics import (
    Caseload,
    Period,
    Rate,
    Resolution,
    caseload_per_monitor,
    effectiveness,
    effectiveness_rates,
    time_to_resolution,
)
from ipec.monitoring.models import FollowUp, ServiceType
from ipec.monitoring.service import add_service, schedule_follow_ups
from ipec.monitoring.workflow import Action
from tests.monitoring.metrics.world import (
    CLEAN,
    TODAY,
    WORKING,
    area,
    at_risk_case,
    case_of,
    child,
    close,
    visit,
    walk,
)

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
HALF = Period(date(2026, 1, 1), date(2026, 6, 30))
F, M = Sex.FEMALE, Sex.MALE


def _remediated(
    session: Session,
    where: Area,
    spec: tuple[str, Sex, date],
    history: list[tuple[date, dict[str, object]]],
    *,
    service_on: date | None,
) -> Child:
    """A child (name, sex, birth date) visited on the days of ``history`` (the first finds
    child labour), given a school kit from ``service_on`` with follow-ups scheduled from then."""
    kid = child(session, where, *spec)
    for day, record in history:
        visit(session, kid, day, record)
    if service_on is not None:
        case = case_of(session, kid)
        add_service(session, case_id=case.id, service=ServiceType.SCHOOL_KIT,
                    started_on=service_on, actor="m")  # fmt: skip
        schedule_follow_ups(session, case_id=case.id, remediation_start=service_on, until=TODAY)
    return kid


def _effectiveness_world(session: Session) -> dict[str, str]:
    """District A (the subtree), B outside, C empty. Remediation (a school kit) starts on
    1 Feb 2026 unless said otherwise; follow-up visits are those after that day.

    - Ama (F, born 2015-06): working 10 Jan; clean 1 May and 1 Aug -> base, effective;
      age 11 at the last follow-up (female*5-11).
    - Kofi (M, 2012-06): working 10 Jan; working 1 May, clean 1 Aug -> base, not effective
      (in child labour at one of the last two), not still in; age 14 (male*12-14).
      Relapses on 2 May and again on 1 Jul 2026: one relapsed child.
    - Yaw (M, 2013-06): working 10 Jan; clean 1 Mar and 1 Jun, working 1 Sep -> base, not
      effective, still in; age 13 (male*12-14). Relapses on 31 Dec 2026 (in the year).
    - Efua (F, 2014-06): working 10 Jan; clean 1 Feb (the start day: not after it), clean
      1 May -> one follow-up visit, not in the base. Follow-ups due 1 May (visited that
      day) and 1 Aug (never visited): lost to follow-up at the year's end (152 days > 90).
    - Abena (F, 2015-01): working 1 Mar 2025, kit 1 Apr 2025, clean 1 Jul and 1 Oct 2025 ->
      last follow-up before 2026: not in the base. Closed 1 Dec 2025, relapsed 15 Dec 2025
      (not in 2026), closed again 20 Jan 2026: her unvisited 2026 follow-ups do not make
      her lost.
    - Kwame (M, 2014-06): working 10 Jan, clean 1 May and 1 Aug, but no service: not in the
      base. Follow-ups due 15 Apr and 15 Jul (visited after each), and one due 1 Sep linked
      to his 1 Aug visit (done early): not lost.
    - Esi in B: like Ama, plus a relapse in 2026 and an unvisited follow-up: outside.

    Year: base 3 (Ama, Kofi, Yaw), effective 1 (Ama); still in 1 (Yaw); relapsed 2 (Kofi,
    Yaw); lost 1 (Efua).
    First half (visits up to 30 Jun): Yaw alone has 2 follow-ups (1 Mar, 1 Jun, both clean):
    base 1, effective 1; relapsed 1 (Kofi in May); lost 0 (no follow-up due before 1 Apr).
    """
    country = area(session, "Country")
    a, b = area(session, "A", country), area(session, "B", country)
    c = area(session, "C", country)
    jan, feb, may, aug = date(2026, 1, 10), date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1)
    kids = {}
    for where, name, sex, born, history, service_on in [
        (a, "Ama", F, date(2015, 6, 1), [(jan, WORKING), (may, CLEAN), (aug, CLEAN)], feb),
        (a, "Kofi", M, date(2012, 6, 1), [(jan, WORKING), (may, WORKING), (aug, CLEAN)], feb),
        (a, "Yaw", M, date(2013, 6, 1), [(jan, WORKING), (date(2026, 3, 1), CLEAN),
                                         (date(2026, 6, 1), CLEAN), (date(2026, 9, 1), WORKING)],
         feb),
        (a, "Efua", F, date(2014, 6, 1), [(jan, WORKING), (feb, CLEAN), (may, CLEAN)], feb),
        (a, "Abena", F, date(2015, 1, 1), [(date(2025, 3, 1), WORKING), (date(2025, 7, 1), CLEAN),
                                           (date(2025, 10, 1), CLEAN)], date(2025, 4, 1)),
        (a, "Kwame", M, date(2014, 6, 1), [(jan, WORKING), (may, CLEAN), (aug, CLEAN)], None),
        (b, "Esi", F, date(2015, 6, 1), [(jan, WORKING), (may, CLEAN), (aug, CLEAN)], feb),
    ]:  # fmt: skip
        kids[name] = _remediated(session, where, (name, sex, born), history,
                                 service_on=service_on)  # fmt: skip
    kofi, yaw, abena, kwame, esi = (kids[n] for n in ("Kofi", "Yaw", "Abena", "Kwame", "Esi"))
    # Workflow steps after every visit, stamped on chosen days (a visit that finds a child
    # under follow-up in child labour would stamp its relapse with today's clock).
    follow = (Action.PLAN, Action.START_REMEDIATION, Action.START_FOLLOW_UP)
    kofi_case = case_of(session, kofi)
    walk(session, kofi_case, *follow, on=date(2026, 4, 1))
    walk(session, kofi_case, Action.RELAPSE, on=date(2026, 5, 2))
    walk(session, kofi_case, *follow, Action.RELAPSE, on=date(2026, 7, 1))
    yaw_case = case_of(session, yaw)
    walk(session, yaw_case, *follow, on=date(2026, 10, 1))
    walk(session, yaw_case, Action.RELAPSE, on=date(2026, 12, 31))
    abena_case = case_of(session, abena)
    close(session, abena_case, date(2025, 12, 1))
    walk(session, abena_case, Action.RELAPSE, on=date(2025, 12, 15))
    close(session, abena_case, date(2026, 1, 20))
    kwame_case = case_of(session, kwame)
    schedule_follow_ups(session, case_id=kwame_case.id, remediation_start=date(2026, 1, 15),
                        until=TODAY)  # fmt: skip
    early = session.scalars(
        select(Visit.id).where(Visit.child_id == kwame.id, Visit.visit_date == aug)
    ).one()
    session.add(FollowUp(case_id=kwame_case.id, due_on=date(2026, 9, 1), visit_id=early))
    esi_case = case_of(session, esi)
    walk(session, esi_case, *follow, on=date(2026, 4, 1))
    walk(session, esi_case, Action.RELAPSE, on=date(2026, 6, 1))
    session.add(FollowUp(case_id=esi_case.id, due_on=date(2026, 3, 1)))
    session.flush()
    return {"a": a.path, "b": b.path, "c": c.path, "country": country.path}


def test_effectiveness_over_the_year(session: Session) -> None:
    paths = _effectiveness_world(session)
    found = effectiveness(session, area_path=paths["a"], period=YEAR)
    assert found.rates == [
        Rate("total", 1, 3),
        Rate("female*5-11", 1, 1),
        Rate("male*12-14", 0, 2),
    ]
    assert (found.still_in, found.relapsed, found.lost_to_follow_up) == (1, 2, 1)


def test_effectiveness_over_half_a_year(session: Session) -> None:
    paths = _effectiveness_world(session)
    found = effectiveness(session, area_path=paths["a"], period=HALF)
    assert found.rates == [Rate("total", 1, 1), Rate("male*12-14", 1, 1)]
    assert (found.still_in, found.relapsed, found.lost_to_follow_up) == (0, 1, 0)


def test_effectiveness_outside_and_empty(session: Session) -> None:
    paths = _effectiveness_world(session)
    # B: Esi alone (effective; relapsed 1 Jun; her follow-up due 1 Mar: a visit on 1 May)
    b = effectiveness(session, area_path=paths["b"], period=YEAR)
    assert b.rates == [Rate("total", 1, 1), Rate("female*5-11", 1, 1)]
    assert (b.still_in, b.relapsed, b.lost_to_follow_up) == (0, 1, 0)
    # the whole country: A and B together
    country = effectiveness(session, area_path=paths["country"], period=YEAR)
    assert country.rates[0] == Rate("total", 2, 4)
    assert (country.relapsed, country.lost_to_follow_up) == (3, 1)
    empty = effectiveness(session, area_path=paths["c"], period=YEAR)
    assert empty.rates == [Rate("total", 0, 0)]
    assert empty.rates[0].value is None
    assert (empty.still_in, empty.relapsed, empty.lost_to_follow_up) == (0, 0, 0)


def test_effectiveness_rates_alone(session: Session) -> None:
    """The rates alone are the hand-worked rates of the tests above."""
    paths = _effectiveness_world(session)
    for path, period in ((paths["a"], YEAR), (paths["a"], HALF), (paths["country"], YEAR)):
        rates = effectiveness_rates(session, area_path=path, period=period)
        assert rates == effectiveness(session, area_path=path, period=period).rates
    assert effectiveness_rates(session, area_path=paths["a"], period=YEAR) == [
        Rate("total", 1, 3),
        Rate("female*5-11", 1, 1),
        Rate("male*12-14", 0, 2),
    ]
    assert effectiveness_rates(session, area_path=paths["a"], period=HALF) == [
        Rate("total", 1, 1),
        Rate("male*12-14", 1, 1),
    ]
    assert effectiveness_rates(session, area_path=paths["country"], period=YEAR)[0] == Rate(
        "total", 2, 4
    )


def test_lost_to_follow_up_threshold(session: Session) -> None:
    """Efua's unvisited follow-up was due on 1 Aug 2026: 152 days before the year's end."""
    paths = _effectiveness_world(session)
    lost = [
        effectiveness(
            session, area_path=paths["a"], period=YEAR, lost_after_days=days
        ).lost_to_follow_up
        for days in (151, 152)
    ]
    assert lost == [1, 0]


def _resolution_world(session: Session) -> dict[str, str]:
    """Cases found on 10 Jan 2026 and closed after the listed days (age at first visit):

    A: girl 10 -> 10 days, girl 9 -> 40, boy 13 -> 20, boy 14 -> 20, boy 12 -> 100;
       girl 10 closed in 2025 (found 1 Mar 2025, 30 days: outside the year); boy 13 still open.
    B: girl 8 -> 7 days.

    Type 7 (h = (n-1)p): A, all five [10, 20, 20, 40, 100]: median x[2] = 20; p90 h = 3.6 ->
    40 + 0.6 * 60 = 76. Girls 5-11 [10, 40]: median 10 + 0.5 * 30 = 25, p90 10 + 0.9 * 30
    = 37. Boys 12-14 [20, 20, 100] (a tie): median 20, p90 h = 1.8 -> 20 + 0.8 * 80 = 84.
    """
    country = area(session, "Country")
    a, b = area(session, "A", country), area(session, "B", country)
    found = date(2026, 1, 10)
    cases = [("g10", F, date(2015, 6, 1), 10), ("g9", F, date(2016, 6, 1), 40),
             ("b13", M, date(2012, 6, 1), 20), ("b14", M, date(2011, 6, 1), 20),
             ("b12", M, date(2013, 6, 1), 100)]  # fmt: skip
    for name, sex, born, days in cases:
        kid = child(session, a, name, sex, born)
        visit(session, kid, found, WORKING)
        close(session, case_of(session, kid), date.fromordinal(found.toordinal() + days))
    old = child(session, a, "old", F, date(2015, 1, 1))
    visit(session, old, date(2025, 3, 1), WORKING)
    close(session, case_of(session, old), date(2025, 3, 31))
    visit(session, child(session, a, "open", M, date(2012, 6, 1)), found, WORKING)
    girl = child(session, b, "g8", F, date(2017, 6, 1))
    visit(session, girl, found, WORKING)
    close(session, case_of(session, girl), date(2026, 1, 17))
    return {"a": a.path, "b": b.path, "country": country.path}


def test_time_to_resolution(session: Session) -> None:
    paths = _resolution_world(session)
    assert time_to_resolution(session, area_path=paths["a"], period=YEAR) == [
        Resolution("total", 5, 20.0, 76.0),
        Resolution("female*5-11", 2, 25.0, 37.0),
        Resolution("male*12-14", 3, 20.0, 84.0),
    ]
    # one case: both percentiles are its duration
    assert time_to_resolution(session, area_path=paths["b"], period=YEAR)[0] == (
        Resolution("total", 1, 7.0, 7.0)
    )
    year_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
    none = time_to_resolution(session, area_path=paths["a"], period=year_2024)
    assert none == [Resolution("total", 0, None, None)]


def test_time_to_resolution_matches_numpy(session: Session) -> None:
    """The six cases of the country, an even count: numpy's default (linear) percentiles."""
    paths = _resolution_world(session)
    total = time_to_resolution(session, area_path=paths["country"], period=YEAR)[0]
    expected = np.percentile([7, 10, 20, 20, 40, 100], [50, 90])
    assert total.cases == 6
    assert (total.median_days, total.p90_days) == pytest.approx(tuple(expected))
    assert (total.median_days, total.p90_days) == (20.0, 70.0)


def _caseload_world(session: Session) -> dict[str, str]:
    """Cases in A and the monitor of the child's latest visit (up to the period's end):

    - c1: ann 10 Jan (working), ben 1 Mar (clean) -> ben.
    - c2: ann 1 Feb (working), cat 1 Aug (clean) -> ann up to 30 Jun, cat for the year.
    - c3: ann 1 Feb (working), closed 1 Apr -> open only up to 31 Mar.
    - c4: ann then dan on 1 May (same day; dan's visit recorded later wins) -> dan, from May.
    - c5: an at-risk case opened 5 Jan, child never visited -> no monitor.
    - c6: ann 1 Sep (working) -> ann, from September.
    - B: one case (ann), outside.
    Year: ann 1 (c6), ben 1, cat 1, dan 1, none 1. To 30 Jun: ann 1 (c2), ben 1, dan 1,
    none 1. To 15 Mar: ann 2 (c2, c3), ben 1, none 1.
    """
    country = area(session, "Country")
    a, b = area(session, "A", country), area(session, "B", country)
    born = date(2014, 6, 1)
    c1 = child(session, a, "c1", F, born)
    visit(session, c1, date(2026, 1, 10), WORKING, monitor="ann")
    visit(session, c1, date(2026, 3, 1), CLEAN, monitor="ben")
    c2 = child(session, a, "c2", F, born)
    visit(session, c2, date(2026, 2, 1), WORKING, monitor="ann")
    visit(session, c2, date(2026, 8, 1), CLEAN, monitor="cat")
    c3 = child(session, a, "c3", M, born)
    visit(session, c3, date(2026, 2, 1), WORKING, monitor="ann")
    close(session, case_of(session, c3), date(2026, 4, 1))
    c4 = child(session, a, "c4", M, born)
    visit(session, c4, date(2026, 5, 1), WORKING, monitor="ann")
    visit(session, c4, date(2026, 5, 1), CLEAN, monitor="dan")
    at_risk_case(session, child(session, a, "c5", F, born), date(2026, 1, 5))
    c6 = child(session, a, "c6", M, born)
    visit(session, c6, date(2026, 9, 1), WORKING, monitor="ann")
    visit(session, child(session, b, "b1", F, born), date(2026, 2, 1), WORKING, monitor="ann")
    return {"a": a.path}


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (date(2026, 12, 31), [("ann", 1), ("ben", 1), ("cat", 1), ("dan", 1), (None, 1)]),
        (date(2026, 6, 30), [("ann", 1), ("ben", 1), ("dan", 1), (None, 1)]),
        (date(2026, 3, 15), [("ann", 2), ("ben", 1), (None, 1)]),
        (date(2025, 12, 31), []),
    ],
)
def test_caseload_per_monitor(
    session: Session, end: date, expected: list[tuple[str | None, int]]
) -> None:
    paths = _caseload_world(session)
    period = Period(date(2025, 1, 1), end)  # caseload counts what is open at the end
    found = caseload_per_monitor(session, area_path=paths["a"], period=period)
    assert found == [Caseload(monitor, count) for monitor, count in expected]

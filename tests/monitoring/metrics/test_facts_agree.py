"""The metrics give the numbers the visits give, whether the read model's rows are stored or
computed.

Every metric reads a child's or a case's snapshot at the period's end
(``ipec.monitoring.readmodel``): the stored row when the child's latest visit is on or before
the period's end, computed from the visits otherwise. Dating every child's latest visit in the
far future, in the stored rows only (the children's and the cases' copies), sends every child
through the computed rows: on random histories and periods, both ways must agree to the last
count.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session

from ipec.monitoring.metrics import (
    Period,
    caseload_per_monitor,
    coverage,
    dol_child_indicators,
    dol_education_services,
    dol_household_indicators,
    effectiveness,
    hazardous_work_rate,
    identification_rate,
    outcome_counts,
)
from ipec.monitoring.models import Case, CaseFacts, ChildFacts, ServiceType, Sex
from ipec.monitoring.readmodel import refresh_case_facts, refresh_child_facts
from ipec.monitoring.service import add_service
from tests.monitoring.metrics.world import (
    RECORDS,
    area,
    at_risk_case,
    household,
    visit,
)

#: Slow (15 to 20 s per database): every metric replayed over random histories.
pytestmark = pytest.mark.slow

_START = date(2024, 1, 1)
_NAMES = itertools.count()
_SERVICES = (ServiceType.SCHOOL_KIT, ServiceType.CASH_TRANSFER, ServiceType.VOCATIONAL_TRAINING)

#: A child: birth year; visits as (days after 2024-01-01, record, monitor number and school
#: days attended out of 4); an at-risk case or not; services as (type, days after opening).
_CHILD = st.tuples(
    st.sampled_from([2008, 2009, 2012, 2016]),
    st.lists(
        st.tuples(st.integers(0, 120), st.integers(0, len(RECORDS) - 1), st.integers(0, 4)),
        max_size=5,
    ),
    st.booleans(),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40)), max_size=2),  # services
)
#: Days on a short calendar, so that visits, openings, services and period bounds fall on the
#: same days often (the rules differ on such ties).
_PERIOD = st.tuples(st.integers(0, 130), st.integers(0, 130))


def _all_metrics(session: Session, path: str, period: Period) -> dict[str, Any]:
    return {
        "identification": identification_rate(session, area_path=path, period=period),
        "hazardous": hazardous_work_rate(session, area_path=path, period=period),
        "coverage": coverage(session, area_path=path, period=period),
        "outcomes": outcome_counts(session, area_path=path, period=period, minimum_age=15),
        "effectiveness": effectiveness(session, area_path=path, period=period),
        "poc": dol_child_indicators(session, area_path=path, period=period),
        "poh": dol_household_indicators(session, area_path=path, period=period),
        "e1": dol_education_services(session, area_path=path, period=period),
        "caseload": caseload_per_monitor(session, area_path=path, period=period),
    }


# A 15-year-old in hazardous work, then out of it with no education service: protected.
@example(children=[(2008, [(10, 2, 0), (50, 0, 0)], False, [])], periods=[(0, 130)])
# Attending 3 school days of 4 (regular, just), visited on the last day of a period.
@example(children=[(2012, [(10, 1, 3)], False, [])], periods=[(0, 130), (0, 10)])
# A service starting on the day of a visit: that visit is not a follow-up (one, not two).
@example(children=[(2012, [(10, 1, 0), (30, 0, 0), (60, 0, 0)], False, [(0, 20)])],
         periods=[(0, 130)])  # fmt: skip
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(children=st.lists(_CHILD, min_size=1, max_size=4), periods=st.lists(_PERIOD, min_size=1,
                                                                        max_size=3))  # fmt: skip
def test_facts_and_visits_give_the_same_metrics(
    session: Session, children: list[Any], periods: list[tuple[int, int]]
) -> None:
    where = area(session, f"district {next(_NAMES)}")
    made = household(session, where, *((f"child {n}", Sex.FEMALE if n % 2 else Sex.MALE,
                                        date(born, 6, 1)) for n, (born, *_) in
                                       enumerate(children)))  # fmt: skip
    for who, (_born, visits, at_risk, services) in zip(made, children, strict=True):
        for days, record, monitor in visits:
            visit(session, who, _START + timedelta(days=days), RECORDS[record],
                  monitor=f"monitor {monitor}", attended=monitor, days_open=4)  # fmt: skip
        if at_risk and visits:
            at_risk_case(session, who, _START + timedelta(days=min(v[0] for v in visits)))
        for case in session.query(Case).filter(Case.child_id == who.id).all():
            for service, after in services:
                add_service(session, case_id=case.id, service=_SERVICES[service],
                            started_on=case.opened_on + timedelta(days=after),
                            actor="m")  # fmt: skip
    chosen = [Period(_START + timedelta(days=start), _START + timedelta(days=start + length))
              for start, length in periods]  # fmt: skip
    with_facts = [_all_metrics(session, where.path, period) for period in chosen]
    # Every child's latest visit as if after every period (and the cases' copies of it).
    for facts in (ChildFacts, CaseFacts):
        session.execute(update(facts).values(last_date=date(2199, 12, 31)))
    from_visits = [_all_metrics(session, where.path, period) for period in chosen]
    refresh_child_facts(session.connection())
    refresh_case_facts(session.connection())
    assert with_facts == from_visits

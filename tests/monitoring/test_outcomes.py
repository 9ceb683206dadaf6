"""Outcomes of hand-built histories (MONITORING.md definitions), one case at a time, as the
database counts them: the rule exists once, in SQL (``ipec.monitoring.metrics.outcomes``)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from ipec.monitoring.metrics import Period, outcome_counts
from ipec.monitoring.models import CaseKind, ServiceType, Sex
from ipec.monitoring.outcomes import Outcome
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
JAN, JUN = date(2026, 1, 10), date(2026, 6, 1)
S = ServiceType
#: Birth dates that give the ages of the table below on both visit days.
BORN = {9: date(2016, 8, 1), 10: date(2015, 8, 1), 13: date(2012, 8, 1), 16: date(2009, 8, 1)}
#: 30 hours of work is child labour at 10 and 13, permitted work at 16 (sdg-8.7.1).
PERMITTED_AT_16 = WORKING
ORDER = [Outcome.WITHDRAWN, Outcome.PROTECTED, Outcome.PREVENTED]


@pytest.mark.parametrize(
    ("kind", "age", "history", "services", "expected"),
    [
        # child labour at 10, school enrolment, clean at the latest visit: withdrawn
        (CaseKind.CHILD_LABOUR, 10, [(JAN, WORKING), (JUN, CLEAN)], [S.SCHOOL_ENROLMENT],
         Outcome.WITHDRAWN),
        # no education service: not withdrawn
        (CaseKind.CHILD_LABOUR, 10, [(JAN, WORKING), (JUN, CLEAN)], [S.HEALTH], None),
        # still in child labour at the latest visit: nothing
        (CaseKind.CHILD_LABOUR, 10, [(JAN, WORKING), (JUN, WORKING)], [S.BRIDGING_CLASS], None),
        # 16, hazardous at identification, permitted work later, no schooling: protected
        (CaseKind.CHILD_LABOUR, 16, [(JAN, HAZARDOUS), (JUN, PERMITTED_AT_16)], [S.HEALTH],
         Outcome.PROTECTED),
        # 13 (below the minimum age 15): hazards removed is not "protected"
        (CaseKind.CHILD_LABOUR, 13, [(JAN, HAZARDOUS), (JUN, CLEAN)], [], None),
        # withdrawn wins over protected for the same child
        (CaseKind.CHILD_LABOUR, 16, [(JAN, HAZARDOUS), (JUN, PERMITTED_AT_16)],
         [S.VOCATIONAL_TRAINING], Outcome.WITHDRAWN),
        # at risk, a service, still clean: prevented
        (CaseKind.AT_RISK, 9, [(JAN, CLEAN), (JUN, CLEAN)], [S.SCHOOL_KIT], Outcome.PREVENTED),
        # at risk with no service: nothing to credit
        (CaseKind.AT_RISK, 9, [(JAN, CLEAN), (JUN, CLEAN)], [], None),
        # a single visit verifies nothing
        (CaseKind.CHILD_LABOUR, 10, [(JAN, WORKING)], [S.SCHOOL_KIT], None),
        # visits recorded out of order: the first by date is the identification
        (CaseKind.CHILD_LABOUR, 10, [(JUN, CLEAN), (JAN, WORKING)], [S.SCHOOL_KIT],
         Outcome.WITHDRAWN),
    ],
)  # fmt: skip
def test_outcome_of_one_history(
    session: Session,
    *,
    kind: CaseKind,
    age: int,
    history: list[tuple[date, dict[str, object]]],
    services: list[ServiceType],
    expected: Outcome | None,
) -> None:
    where = area(session, "village")
    kid = child(session, where, "Afia", Sex.FEMALE, BORN[age])
    at_risk = at_risk_case(session, kid, date(2026, 1, 5)) if kind is CaseKind.AT_RISK else None
    for day, record in history:
        visit(session, kid, day, record)
    case = at_risk if at_risk is not None else case_of(session, kid)
    for service in services:
        add_service(session, case_id=case.id, service=service, started_on=date(2026, 2, 1),
                    actor="m")  # fmt: skip
    counts = outcome_counts(session, area_path=where.path, period=YEAR, minimum_age=15)[0]
    found = [counts.withdrawn, counts.protected, counts.prevented]
    assert found == [int(outcome is expected) for outcome in ORDER]

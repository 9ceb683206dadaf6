"""Outcomes from hand-built histories (MONITORING.md definitions)."""

from __future__ import annotations

from datetime import date

import pytest

from ipec.monitoring.models import CaseKind, ServiceType
from ipec.monitoring.outcomes import Outcome, Verification, outcome


def _v(month: int, age: int, cl: bool, haz: bool = False) -> Verification:
    return Verification(date(2026, month, 1), age, cl, haz)


@pytest.mark.parametrize(
    ("kind", "visits", "services", "expected"),
    [
        # child labour at 10, school enrolment, clean at the latest visit: withdrawn
        (CaseKind.CHILD_LABOUR, [_v(1, 10, True), _v(6, 10, False)],
         [ServiceType.SCHOOL_ENROLMENT], Outcome.WITHDRAWN),
        # no education service: not withdrawn
        (CaseKind.CHILD_LABOUR, [_v(1, 10, True), _v(6, 10, False)],
         [ServiceType.HEALTH], None),
        # still in child labour at the latest visit: nothing
        (CaseKind.CHILD_LABOUR, [_v(1, 10, True), _v(6, 10, True)],
         [ServiceType.BRIDGING_CLASS], None),
        # 16, hazardous at identification, permitted work later, no schooling: protected
        (CaseKind.CHILD_LABOUR, [_v(1, 16, True, haz=True), _v(6, 16, False)],
         [ServiceType.HEALTH], Outcome.PROTECTED),
        # 13 (below the minimum age 15): hazards removed is not "protected"
        (CaseKind.CHILD_LABOUR, [_v(1, 13, True, haz=True), _v(6, 13, False)], [], None),
        # withdrawn wins over protected for the same child
        (CaseKind.CHILD_LABOUR, [_v(1, 16, True, haz=True), _v(6, 16, False)],
         [ServiceType.VOCATIONAL_TRAINING], Outcome.WITHDRAWN),
        # at risk, a service, still clean: prevented
        (CaseKind.AT_RISK, [_v(1, 9, False), _v(6, 9, False)],
         [ServiceType.SCHOOL_KIT], Outcome.PREVENTED),
        # at risk with no service: nothing to credit
        (CaseKind.AT_RISK, [_v(1, 9, False), _v(6, 9, False)], [], None),
        # a single visit verifies nothing
        (CaseKind.CHILD_LABOUR, [_v(1, 10, True)], [ServiceType.SCHOOL_KIT], None),
    ],
)  # fmt: skip
def test_outcomes(
    kind: CaseKind,
    visits: list[Verification],
    services: list[ServiceType],
    expected: Outcome | None,
) -> None:
    assert outcome(kind, visits, services, minimum_age=15) is expected


def test_visit_order_does_not_matter() -> None:
    visits = [_v(6, 10, False), _v(1, 10, True)]
    assert outcome(CaseKind.CHILD_LABOUR, visits, [ServiceType.SCHOOL_KIT], 15) is (
        Outcome.WITHDRAWN
    )

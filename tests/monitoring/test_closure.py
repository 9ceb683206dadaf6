"""The closure rule holds: two latest follow-ups out of child labour, 90 days apart, or a
supervisor's override with a reason; a monitor never closes; both are in the history and the
audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import Role
from ipec.errors import Conflict, DataError, InvalidTransition, PermissionDenied
from ipec.monitoring.closure import Unmet, closure_check
from ipec.monitoring.models import AuditEntry, CaseEvent, CaseStatus
from ipec.monitoring.service import step_case
from ipec.monitoring.workflow import Action
from tests.monitoring.supervision_world import (
    CLEAN,
    TODAY,
    UNSURE,
    World,
    build,
    follow_up_done,
)


def _close(session: Session, world: World, **given: object) -> CaseEvent:
    case = world.case
    arguments = {"expected_version": case.version, "action": Action.CLOSE, "actor": "sup",
                 "today": TODAY, "role": Role.SUPERVISOR, **given}  # fmt: skip
    return step_case(session, case=case, **arguments)  # type: ignore[arg-type]


def test_the_rule_by_hand(session: Session) -> None:
    """Hand-worked histories: 2026-01-05 and 2026-04-05 are 90 days apart (26 + 28 + 31 +
    5), 2026-01-05 and 2026-04-04 are 89."""
    world = build(session)
    assert closure_check(session, world.case).unmet is Unmet.TOO_FEW
    follow_up_done(session, world, date(2026, 1, 5), CLEAN)
    check = closure_check(session, world.case)
    assert (check.unmet, check.latest) == (Unmet.TOO_FEW, (date(2026, 1, 5),))
    follow_up_done(session, world, date(2026, 4, 4), CLEAN)
    check = closure_check(session, world.case)
    assert check.unmet is Unmet.TOO_CLOSE
    assert "are 89 days apart, 90 are needed" in check.message()
    follow_up_done(session, world, date(2026, 4, 5), UNSURE)
    check = closure_check(session, world.case)
    assert (check.unmet, check.found_in) == (Unmet.NOT_OUT, (date(2026, 4, 5),))
    follow_up_done(session, world, date(2026, 7, 4), CLEAN)  # 90 days after 2026-04-05
    assert closure_check(session, world.case).unmet is Unmet.NOT_OUT  # the unsure one counts
    follow_up_done(session, world, date(2026, 10, 2), CLEAN)  # 90 days after 2026-07-04
    assert closure_check(session, world.case).met


def test_a_case_that_meets_the_rule_closes(session: Session) -> None:
    world = build(session)
    follow_up_done(session, world, date(2026, 1, 5), CLEAN)
    follow_up_done(session, world, date(2026, 4, 5), CLEAN)
    event = _close(session, world, reason="back at school")
    assert (event.action, world.case.status) == ("close", CaseStatus.CLOSED)
    audit = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "sup")).all()
    assert "case.close" in audit


def test_a_monitor_may_not_close_naming_the_role_and_the_rule(session: Session) -> None:
    world = build(session)
    follow_up_done(session, world, date(2026, 1, 5), CLEAN)
    follow_up_done(session, world, date(2026, 4, 5), CLEAN)
    with pytest.raises(PermissionDenied) as refused:
        _close(session, world, reason="done", role=Role.MONITOR)
    assert "a monitor may not close case" in refused.value.message
    assert "at least 90 days apart" in refused.value.message
    with pytest.raises(PermissionDenied, match="role is not known"):
        _close(session, world, reason="done", role=None)
    assert world.case.status is CaseStatus.UNDER_FOLLOW_UP


def test_the_rule_unmet_refuses_unless_overridden_with_a_reason(session: Session) -> None:
    world = build(session)
    follow_up_done(session, world, date(2026, 1, 5), CLEAN)
    with pytest.raises(InvalidTransition) as refused:
        _close(session, world, reason="fine")
    assert "1 follow-up(s) done, two are needed" in refused.value.message
    for blank in (None, "  "):
        with pytest.raises(DataError) as unexplained:
            _close(session, world, reason=blank, override=True)
        assert unexplained.value.column == "reason"
    assert world.case.status is CaseStatus.UNDER_FOLLOW_UP
    event = _close(session, world, reason="family moved abroad", override=True)
    assert (event.action, event.reason, world.case.status) == (
        "close_override", "family moved abroad", CaseStatus.CLOSED)  # fmt: skip
    assert world.case.closed_on is not None
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.close_override"))
    assert audit.one().detail["reason"] == "family moved abroad"


def test_a_stale_version_conflicts_before_the_rule(session: Session) -> None:
    world = build(session)
    with pytest.raises(Conflict):
        _close(session, world, reason="x", override=True,
               expected_version=world.case.version + 1)  # fmt: skip


def test_the_table_still_decides_first(session: Session) -> None:
    world = build(session)
    world.case.status = CaseStatus.IN_REMEDIATION
    session.flush()
    with pytest.raises(InvalidTransition, match="cannot close case"):
        _close(session, world, reason="x", role=Role.MONITOR)

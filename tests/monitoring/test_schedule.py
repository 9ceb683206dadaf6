"""The rolling follow-up schedule (SQLite and PostgreSQL), worked by hand from the dates:
starting remediation schedules the first follow-ups, each one done is followed by the next,
one done late moves the schedule to its visit, starting again replaces what was waiting, and
closing drops it; the rule is the deployment's setting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.config import Settings
from ipec.monitoring import AuditEntry, Case, CaseStatus, Sex
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule
from ipec.monitoring.models import FollowUp
from ipec.monitoring.schedule import rule_of
from ipec.monitoring.service import record_visit_and_follow_up, step_case
from ipec.monitoring.workflow import Action, transition
from tests.monitoring.metrics.world import CLEAN, SDG, WORKING, area, case_of, child, visit

LATER = date(2028, 12, 31)


def _started(session: Session, start: date, rule: FollowUpRule = DEFAULT_RULE) -> Case:
    """A child found working on 2026-01-05, its case planned and remediation started on
    ``start``."""
    place = area(session, "Village")
    kid = child(session, place, "Ama", Sex.FEMALE, date(2014, 3, 1))
    visit(session, kid, date(2026, 1, 5), WORKING)
    case = case_of(session, kid)
    for action in (Action.PLAN, Action.START_REMEDIATION):
        step_case(session, case=case, expected_version=case.version, action=action, actor="w",
                  today=start, rule=rule)  # fmt: skip
    return case


def _due(session: Session, case: Case) -> list[tuple[date, bool]]:
    """The case's follow-ups: (due date, done), by due date."""
    rows = session.scalars(select(FollowUp).where(FollowUp.case_id == case.id)).all()
    return sorted((f.due_on, f.visit_id is not None) for f in rows)


def _do(session: Session, case: Case, due_on: date, day: date, *,
        record: dict[str, object] = CLEAN, rule: FollowUpRule = DEFAULT_RULE) -> None:  # fmt: skip
    """The visit on ``day`` that does the case's follow-up due on ``due_on``."""
    follow_up = session.scalars(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.due_on == due_on)
    ).one()
    record_visit_and_follow_up(session, child_id=case.child_id, follow_up_id=follow_up.id,
                               visit_date=day, monitor="m", consent=True, record=record,
                               profile=SDG, actor="m", today=LATER, rule=rule)  # fmt: skip


def test_each_follow_up_done_on_time_is_followed_by_the_next(session: Session) -> None:
    case = _started(session, date(2026, 1, 31))
    # 3 and 6 months after 31 January: 30 April (the month's last day) and 31 July
    assert _due(session, case) == [(date(2026, 4, 30), False), (date(2026, 7, 31), False)]
    _do(session, case, date(2026, 4, 30), date(2026, 5, 10))
    # the 31 July one still waits: nothing more is scheduled
    assert _due(session, case) == [(date(2026, 4, 30), True), (date(2026, 7, 31), False)]
    _do(session, case, date(2026, 7, 31), date(2026, 8, 5))
    # none waits: the next, 6 months after the rule's date 31 July
    assert _due(session, case)[-1] == (date(2027, 1, 31), False)
    _do(session, case, date(2027, 1, 31), date(2027, 2, 2))
    _do(session, case, date(2027, 7, 31), date(2027, 7, 31))
    assert _due(session, case)[-1] == (date(2028, 1, 31), False)
    assert len(_due(session, case)) == 5
    schedule = select(AuditEntry).where(AuditEntry.action == "follow_up.schedule",
                                        AuditEntry.entity_id == case.id)  # fmt: skip
    audit = session.scalars(schedule.order_by(AuditEntry.id)).all()
    assert [a.detail["added"] for a in audit] == [
        ["2026-04-30", "2026-07-31"], ["2027-01-31"], ["2027-07-31"], ["2028-01-31"],
    ]  # fmt: skip


def test_a_late_follow_up_moves_the_schedule_to_its_visit(session: Session) -> None:
    case = _started(session, date(2026, 1, 15))
    assert _due(session, case) == [(date(2026, 4, 15), False), (date(2026, 7, 15), False)]
    # 13 May is 4 weeks after 15 April: still on time, nothing moves
    _do(session, case, date(2026, 4, 15), date(2026, 5, 13))
    assert _due(session, case)[1] == (date(2026, 7, 15), False)
    # 15 July's done on 1 September (7 weeks late): the next is 6 months after the visit
    _do(session, case, date(2026, 7, 15), date(2026, 9, 1))
    assert _due(session, case)[-1] == (date(2027, 3, 1), False)


def test_a_late_first_follow_up_moves_the_one_waiting(session: Session) -> None:
    case = _started(session, date(2026, 1, 15))
    # 15 April's done on 1 June (4 days more than 4 weeks late): 15 July was 3 months after
    # it, so it moves to 3 months after the visit, 1 September; nothing new is added
    _do(session, case, date(2026, 4, 15), date(2026, 6, 1))
    assert _due(session, case) == [(date(2026, 4, 15), True), (date(2026, 9, 1), False)]


def test_a_follow_up_missed_does_not_stop_the_schedule(session: Session) -> None:
    case = _started(session, date(2026, 1, 15))
    # the 15 April one is never done; 15 July's is, on time: the next follows
    _do(session, case, date(2026, 7, 15), date(2026, 7, 20))
    assert _due(session, case) == [(date(2026, 4, 15), False), (date(2026, 7, 15), True),
                                   (date(2027, 1, 15), False)]  # fmt: skip


def test_starting_remediation_again_replaces_what_was_waiting(session: Session) -> None:
    case = _started(session, date(2026, 1, 15))
    _do(session, case, date(2026, 4, 15), date(2026, 4, 20))
    step_case(session, case=case, expected_version=case.version, action=Action.START_FOLLOW_UP,
              actor="w", today=date(2026, 4, 20))  # fmt: skip
    # found working again at the 15 July follow-up: relapse; planned and restarted 1 August
    _do(session, case, date(2026, 7, 15), date(2026, 7, 16), record=WORKING)
    assert case.status is CaseStatus.IDENTIFIED
    # the follow-up done at the relapse was followed by the next, 15 January
    assert _due(session, case)[-1] == (date(2027, 1, 15), False)
    for action in (Action.PLAN, Action.START_REMEDIATION):
        step_case(session, case=case, expected_version=case.version, action=action, actor="w",
                  today=date(2026, 8, 1))  # fmt: skip
    assert _due(session, case) == [
        (date(2026, 4, 15), True), (date(2026, 7, 15), True),
        (date(2026, 11, 1), False), (date(2027, 2, 1), False),
    ]  # fmt: skip


def test_closing_drops_the_follow_ups_waiting(session: Session) -> None:
    case = _started(session, date(2026, 1, 15))
    _do(session, case, date(2026, 4, 15), date(2026, 4, 20))
    _do(session, case, date(2026, 7, 15), date(2026, 7, 20))
    assert _due(session, case)[-1] == (date(2027, 1, 15), False)
    noon = datetime(2026, 7, 21, 12, tzinfo=UTC)
    transition(session, case, Action.START_FOLLOW_UP, actor="w", now=noon)
    transition(session, case, Action.CLOSE, actor="w", reason="two clean", now=noon)
    assert _due(session, case) == [(date(2026, 4, 15), True), (date(2026, 7, 15), True)]
    dropped = session.scalars(select(AuditEntry).where(AuditEntry.action == "follow_up.schedule",
                                                       AuditEntry.entity_id == case.id)
                              .order_by(AuditEntry.id.desc())).first()  # fmt: skip
    assert dropped is not None
    assert dropped.detail == {"why": "case closed", "added": [], "moved": [],
                              "dropped": ["2027-01-15"]}  # fmt: skip


def test_the_rule_is_the_deployments_setting(session: Session) -> None:
    rule = rule_of(Settings(follow_up_first_months="2", follow_up_every_months=4))
    assert (rule.first_months, rule.every_months) == ((2,), 4)
    case = _started(session, date(2026, 1, 10), rule)
    assert _due(session, case) == [(date(2026, 3, 10), False)]
    _do(session, case, date(2026, 3, 10), date(2026, 3, 12), rule=rule)
    assert _due(session, case)[-1] == (date(2026, 7, 10), False)


@pytest.mark.parametrize("bad", ["0", "3,x", "", "61"])
def test_a_bad_schedule_setting_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(ValidationError, match="follow_up_first_months"):
        Settings(follow_up_first_months=bad)


def test_the_default_setting_is_monitoring_md_s() -> None:
    rule = rule_of(Settings())
    assert (rule.first_months, rule.every_months) == (DEFAULT_RULE.first_months, 6)

"""Every allowed and forbidden case transition, its history and its audit row."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ipec.db import upgrade
from ipec.errors import InvalidTransition
from ipec.monitoring import (
    TRANSITIONS,
    Action,
    Area,
    AuditEntry,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Child,
    Household,
    Sex,
    allowed_actions,
    transition,
)

# The workflow of MONITORING.md, restated by hand: identified -> action planned -> remediation
# in progress -> under follow-up -> closed; relapse reopens; the at-risk (prevention) path.
EXPECTED = {
    (Action.PLAN, CaseStatus.IDENTIFIED): CaseStatus.ACTION_PLANNED,
    (Action.PLAN, CaseStatus.AT_RISK): CaseStatus.ACTION_PLANNED,
    (Action.ESCALATE, CaseStatus.AT_RISK): CaseStatus.IDENTIFIED,
    (Action.START_REMEDIATION, CaseStatus.ACTION_PLANNED): CaseStatus.IN_REMEDIATION,
    (Action.START_FOLLOW_UP, CaseStatus.IN_REMEDIATION): CaseStatus.UNDER_FOLLOW_UP,
    (Action.RESUME_REMEDIATION, CaseStatus.UNDER_FOLLOW_UP): CaseStatus.IN_REMEDIATION,
    (Action.CLOSE, CaseStatus.UNDER_FOLLOW_UP): CaseStatus.CLOSED,
    (Action.RELAPSE, CaseStatus.ACTION_PLANNED): CaseStatus.IDENTIFIED,
    (Action.RELAPSE, CaseStatus.IN_REMEDIATION): CaseStatus.IDENTIFIED,
    (Action.RELAPSE, CaseStatus.UNDER_FOLLOW_UP): CaseStatus.IDENTIFIED,
    (Action.RELAPSE, CaseStatus.CLOSED): CaseStatus.IDENTIFIED,
}
ALL = [(action, status) for action in Action for status in CaseStatus]
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_the_table_is_the_documented_workflow() -> None:
    assert TRANSITIONS == EXPECTED
    assert allowed_actions(CaseStatus.UNDER_FOLLOW_UP) == [
        Action.RESUME_REMEDIATION, Action.CLOSE, Action.RELAPSE,
    ]  # fmt: skip
    assert allowed_actions(CaseStatus.CLOSED) == [Action.RELAPSE]


def _add_child(session: Session) -> Child:
    """One child in one household in one district."""
    area = Area(name="District A", level="district", path="/1/")
    session.add(area)
    session.flush()
    household = Household(area_id=area.id, head_name="K. Mensah")
    child = Child(household=household, pseudonym="C-0001", name="Ama", sex=Sex.FEMALE,
                  birth_date=date(2014, 5, 2))  # fmt: skip
    session.add_all([household, child])
    session.flush()
    return child


@pytest.fixture
def session(session: Session) -> Session:
    """The shared rolled-back session, with one child in one household."""
    _add_child(session)
    return session


def _case(session: Session, status: CaseStatus) -> Case:
    child = session.scalars(select(Child)).one()
    case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=status,
                opened_on=date(2026, 1, 10))  # fmt: skip
    session.add(case)
    session.flush()
    return case


@pytest.mark.parametrize(("action", "status"), ALL, ids=[f"{a}-{s}" for a, s in ALL])
def test_every_transition(session: Session, action: Action, status: CaseStatus) -> None:
    case = _case(session, status)
    expected = EXPECTED.get((action, status))
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    if expected is None:
        with pytest.raises(InvalidTransition) as caught:
            transition(session, case, action, actor="monitor-1", now=NOW)
        assert f"cannot {action.value} case {case.id}: it is {status.value}" in str(caught.value)
        assert case.status is status
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
        return
    event = transition(session, case, action, actor="monitor-1", reason="visit", now=NOW,
                       origin="127.0.0.1")  # fmt: skip
    assert case.status is expected
    assert (event.from_status, event.to_status, event.action) == (status, expected, action.value)
    audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert audit is not None
    assert (audit.actor, audit.action, audit.entity, audit.entity_id, audit.origin) == (
        "monitor-1", f"case.{action.value}", "case", case.id, "127.0.0.1",
    )  # fmt: skip
    assert audit.detail == {"from": status.value, "to": expected.value, "reason": "visit"}
    assert case.closed_on == (NOW.date() if expected is CaseStatus.CLOSED else None)


def test_a_whole_case_history(session: Session) -> None:
    case = _case(session, CaseStatus.IDENTIFIED)
    for action in (Action.PLAN, Action.START_REMEDIATION, Action.START_FOLLOW_UP, Action.CLOSE,
                   Action.RELAPSE):  # fmt: skip
        transition(session, case, action, actor="supervisor", now=NOW)
    session.flush()
    steps = [(e.from_status, e.to_status) for e in session.scalars(select(CaseEvent))]
    assert steps == [
        (CaseStatus.IDENTIFIED, CaseStatus.ACTION_PLANNED),
        (CaseStatus.ACTION_PLANNED, CaseStatus.IN_REMEDIATION),
        (CaseStatus.IN_REMEDIATION, CaseStatus.UNDER_FOLLOW_UP),
        (CaseStatus.UNDER_FOLLOW_UP, CaseStatus.CLOSED),
        (CaseStatus.CLOSED, CaseStatus.IDENTIFIED),
    ]
    assert case.closed_on is None
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 5


def test_unknown_action(session: Session) -> None:
    case = _case(session, CaseStatus.IDENTIFIED)
    with pytest.raises(InvalidTransition, match="unknown action 'celebrate'"):
        transition(session, case, "celebrate", actor="x")


def test_stale_write_is_refused(engine: Engine) -> None:
    upgrade(engine)
    with Session(engine) as first:
        child = _add_child(first)
        case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR,
                    status=CaseStatus.IDENTIFIED, opened_on=date(2026, 1, 10))  # fmt: skip
        first.add(case)
        first.commit()
        with Session(engine) as other:
            copy = other.get(Case, case.id)
            assert copy is not None
            transition(other, copy, Action.PLAN, actor="supervisor", now=NOW)
            other.commit()
        with pytest.raises(StaleDataError):
            transition(first, case, Action.PLAN, actor="monitor-1", now=NOW)
        first.rollback()


def test_duplicate_child_is_refused(session: Session) -> None:
    household = session.scalars(select(Household)).one()
    session.add(Child(household_id=household.id, pseudonym="C-0002", name="Ama",
                      sex=Sex.FEMALE, birth_date=date(2014, 5, 2)))  # fmt: skip
    with pytest.raises(IntegrityError):
        session.flush()

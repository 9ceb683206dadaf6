"""Small builders for hand-computed metric fixtures: areas, one-child households, visits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import Area, Case, Child, Sex, Visit, transition
from ipec.monitoring.models import CaseKind, CaseStatus, Household
from ipec.monitoring.service import ChildInput, create_area, record_visit, register_household
from ipec.monitoring.workflow import Action
from ipec.standards import load_profile

SDG = load_profile("sdg-8.7.1")
TODAY = date(2026, 12, 31)

#: sdg-8.7.1 verdicts: 43+ hours is hazardous (long hours) up to 17; 30 hours is child
#: labour at any age below 15 (but permitted work at 15-17); wfcl_other is another worst form.
WORKING = {"econ_any": True, "econ_hours": 30}
HAZARDOUS = {"econ_any": True, "econ_hours": 45}
WORST = {"econ_any": False, "econ_hours": None, "wfcl_other": True}
CLEAN = {"econ_any": False, "econ_hours": None}
#: Every kind of record above, for tests that draw histories at random.
RECORDS = (CLEAN, WORKING, HAZARDOUS, WORST)


def area(session: Session, name: str, parent: Area | None = None) -> Area:
    return create_area(session, name=name, level="area", parent_id=parent.id if parent else None)


def household(session: Session, where: Area, *children: tuple[str, Sex, date]) -> list[Child]:
    """A household in ``where`` with the children (name, sex, birth date), in that order."""
    made = register_household(
        session,
        area_id=where.id,
        head_name=f"head of {children[0][0] if children else where.name}",
        children=[ChildInput(name, sex, born) for name, sex, born in children],
        actor="m",
        today=TODAY,
    )
    session.refresh(made)
    return sorted(made.children, key=lambda c: c.id)


def empty_household(session: Session, where: Area) -> Household:
    return register_household(
        session, area_id=where.id, head_name="nobody", children=[], actor="m", today=TODAY
    )


def child(session: Session, where: Area, name: str, sex: Sex, born: date) -> Child:
    """A household of one child."""
    return household(session, where, (name, sex, born))[0]


def visit(
    session: Session,
    who: Child,
    day: date,
    record: dict[str, object],
    *,
    monitor: str = "m",
    attended: int | None = None,
    days_open: int | None = None,
) -> Visit:
    return record_visit(
        session,
        child_id=who.id,
        visit_date=day,
        monitor=monitor,
        consent=True,
        record=record,
        profile=SDG,
        actor="m",
        today=TODAY,
        school_days_attended=attended,
        school_days_open=days_open,
    )


def case_of(session: Session, who: Child) -> Case:
    return session.scalars(select(Case).where(Case.child_id == who.id)).one()


def at_risk_case(session: Session, who: Child, opened: date) -> Case:
    """A prevention case (no service opens these yet: written as a record)."""
    made = Case(child_id=who.id, kind=CaseKind.AT_RISK, status=CaseStatus.AT_RISK, opened_on=opened)
    session.add(made)
    session.flush()
    return made


def walk(session: Session, case: Case, *actions: Action, on: date) -> None:
    """Apply workflow actions stamped at noon UTC on ``on``."""
    for action in actions:
        transition(session, case, action, actor="s", now=datetime(on.year, on.month, on.day,
                                                                  12, tzinfo=UTC))  # fmt: skip


def close(session: Session, case: Case, on: date) -> None:
    """Take an identified case through the workflow to closed on ``on``."""
    walk(session, case, Action.PLAN, Action.START_REMEDIATION, Action.START_FOLLOW_UP,
         Action.CLOSE, on=on)  # fmt: skip

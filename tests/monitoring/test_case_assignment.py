"""A case's assignee, its follow-ups with it, and a transfer between districts (the
household's move): the history stays, the scope moves, assignees of the old district are
released."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict
from ipec.monitoring.approvals import ApprovalQueue, request_approval
from ipec.monitoring.case_assignment import assign_case
from ipec.monitoring.models import (
    Area,
    AuditEntry,
    CaseEvent,
    CaseStatus,
    FollowUp,
    Household,
)
from ipec.monitoring.service import move_household
from tests.monitoring.supervision_world import CLEAN, TODAY, build, follow_up_done


def test_a_case_and_its_follow_ups_to_do_are_reassigned(session: Session) -> None:
    world = build(session)
    done = follow_up_done(session, world, date(2026, 1, 5), CLEAN)
    to_do = FollowUp(case_id=world.case.id, due_on=date(2027, 2, 1))
    session.add(to_do)
    session.flush()
    version = world.case.version
    assign_case(session, case=world.case, expected_version=version, user=world.users["mon"],
                actor="sup")  # fmt: skip
    assert world.case.assignee_id == world.users["mon"].id
    assert world.case.version == version + 1
    assert to_do.assignee_id == world.users["mon"].id
    visited = session.scalars(select(FollowUp).where(FollowUp.visit_id == done.id)).one()
    assert visited.assignee_id is None  # a follow-up done keeps who did it
    event = session.scalars(select(CaseEvent).where(CaseEvent.action == "assign")).one()
    assert (event.reason, event.from_status) == (
        "assigned to Mon (mon)",
        CaseStatus.UNDER_FOLLOW_UP,
    )
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.assign")).one()
    assert (audit.detail["from"], audit.detail["to"]) == (None, world.users["mon"].id)
    assert to_do.id in audit.detail["follow_ups"]
    assert visited.id not in audit.detail["follow_ups"]
    with pytest.raises(Conflict):
        assign_case(session, case=world.case, expected_version=version, user=None, actor="sup")
    world.case.status = CaseStatus.CLOSED
    session.flush()
    with pytest.raises(Conflict, match="is closed"):
        assign_case(session, case=world.case, expected_version=world.case.version, user=None,
                    actor="sup")  # fmt: skip


def test_a_transfer_moves_the_scope_keeps_the_history_and_releases(session: Session) -> None:
    world = build(session)
    to_do = FollowUp(case_id=world.case.id, due_on=date(2027, 2, 1))
    session.add(to_do)
    session.flush()
    assign_case(session, case=world.case, expected_version=world.case.version,
                user=world.users["mon"], actor="sup")  # fmt: skip
    request_approval(session, case=world.case, expected_version=world.case.version,
                     kind="closure", note="at school", actor="mon")  # fmt: skip
    household = session.get(Household, world.ids["household"])
    assert household is not None
    a, b = (session.get(Area, world.ids[key]) for key in ("area_a", "area_b"))
    assert a is not None
    assert b is not None
    assert len(ApprovalQueue().page_in(session, a.path).rows) == 1
    move_household(session, household_id=household.id, expected_version=household.version,
                   to_area_id=b.id, moved_on=date(2026, 12, 1), actor="manager",
                   today=TODAY)  # fmt: skip
    assert (world.case.area_id, to_do.area_id) == (b.id, b.id)
    assert (world.case.assignee_id, to_do.assignee_id) == (None, None)
    released = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.release")).one()
    assert released.detail == {"case_assignee": world.users["mon"].id, "follow_ups": [to_do.id],
                               "area": b.id}  # fmt: skip
    assert session.scalars(select(FollowUp.assignee_id).where(FollowUp.case_id == world.case.id)
                           .where(FollowUp.assignee_id.is_not(None))).all() == []  # fmt: skip
    # The history went with the case; the request awaits district B's supervisor now.
    actions = session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == world.case.id))
    assert list(actions) == ["assign", "request_closure"]
    assert ApprovalQueue().page_in(session, a.path).rows == []
    assert len(ApprovalQueue().page_in(session, b.path).rows) == 1


def test_a_move_keeps_assignees_who_work_there(session: Session) -> None:
    world = build(session)
    assign_case(session, case=world.case, expected_version=world.case.version,
                user=world.users["manager"], actor="manager")  # fmt: skip
    household = session.get(Household, world.ids["household"])
    assert household is not None
    move_household(session, household_id=household.id, expected_version=household.version,
                   to_area_id=world.ids["area_b"], moved_on=date(2026, 12, 1), actor="manager",
                   today=TODAY)  # fmt: skip
    assert world.case.assignee_id == world.users["manager"].id

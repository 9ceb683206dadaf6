"""Plans as actions, and supervisors' approval of plans and closures: requested, approved,
rejected with a comment, withdrawn when the case moves on; the queue by scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import Role
from ipec.errors import Conflict, DataError, InvalidTransition, NotFound, PermissionDenied
from ipec.monitoring.approvals import (
    ApprovalQueue,
    add_plan_action,
    decide,
    pending_count,
    request_approval,
    set_plan_action_status,
)
from ipec.monitoring.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Area,
    AuditEntry,
    CaseEvent,
    CaseStatus,
    PartnerKind,
    PlanActionStatus,
    ServiceType,
)
from ipec.monitoring.service import create_partner
from tests.monitoring.supervision_world import (
    CLEAN,
    TODAY,
    World,
    build,
    follow_up_done,
)


def _request(session: Session, world: World, kind: ApprovalKind, note: str = "why") -> Approval:
    return request_approval(session, case=world.case, expected_version=world.case.version,
                            kind=kind, note=note, actor="mon")  # fmt: skip


def _plan(session: Session, world: World) -> None:
    add_plan_action(session, case=world.case, service=ServiceType.SCHOOL_KIT,
                    due_on=date(2026, 9, 1), responsible_user_id=world.users["mon"].id,
                    responsible_partner_id=None, actor="mon")  # fmt: skip


def _scope(session: Session, key: str) -> str:
    area = session.get(Area, key)
    assert area is not None
    return area.path


def test_a_plan_is_a_list_of_actions(session: Session) -> None:
    world = build(session)
    partner = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    with pytest.raises(DataError) as unplanned:
        _request(session, world, ApprovalKind.PLAN)
    assert unplanned.value.column == "plan"
    _plan(session, world)
    action = add_plan_action(session, case=world.case, service="psychosocial",
                             due_on=date(2026, 10, 1), responsible_user_id=None,
                             responsible_partner_id=partner.id, actor="mon")  # fmt: skip
    for wrong, column in (({"service": "magic"}, "service"),
                          ({"responsible_partner_id": partner.id}, "responsible"),
                          ({"responsible_user_id": None}, "responsible"),
                          ({"due_on": date(2024, 1, 1)}, "due_on")):  # fmt: skip
        given = {"service": "health", "due_on": date(2026, 10, 1),
                 "responsible_user_id": world.users["mon"].id, "responsible_partner_id": None,
                 **wrong}  # fmt: skip
        with pytest.raises(DataError) as refused:
            add_plan_action(session, case=world.case, actor="mon", **given)  # type: ignore[arg-type]
        assert refused.value.column == column
    with pytest.raises(NotFound):
        add_plan_action(session, case=world.case, service="health", due_on=date(2026, 10, 1),
                        responsible_user_id=None, responsible_partner_id=9999,
                        actor="mon")  # fmt: skip
    set_plan_action_status(session, action=action, status="done", actor="mon")
    assert action.status is PlanActionStatus.DONE
    with pytest.raises(DataError):
        set_plan_action_status(session, action=action, status="finished", actor="mon")
    audit = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "mon")).all()
    assert audit.count("plan.add") == 2
    assert "plan.status" in audit


def test_a_plan_approved_and_a_closure_rejected_with_a_comment(session: Session) -> None:
    world = build(session)
    _plan(session, world)
    plan = _request(session, world, ApprovalKind.PLAN, "school first")
    with pytest.raises(Conflict, match="already awaits approval"):
        _request(session, world, ApprovalKind.PLAN)
    with pytest.raises(PermissionDenied, match="a monitor may not approve or reject a plan"):
        decide(session, approval=plan, approve=True, comment=None, role=Role.MONITOR,
               actor="mon_b", today=TODAY)  # fmt: skip
    with pytest.raises(PermissionDenied, match="another supervisor decides"):
        decide(session, approval=plan, approve=True, comment=None, role=Role.SUPERVISOR,
               actor="mon", today=TODAY)  # fmt: skip
    decide(session, approval=plan, approve=True, comment="good plan", role=Role.SUPERVISOR,
           actor="sup", today=TODAY)  # fmt: skip
    assert (plan.status, plan.decided_by, plan.comment) == (ApprovalStatus.APPROVED, "sup",
                                                             "good plan")  # fmt: skip
    with pytest.raises(Conflict, match="approved already"):
        decide(session, approval=plan, approve=False, comment="no", role=Role.SUPERVISOR,
               actor="sup", today=TODAY)  # fmt: skip
    closure = _request(session, world, ApprovalKind.CLOSURE, "she is at school")
    for blank in (None, " "):
        with pytest.raises(DataError) as unexplained:
            decide(session, approval=closure, approve=False, comment=blank,
                   role=Role.SUPERVISOR, actor="sup", today=TODAY)  # fmt: skip
        assert unexplained.value.column == "comment"
    decide(session, approval=closure, approve=False, comment="one more follow-up",
           role=Role.SUPERVISOR, actor="sup", today=TODAY)  # fmt: skip
    assert closure.status is ApprovalStatus.REJECTED
    assert world.case.status is CaseStatus.UNDER_FOLLOW_UP
    history = session.scalars(select(CaseEvent.action, ).where(CaseEvent.case_id == world.case.id)
                              .order_by(CaseEvent.id)).all()  # fmt: skip
    assert history == ["request_plan", "approve_plan", "request_closure", "reject_closure"]
    decisions = session.scalars(select(AuditEntry).where(AuditEntry.action == "approval.decide"))
    assert [(e.detail["kind"], e.detail["status"]) for e in decisions] == [
        ("plan", "approved"), ("closure", "rejected")]  # fmt: skip


def test_an_approved_closure_closes_by_the_rule_or_by_override(session: Session) -> None:
    world = build(session)
    follow_up_done(session, world, date(2026, 1, 5), CLEAN)
    closure = _request(session, world, ApprovalKind.CLOSURE)
    with pytest.raises(InvalidTransition, match="may not close yet"):
        decide(session, approval=closure, approve=True, comment=None, role=Role.SUPERVISOR,
               actor="sup", today=TODAY)  # fmt: skip
    with pytest.raises(DataError) as unexplained:
        decide(session, approval=closure, approve=True, comment="", role=Role.SUPERVISOR,
               actor="sup", today=TODAY, override=True)  # fmt: skip
    assert unexplained.value.column == "reason"
    assert closure.status is ApprovalStatus.REQUESTED
    decide(session, approval=closure, approve=True, comment="family left the cocoa area",
           role=Role.SUPERVISOR, actor="sup", today=TODAY, override=True)  # fmt: skip
    assert (closure.status, closure.override) == (ApprovalStatus.APPROVED, True)
    assert world.case.status is CaseStatus.CLOSED
    last = session.scalars(select(CaseEvent).where(CaseEvent.case_id == world.case.id)
                           .order_by(CaseEvent.id.desc())).first()  # fmt: skip
    assert last is not None
    assert (last.action, last.actor, last.reason) == ("close_override", "sup",
                                                      "family left the cocoa area")  # fmt: skip


def test_a_closure_request_needs_follow_up_and_a_note(session: Session) -> None:
    world = build(session)
    with pytest.raises(DataError) as unexplained:
        _request(session, world, ApprovalKind.CLOSURE, "  ")
    assert unexplained.value.column == "note"
    with pytest.raises(Conflict):
        request_approval(session, case=world.case, expected_version=world.case.version + 1,
                         kind="closure", note="x", actor="mon")  # fmt: skip
    world.case.status = CaseStatus.IN_REMEDIATION
    session.flush()
    with pytest.raises(InvalidTransition, match="a case closes from under_follow_up"):
        _request(session, world, ApprovalKind.CLOSURE)


def test_a_relapse_withdraws_the_closure_waiting(session: Session) -> None:
    world = build(session)
    closure = _request(session, world, ApprovalKind.CLOSURE)
    follow_up_done(session, world, date(2026, 2, 1), {"econ_any": True, "econ_hours": 30})
    assert world.case.status is CaseStatus.IDENTIFIED
    assert (closure.status, closure.comment) == (ApprovalStatus.WITHDRAWN,
                                                 "the case became identified")  # fmt: skip


def test_the_queue_is_the_readers_scope_oldest_first(session: Session) -> None:
    world = build(session)
    _plan(session, world)
    first = _request(session, world, ApprovalKind.PLAN)
    second = _request(session, world, ApprovalKind.CLOSURE)
    a, b = _scope(session, world.ids["area_a"]), _scope(session, world.ids["area_b"])  # type: ignore[arg-type]
    found = ApprovalQueue(per_page=1).page_in(session, a)
    assert [row.Approval.id for row in found.rows] == [first.id]
    assert found.has_next
    second_page = ApprovalQueue(page=2, per_page=1).page_in(session, a)
    assert [row.Approval.id for row in second_page.rows] == [second.id]
    assert not second_page.has_next
    assert ApprovalQueue().page_in(session, b).rows == []
    assert (pending_count(session, a), pending_count(session, b)) == (2, 0)

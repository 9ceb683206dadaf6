"""Supervision: a case's plan (actions), requests for approval of plans and closures, the
supervisor's queue and decisions, the closure rule's verdict, and a case's assignee."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ipec.auth import Operation, read_list
from ipec.auth.supervision import (
    access_of_case,
    approval_to_decide,
    case_assignee,
    plan_responsible,
)
from ipec.monitoring.approvals import (
    ApprovalQueue,
    add_plan_action,
    decide,
    request_approval,
    set_plan_action_status,
)
from ipec.monitoring.case_assignment import assign_case
from ipec.monitoring.closure import closure_check, rule_text
from ipec.monitoring.models import (
    Approval,
    ApprovalKind,
    PlanAction,
    PlanActionStatus,
    ServiceType,
)
from ipec.web.api.common import Page, PerPage, RecordId, today
from ipec.web.api.schemas import CaseOut, ChildOut
from ipec.web.deps import CaseToChange, CaseToRead, CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["supervision"])

Note = Annotated[str, Field(max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PlanActionIn(_In):
    service: ServiceType
    due_on: date
    responsible_user_id: int | None = Field(default=None, ge=1)
    responsible_partner_id: int | None = Field(default=None, ge=1)


class PlanActionStatusIn(_In):
    status: PlanActionStatus


class PlanActionOut(_Out):
    id: int
    case_id: int
    service: str
    responsible_user_id: int | None
    responsible_partner_id: int | None
    due_on: date
    status: str
    added_by: str


class ApprovalIn(_In):
    kind: ApprovalKind
    note: Note
    version: int = Field(description="The case version the caller read (stale writes fail).")


class DecisionIn(_In):
    decision: Literal["approve", "reject"]
    comment: Note | None = None
    override: bool = Field(default=False, description="Close although the closure rule is not "
                           "met: the comment is the recorded reason.")  # fmt: skip


class ApprovalOut(_Out):
    id: int
    case_id: int
    kind: str
    status: str
    requested_by: str
    requested_at: datetime
    note: str
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    override: bool


class QueueItem(BaseModel):
    approval: ApprovalOut
    case: CaseOut
    child: ChildOut
    area_name: str


class QueueOut(BaseModel):
    items: list[QueueItem]
    page: int
    per_page: int
    has_next: bool


class ClosureOut(BaseModel):
    met: bool
    unmet: str | None
    message: str
    rule: str
    latest_follow_ups: list[date]


class AssigneeIn(_In):
    user_id: int | None = Field(ge=1)
    version: int


class SupervisionOut(BaseModel):
    assignee_id: int | None
    plan: list[PlanActionOut]
    approvals: list[ApprovalOut]
    closure: ClosureOut


@router.get("/cases/{case_id}/supervision", response_model=SupervisionOut)
def read_supervision(case: CaseToRead, db: DbSession) -> SupervisionOut:
    """A case's assignee, plan, requests for approval (newest first) and the closure rule's
    verdict."""
    plan = db.scalars(select(PlanAction).where(PlanAction.case_id == case.id)
                      .order_by(PlanAction.due_on, PlanAction.id))  # fmt: skip
    approvals = db.scalars(select(Approval).where(Approval.case_id == case.id)
                           .order_by(Approval.id.desc()))  # fmt: skip
    check = closure_check(db, case)
    return SupervisionOut(
        assignee_id=case.assignee_id,
        plan=[PlanActionOut.model_validate(action) for action in plan],
        approvals=[ApprovalOut.model_validate(approval) for approval in approvals],
        closure=ClosureOut(met=check.met, unmet=check.unmet.value if check.unmet else None,
                           message=check.message(), rule=rule_text(),
                           latest_follow_ups=list(check.latest)),
    )  # fmt: skip


@router.post("/cases/{case_id}/plan", response_model=PlanActionOut, status_code=201)
def create_plan_action(
    case: CaseToChange, body: PlanActionIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> PlanActionOut:  # fmt: skip
    """Add an action to the case's plan (one responsible: a user of the caller's team or a
    partner)."""
    if body.responsible_user_id is not None:
        plan_responsible(db, who, body.responsible_user_id)
    action = add_plan_action(db, case=case, service=body.service, due_on=body.due_on,
                             responsible_user_id=body.responsible_user_id,
                             responsible_partner_id=body.responsible_partner_id,
                             actor=who.username, origin=origin(request))  # fmt: skip
    return PlanActionOut.model_validate(action)


@router.patch("/plan-actions/{action_id}", response_model=PlanActionOut)
def change_plan_action(
    action_id: RecordId, body: PlanActionStatusIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> PlanActionOut:  # fmt: skip
    """Say where an action of a plan stands."""
    where = origin(request)
    action = access_of_case(db, who, PlanAction, action_id, what="plan action",
                            operation=Operation.CHANGE, origin=where)  # fmt: skip
    set_plan_action_status(db, action=action, status=body.status, actor=who.username,
                           origin=where)  # fmt: skip
    return PlanActionOut.model_validate(action)


@router.post("/cases/{case_id}/approvals", response_model=ApprovalOut, status_code=201)
def ask_approval(
    case: CaseToChange, body: ApprovalIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> ApprovalOut:  # fmt: skip
    """Ask a supervisor to approve the case's plan or its closure; refused when the case
    changed since ``version``."""
    approval = request_approval(db, case=case, expected_version=body.version, kind=body.kind,
                                note=body.note, actor=who.username,
                                origin=origin(request))  # fmt: skip
    return ApprovalOut.model_validate(approval)


@router.get("/approvals", response_model=QueueOut)
def approval_queue(
    request: Request, db: DbSession, who: CurrentPrincipal, page: Page = 1,
    per_page: PerPage = 50,
) -> QueueOut:  # fmt: skip
    """The requests awaiting a decision in the caller's areas, oldest first."""
    found = read_list(db, who, ApprovalQueue(page=page, per_page=per_page),
                      origin=origin(request))  # fmt: skip
    items = [
        QueueItem(approval=ApprovalOut.model_validate(row.Approval),
                  case=CaseOut.model_validate(row.Case),
                  child=ChildOut.model_validate(row.Child), area_name=row.area_name)
        for row in found.rows
    ]  # fmt: skip
    return QueueOut(items=items, page=page, per_page=per_page, has_next=found.has_next)


@router.post("/approvals/{approval_id}/decision", response_model=ApprovalOut)
def decide_approval(
    approval_id: RecordId, body: DecisionIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> ApprovalOut:  # fmt: skip
    """Approve or reject a request (supervisors and above; a rejection needs a comment;
    approving a closure closes the case by the rule, or by ``override`` with the comment as
    the reason)."""
    where = origin(request)
    approval = approval_to_decide(db, who, approval_id, origin=where)
    decide(db, approval=approval, approve=body.decision == "approve", comment=body.comment,
           role=who.role, actor=who.username, today=today(), override=body.override,
           origin=where)  # fmt: skip
    return ApprovalOut.model_validate(approval)


@router.put("/cases/{case_id}/assignee", response_model=CaseOut)
def reassign_case(
    case: CaseToChange, body: AssigneeIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> CaseOut:  # fmt: skip
    """Assign the case, and its follow-ups still to do, to a member of the caller's team who
    works in its area (supervisors and above; null: nobody)."""
    user = case_assignee(db, who, case, body.user_id)
    assign_case(db, case=case, expected_version=body.version, user=user, actor=who.username,
                origin=origin(request))  # fmt: skip
    return CaseOut.model_validate(case)

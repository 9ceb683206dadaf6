"""Supervision: case plans as lists of actions, and the approval of plans and closures.

A case plan is a list of actions (:class:`PlanAction`): the service to give, who is
responsible (a user of the programme or a partner), by when, and where it stands. A case
worker asks a supervisor to approve the plan, or the closure of a case under follow-up
(:func:`request_approval`); a supervisor, a programme manager or an administrator approves
or rejects it with a comment (:func:`decide`), never their own request. Approving a closure
closes the case by the closure rule (``ipec.monitoring.closure``): when the rule is not met
the approval must override it with the comment as the reason. A request left waiting when
the case moves on (a relapse while its closure waited) is withdrawn
(:func:`withdraw_stale`). Every request and decision is a step of the case's history (a
:class:`CaseEvent` that leaves the status as it is) and an audit row.

The queue (:class:`ApprovalQueue`, through ``ipec.auth.read_list``) lists the requests
awaiting a decision in a subtree, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from ipec.auth.models import Role, User
from ipec.errors import Conflict, DataError, InvalidTransition, NotFound, PermissionDenied
from ipec.monitoring.audit import write_audit
from ipec.monitoring.closure import CLOSE_ROLES, OVERRIDE, authorize_close
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule
from ipec.monitoring.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Area,
    Case,
    CaseEvent,
    CaseStatus,
    Child,
    Partner,
    PlanAction,
    PlanActionStatus,
    ServiceType,
)
from ipec.monitoring.scope import WHOLE_PROGRAMME, subtree_area_ids

__all__ = [
    "DECIDE_ROLES",
    "MAX_NOTE",
    "ApprovalQueue",
    "QueuePage",
    "add_plan_action",
    "decide",
    "move_requests",
    "pending_count",
    "request_approval",
    "set_plan_action_status",
    "user_names",
    "withdraw_stale",
]

#: Roles that approve or reject plans and closures.
DECIDE_ROLES = CLOSE_ROLES
#: A note or comment is a few sentences.
MAX_NOTE = 2000


def _text(value: str | None, column: str, what: str) -> str:
    """A required note of at most :data:`MAX_NOTE` characters (a ``DataError`` naming
    ``column`` otherwise)."""
    clean = (value or "").strip()
    if not clean:
        raise DataError(f"{what} is required", column=column, hint=f"write {what}")
    if len(clean) > MAX_NOTE:
        raise DataError(f"{what} is longer than {MAX_NOTE} characters", column=column,
                        hint="shorten it")  # fmt: skip
    return clean


def _event(session: Session, case: Case, action: str, *, actor: str, reason: str | None,
           at: datetime) -> CaseEvent:  # fmt: skip
    """A step of the case's history that leaves its status as it is."""
    event = CaseEvent(case=case, action=action, from_status=case.status, to_status=case.status,
                      at=at, actor=actor, reason=reason)  # fmt: skip
    session.add(event)
    return event


def add_plan_action(
    session: Session,
    *,
    case: Case,
    service: ServiceType | str,
    due_on: date,
    responsible_user_id: int | None,
    responsible_partner_id: int | None,
    actor: str,
    origin: str | None = None,
) -> PlanAction:
    """Add an action to the plan of an open case; exactly one responsible (a user, whom the
    caller checked is of its team, or a partner), due on or after the case opened. Audited
    (``plan.add``, on the case)."""
    if case.status is CaseStatus.CLOSED:
        raise Conflict(f"case {case.id} is closed: its plan is final", hint="reload the case")
    try:
        kind = ServiceType(service)
    except ValueError:
        known = ", ".join(s.value for s in ServiceType)
        raise DataError(f"unknown service '{service}'", column="service",
                        hint=f"use one of {known}") from None  # fmt: skip
    if (responsible_user_id is None) == (responsible_partner_id is None):
        raise DataError("an action has one responsible: a user or a partner", column="responsible",
                        hint="name a user or a partner, not both")  # fmt: skip
    if responsible_partner_id is not None and session.get(Partner, responsible_partner_id) is None:
        raise NotFound(f"partner {responsible_partner_id} not found")
    if due_on < case.opened_on:
        raise DataError(f"the action is due on {due_on}, before the case opened ({case.opened_on})",
                        column="due_on", hint="correct the due date")  # fmt: skip
    action = PlanAction(case_id=case.id, service=kind, responsible_user_id=responsible_user_id,
                        responsible_partner_id=responsible_partner_id, due_on=due_on,
                        status=PlanActionStatus.PLANNED, added_by=actor,
                        added_at=datetime.now(UTC))  # fmt: skip
    session.add(action)
    session.flush()
    write_audit(session, actor=actor, action="plan.add", entity="case", entity_id=case.id,
                origin=origin, detail={"plan_action": action.id, "service": kind.value,
                                       "due_on": due_on.isoformat()})  # fmt: skip
    return action


def set_plan_action_status(
    session: Session,
    *,
    action: PlanAction,
    status: PlanActionStatus | str,
    actor: str,
    origin: str | None = None,
) -> PlanAction:
    """Say where an action of the plan stands (planned, in progress, done, cancelled);
    refused for a closed case's plan. Audited (``plan.status``, before and after)."""
    try:
        chosen = PlanActionStatus(status)
    except ValueError:
        known = ", ".join(s.value for s in PlanActionStatus)
        raise DataError(f"unknown status '{status}'", column="status",
                        hint=f"use one of {known}") from None  # fmt: skip
    case = session.get(Case, action.case_id)
    assert case is not None  # a foreign key
    if case.status is CaseStatus.CLOSED:
        raise Conflict(f"case {case.id} is closed: its plan is final", hint="reload the case")
    before = action.status
    action.status = chosen
    session.flush()
    write_audit(session, actor=actor, action="plan.status", entity="case", entity_id=case.id,
                origin=origin, detail={"plan_action": action.id, "from": before.value,
                                       "to": chosen.value})  # fmt: skip
    return action


def _pending(session: Session, case_id: int, kind: ApprovalKind) -> Approval | None:
    return session.scalars(
        select(Approval).where(Approval.case_id == case_id, Approval.kind == kind,
                               Approval.status == ApprovalStatus.REQUESTED)
    ).first()  # fmt: skip


def request_approval(
    session: Session,
    *,
    case: Case,
    expected_version: int,
    kind: ApprovalKind | str,
    note: str,
    actor: str,
    origin: str | None = None,
    now: datetime | None = None,
) -> Approval:
    """Ask a supervisor to approve the case's plan (an open case with an action not
    cancelled) or its closure (a case under follow-up), saying why (``note``). Refused for a
    stale version (``Conflict``), a request of the same kind already waiting (``Conflict``),
    a closure of a case not under follow-up (``InvalidTransition``), a plan without actions
    (``DataError``, column "plan") and an empty note (column "note")."""
    from ipec.monitoring.service import check_case_version

    check_case_version(case, expected_version)
    try:
        wanted = ApprovalKind(kind)
    except ValueError:
        raise DataError(f"unknown kind of approval '{kind}'", column="kind",
                        hint="use plan or closure") from None  # fmt: skip
    text = _text(note, "note", "the reason for the request")
    if wanted is ApprovalKind.CLOSURE and case.status is not CaseStatus.UNDER_FOLLOW_UP:
        raise InvalidTransition(
            f"cannot request the closure of case {case.id}: it is {case.status.value}",
            hint="a case closes from under_follow_up",
        )
    if wanted is ApprovalKind.PLAN:
        if case.status is CaseStatus.CLOSED:
            raise InvalidTransition(f"case {case.id} is closed: its plan is final")
        live = select(func.count()).where(
            PlanAction.case_id == case.id, PlanAction.status != PlanActionStatus.CANCELLED
        )
        if not session.scalar(live):
            raise DataError(f"case {case.id} has no action planned", column="plan",
                            hint="add the plan's actions first")  # fmt: skip
    waiting = _pending(session, case.id, wanted)
    if waiting is not None:
        raise Conflict(f"the {wanted.value} of case {case.id} already awaits approval (request "
                       f"{waiting.id})", hint="wait for the supervisor's decision")  # fmt: skip
    at = now or datetime.now(UTC)
    approval = Approval(case_id=case.id, area_id=case.area_id, kind=wanted,
                        status=ApprovalStatus.REQUESTED,
                        requested_by=actor, requested_at=at, note=text, override=False)  # fmt: skip
    session.add(approval)
    _event(session, case, f"request_{wanted.value}", actor=actor, reason=text, at=at)
    session.flush()
    write_audit(session, actor=actor, action="approval.request", entity="case", entity_id=case.id,
                origin=origin, at=at,
                detail={"approval": approval.id, "kind": wanted.value})  # fmt: skip
    return approval


def decide(
    session: Session,
    *,
    approval: Approval,
    approve: bool,
    comment: str | None,
    role: Role,
    actor: str,
    today: date,
    override: bool = False,
    origin: str | None = None,
    rule: FollowUpRule = DEFAULT_RULE,
) -> Approval:
    """Approve or reject a request waiting for a decision. Refused for a role that may not
    decide (``PermissionDenied`` naming the role), the requester themself
    (``PermissionDenied``: another person decides), a request decided already or withdrawn
    (``Conflict``), and a rejection without a comment (``DataError``, column "comment").
    Approving a closure closes the case by the closure rule (``InvalidTransition`` when the
    rule is not met and ``override`` is not asked; an override needs the comment as its
    reason)."""
    kind = approval.kind.value
    if role not in DECIDE_ROLES:
        raise PermissionDenied(f"a {role.value} may not approve or reject a {kind}: supervisors, "
                               "programme managers and administrators decide")  # fmt: skip
    if approval.requested_by == actor:
        raise PermissionDenied(f"you asked for the approval of this {kind}: another supervisor "
                               "decides")  # fmt: skip
    if approval.status is not ApprovalStatus.REQUESTED:
        raise Conflict(f"request {approval.id} is {approval.status.value} already",
                       hint="reload the queue")  # fmt: skip
    case = session.get(Case, approval.case_id, with_for_update=True)
    assert case is not None  # a foreign key
    at = datetime.now(UTC)
    clean = (comment or "").strip() or None
    if clean is not None and len(clean) > MAX_NOTE:
        raise DataError(f"the comment is longer than {MAX_NOTE} characters", column="comment")
    if not approve:
        clean = _text(comment, "comment", "a comment saying why the request is rejected")
        approval.status = ApprovalStatus.REJECTED
        _event(session, case, f"reject_{kind}", actor=actor, reason=clean, at=at)
    elif approval.kind is ApprovalKind.PLAN:
        approval.status = ApprovalStatus.APPROVED
        _event(session, case, "approve_plan", actor=actor, reason=clean, at=at)
    else:
        from ipec.monitoring.service import step_case
        from ipec.monitoring.workflow import TRANSITIONS, Action

        # An override's reason is the decider's own comment, never the requester's note.
        reason = clean if override else clean or approval.note
        if (Action.CLOSE, case.status) in TRANSITIONS:  # refused before anything changes
            authorize_close(session, case, role=role, reason=reason, override=override, rule=rule)
        approval.status = ApprovalStatus.APPROVED  # before the closure, which withdraws others
        event = step_case(session, case=case, expected_version=case.version, action=Action.CLOSE,
                          actor=actor, today=today, reason=reason, origin=origin, rule=rule,
                          role=role, override=override)  # fmt: skip
        approval.override = event.action == OVERRIDE
    approval.decided_by, approval.decided_at, approval.comment = actor, at, clean
    session.flush()
    write_audit(session, actor=actor, action="approval.decide", entity="case", entity_id=case.id,
                origin=origin, at=at,
                detail={"approval": approval.id, "kind": kind, "status": approval.status.value,
                        "override": approval.override})  # fmt: skip
    return approval


def withdraw_stale(session: Session, case: Case, *, actor: str, origin: str | None = None) -> None:
    """Withdraw the requests the case's new status leaves without object: a closure's once
    the case is no longer under follow-up, a plan's once it is closed (after a step)."""
    stale = [ApprovalKind.CLOSURE] if case.status is not CaseStatus.UNDER_FOLLOW_UP else []
    if case.status is CaseStatus.CLOSED:
        stale.append(ApprovalKind.PLAN)
    for kind in stale:
        waiting = _pending(session, case.id, kind)
        if waiting is None:
            continue
        waiting.status = ApprovalStatus.WITHDRAWN
        waiting.decided_by, waiting.decided_at = actor, datetime.now(UTC)
        waiting.comment = f"the case became {case.status.value}"
        session.flush()
        write_audit(session, actor=actor, action="approval.withdraw", entity="case",
                    entity_id=case.id, origin=origin,
                    detail={"approval": waiting.id, "kind": kind.value})  # fmt: skip


def _areas(session: Session, scope_path: str) -> list[int] | None:
    """The ids of the subtree's areas, read first so that a queue reads one range of its
    index per area (None: the whole programme, every area)."""
    if scope_path == WHOLE_PROGRAMME:
        return None
    return list(session.scalars(subtree_area_ids(scope_path)))


def _queue(areas: list[int] | None) -> Select[Approval, Case, Child, str]:
    """The requests awaiting a decision in the areas ``areas`` (None: every area), oldest
    first, with their case, child and area's name: one range of the queue index per area."""
    query = (
        select(Approval, Case, Child, Area.name.label("area_name"))
        .join(Case, Case.id == Approval.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(Area, Area.id == Approval.area_id)
        .where(Approval.status == ApprovalStatus.REQUESTED)
        .order_by(Approval.requested_at, Approval.id)
    )
    return query if areas is None else query.where(Approval.area_id.in_(areas))


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A page of the queue: rows of (Approval, Case, Child, area_name)."""

    rows: Sequence[Row[Any]]
    has_next: bool


@dataclass(frozen=True, slots=True)
class ApprovalQueue:
    """One page of the requests awaiting a decision, oldest first (``ipec.auth.read_list``
    gives it the reader's scope and logs the children listed)."""

    page: int = 1
    per_page: int = 50

    @property
    def action(self) -> str:
        return "approval.queue"

    @property
    def entity(self) -> str:
        return "case"

    def page_in(self, session: Session, scope_path: str) -> QueuePage:
        query = _queue(_areas(session, scope_path)).limit(self.per_page + 1)
        rows: list[Any] = list(session.execute(query.offset((self.page - 1) * self.per_page)))
        return QueuePage(rows[: self.per_page], len(rows) > self.per_page)


def pending_count(session: Session, scope_path: str) -> int:
    """How many requests await a decision in the subtree (the dashboard's figure): one
    range of the queue index per area (one range for the whole programme)."""
    query = (
        select(func.count())
        .select_from(Approval)
        .where(Approval.status == ApprovalStatus.REQUESTED)
    )
    areas = _areas(session, scope_path)
    if areas is not None:
        query = query.where(Approval.area_id.in_(areas))
    return int(session.scalar(query) or 0)


def move_requests(session: Session, case_ids: Sequence[int], area_id: int) -> None:
    """After cases moved to area ``area_id`` (their household's move), their requests
    follow them (the copy of the case's area): the new area's supervisor decides."""
    requests = select(Approval).where(Approval.case_id.in_(case_ids))
    for approval in session.scalars(requests.order_by(Approval.id)):
        approval.area_id = area_id
    session.flush()


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Users' display names by id (for a plan's responsible people)."""
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(sorted(ids))))
    return {row.id: row.display_name for row in rows}

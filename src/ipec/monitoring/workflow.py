"""The case workflow: one transition table and one function that applies it.

Every allowed step is a row of :data:`TRANSITIONS`; anything else raises
:class:`ipec.errors.InvalidTransition`. A worst form other than hazardous work cannot be
planned before it is referred (labour inspection, police, social services). Each applied
step writes the case's history (:class:`CaseEvent`) and an audit row, in the caller's
transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import InvalidTransition
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Referral,
    ReferralStatus,
)
from ipec.monitoring.schedule import drop_waiting

__all__ = ["TRANSITIONS", "Action", "allowed_actions", "transition"]


class Action(StrEnum):
    """What a case worker does to move a case on."""

    PLAN = "plan"
    START_REMEDIATION = "start_remediation"
    START_FOLLOW_UP = "start_follow_up"
    RESUME_REMEDIATION = "resume_remediation"
    CLOSE = "close"
    ESCALATE = "escalate"
    RELAPSE = "relapse"


S = CaseStatus
#: (action, from status) -> to status. Relapse (re-identification) reopens a case, closed
#: ones included; a child at risk found in child labour is escalated to identified.
TRANSITIONS: dict[tuple[Action, CaseStatus], CaseStatus] = {
    (Action.PLAN, S.IDENTIFIED): S.ACTION_PLANNED,
    (Action.PLAN, S.AT_RISK): S.ACTION_PLANNED,
    (Action.ESCALATE, S.AT_RISK): S.IDENTIFIED,
    (Action.START_REMEDIATION, S.ACTION_PLANNED): S.IN_REMEDIATION,
    (Action.START_FOLLOW_UP, S.IN_REMEDIATION): S.UNDER_FOLLOW_UP,
    (Action.RESUME_REMEDIATION, S.UNDER_FOLLOW_UP): S.IN_REMEDIATION,
    (Action.CLOSE, S.UNDER_FOLLOW_UP): S.CLOSED,
    (Action.RELAPSE, S.ACTION_PLANNED): S.IDENTIFIED,
    (Action.RELAPSE, S.IN_REMEDIATION): S.IDENTIFIED,
    (Action.RELAPSE, S.UNDER_FOLLOW_UP): S.IDENTIFIED,
    (Action.RELAPSE, S.CLOSED): S.IDENTIFIED,
}


def allowed_actions(status: CaseStatus) -> list[Action]:
    """The actions the table allows from ``status``, in table order."""
    return [action for (action, source) in TRANSITIONS if source is status]


def _has_referral(session: Session, case: Case) -> bool:
    """A live referral: sent, accepted or done (not rejected or revoked)."""
    live = [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.DONE]
    found = session.scalar(
        select(Referral.id).where(Referral.case_id == case.id, Referral.status.in_(live))
    )
    return found is not None


def transition(
    session: Session,
    case: Case,
    action: Action | str,
    *,
    actor: str,
    reason: str | None = None,
    origin: str | None = None,
    now: datetime | None = None,
    recorded_as: str | None = None,
) -> CaseEvent:
    """Apply ``action`` to ``case``: check the table, move the status, write history and audit.

    ``recorded_as`` names the step in the history and the audit log when it is not the
    action's own name (a closure that overrides the rule: ``close_override``). Nothing is
    committed here: the caller's transaction keeps the step and its records together.
    """
    try:
        step = Action(action)
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise InvalidTransition(f"unknown action '{action}'", hint=f"use one of {known}") from None
    source = case.status
    target = TRANSITIONS.get((step, source))
    if target is None:
        allowed = ", ".join(a.value for a in allowed_actions(source)) or "none"
        raise InvalidTransition(
            f"cannot {step.value} case {case.id}: it is {source.value}",
            hint=f"allowed from {source.value}: {allowed}",
        )
    if step is Action.PLAN and case.worst_forms and not _has_referral(session, case):
        raise InvalidTransition(
            f"case {case.id} is a worst form of child labour: refer it before planning",
            hint="record a referral to labour inspection, police or social services first",
        )
    moment = now or datetime.now(UTC)
    case.status = target
    if target is S.CLOSED:
        case.closed_on = moment.date()
        # nothing is due for a closed case (``ipec.monitoring.schedule``)
        drop_waiting(session, case, why="case closed", actor=actor, origin=origin, at=moment)
    elif source is S.CLOSED:
        case.closed_on = None
    name = recorded_as or step.value
    event = CaseEvent(
        case=case, action=name, from_status=source, to_status=target,
        at=moment, actor=actor, reason=reason,
    )  # fmt: skip
    session.add(event)
    write_audit(session, actor=actor, action=f"case.{name}", entity="case",
                entity_id=case.id, origin=origin, at=moment,
                detail={"from": source.value, "to": target.value, "reason": reason})  # fmt: skip
    session.flush()
    return event

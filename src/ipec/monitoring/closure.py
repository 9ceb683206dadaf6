"""When a case may close, and who closes it: the one rule the API and the pages share.

A case under follow-up closes when the two latest follow-ups done, at least
``FollowUpRule.closure_gap_days`` (90) days apart, found the child out of child labour
(:func:`ipec.monitoring.followup.ready_to_close`; a visit left undetermined did not find the
child out). Only a supervisor, a programme manager or an administrator (:data:`CLOSE_ROLES`)
closes a case; a monitor asks for the closure instead (``ipec.monitoring.approvals``). A case
that does not meet the rule closes only by an override with a recorded reason: the history
then says ``close_override`` and the audit log ``case.close_override``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import Role
from ipec.classify import WorkStatus
from ipec.errors import DataError, InvalidTransition, PermissionDenied
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule, ready_to_close
from ipec.monitoring.models import Case, FollowUp, Visit

__all__ = [
    "CLOSE_ROLES",
    "OVERRIDE",
    "ClosureCheck",
    "Unmet",
    "authorize_close",
    "closure_check",
    "rule_text",
]

#: Roles that close a case (and decide on the closures monitors ask for).
CLOSE_ROLES = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.SUPERVISOR})
#: The name the history and the audit log give a closure made against the rule.
OVERRIDE = "close_override"


class Unmet(StrEnum):
    """Why the rule is not met (None when it is)."""

    TOO_FEW = "too_few"
    NOT_OUT = "not_out"
    TOO_CLOSE = "too_close"


def rule_text(rule: FollowUpRule = DEFAULT_RULE) -> str:
    """The closure rule in words, for messages."""
    return (f"a case closes when its two latest follow-ups, at least {rule.closure_gap_days} "
            "days apart, found the child out of child labour")  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClosureCheck:
    """Whether a case meets the closure rule: ``unmet`` None when it does; ``latest``: the
    days of the two latest follow-ups done (fewer when fewer were done); ``found_in``: those
    of them that did not find the child out of child labour."""

    unmet: Unmet | None
    latest: tuple[date, ...]
    found_in: tuple[date, ...]
    gap_days: int

    @property
    def met(self) -> bool:
        return self.unmet is None

    def message(self) -> str:
        """Why the rule is met or not, in words."""
        if self.unmet is Unmet.TOO_FEW:
            return f"{len(self.latest)} follow-up(s) done, two are needed"
        if self.unmet is Unmet.NOT_OUT:
            days = ", ".join(day.isoformat() for day in self.found_in)
            return f"the follow-up of {days} did not find the child out of child labour"
        if self.unmet is Unmet.TOO_CLOSE:
            first, last = self.latest
            return (f"the two latest follow-ups ({first}, {last}) are {(last - first).days} days "
                    f"apart, {self.gap_days} are needed")  # fmt: skip
        return "the two latest follow-ups found the child out of child labour, far enough apart"


def closure_check(session: Session, case: Case, rule: FollowUpRule = DEFAULT_RULE) -> ClosureCheck:
    """The rule's verdict on ``case``, from the visits that did its follow-ups."""
    rows = session.execute(
        select(Visit.visit_date, Visit.id, Visit.child_labour, Visit.status)
        .join(FollowUp, FollowUp.visit_id == Visit.id)
        .where(FollowUp.case_id == case.id)
    ).all()
    checks = sorted(
        (row.visit_date, row.id, row.child_labour or row.status == WorkStatus.UNDETERMINED)
        for row in rows
    )
    latest = checks[-2:]
    days = tuple(day for day, _id, _in in latest)
    found_in = tuple(day for day, _id, inside in latest if inside)
    verdict = [(day, inside) for day, _id, inside in latest]
    unmet: Unmet | None = None
    if len(latest) < 2:
        unmet = Unmet.TOO_FEW
    elif found_in:
        unmet = Unmet.NOT_OUT
    elif not ready_to_close(verdict, rule):
        unmet = Unmet.TOO_CLOSE
    return ClosureCheck(unmet, days, found_in, rule.closure_gap_days)


def authorize_close(
    session: Session,
    case: Case,
    *,
    role: Role | None,
    reason: str | None,
    override: bool,
    rule: FollowUpRule = DEFAULT_RULE,
) -> str:
    """Check that a user of ``role`` may close ``case`` now: the name its history gives the
    closure (``close``, or :data:`OVERRIDE` when the rule is not met and the closer
    overrides it with ``reason``). Refused, before anything changes, for a role that may not
    close (``PermissionDenied`` naming the role and the rule), an override without a reason
    (``DataError``, column "reason"), and a case that does not meet the rule without an
    override (``InvalidTransition`` naming the rule and what is missing)."""
    if role not in CLOSE_ROLES:
        named = role.value if role is not None else "user whose role is not known"
        raise PermissionDenied(
            f"a {named} may not close case {case.id}: a supervisor closes a case "
            f"({rule_text(rule)}, or by an override with a recorded reason)",
            hint="ask a supervisor to approve the closure (request it)",
        )
    if override and not (reason or "").strip():
        raise DataError("an override of the closure rule needs a reason", column="reason",
                        hint="say why the case closes although the rule is not met")  # fmt: skip
    check = closure_check(session, case, rule)
    if check.met:
        return "close"
    if not override:
        raise InvalidTransition(
            f"case {case.id} may not close yet: {check.message()} ({rule_text(rule)})",
            hint="record the follow-ups, or override the rule with a reason (override)",
        )
    return OVERRIDE

"""The gates of supervision: a request for approval or an action of a case plan is reached
through the gate of its case (one out of scope is not found, like a missing one); deciding
is for supervisors and above; a case is assigned to a member of the decider's team who works
in the case's area (``ipec.auth.team.assignee_for``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipec.auth.access import Operation, Principal, access_case_record, require_role
from ipec.auth.models import User
from ipec.auth.team import assignee_for, member_of_team
from ipec.monitoring.approvals import DECIDE_ROLES
from ipec.monitoring.models import Approval, Area, Case

__all__ = ["access_of_case", "approval_to_decide", "case_assignee", "plan_responsible"]

#: A request for approval or a plan action, through the gate of its case (the gate every
#: record of a case goes through).
access_of_case = access_case_record


def approval_to_decide(
    session: Session, principal: Principal, approval_id: int, *, origin: str | None
) -> Approval:
    """A request the principal may decide: supervisors and above, in their scope."""
    require_role(principal, DECIDE_ROLES, "approve or reject a plan or a closure")
    return access_of_case(session, principal, Approval, approval_id, what="request",
                          operation=Operation.CHANGE, origin=origin)  # fmt: skip


def _area_of(session: Session, case: Case) -> Area:
    area = session.get(Area, case.area_id)
    assert area is not None  # a foreign key
    return area


def case_assignee(
    session: Session, principal: Principal, case: Case, user_id: int | None
) -> User | None:
    """The user the principal may assign ``case`` to (None: nobody): supervisors and above,
    a member of their team who works in the case's area."""
    return assignee_for(session, principal, user_id=user_id, area=_area_of(session, case),
                        doing="reassign a case")  # fmt: skip


def plan_responsible(session: Session, principal: Principal, user_id: int) -> User:
    """A user named responsible for an action of a plan: a member of the principal's team."""
    user, _path = member_of_team(session, principal, user_id=user_id)
    return user

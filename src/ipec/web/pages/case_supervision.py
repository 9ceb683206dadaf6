"""What a child's page shows of each case's supervision: its assignee, its plan, its
requests for approval and the closure rule's verdict (``ipec.monitoring.closure``, the
rule the API applies), with whom the viewer may assign or name responsible."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.team import team_for
from ipec.monitoring.approvals import DECIDE_ROLES, user_names
from ipec.monitoring.closure import closure_check
from ipec.monitoring.models import (
    Approval,
    ApprovalStatus,
    Area,
    Case,
    CaseStatus,
    PlanAction,
    PlanActionStatus,
)
from ipec.web.pages.deps import Viewer

__all__ = ["supervision_context"]


def supervision_context(db: Session, viewer: Viewer, cases: list[Case]) -> dict[str, Any]:
    """The supervision part of a child page's context, for ``cases``."""
    ids = [case.id for case in cases]
    plan: dict[int, list[PlanAction]] = defaultdict(list)
    approvals: dict[int, list[Approval]] = defaultdict(list)
    if ids:
        for action in db.scalars(select(PlanAction).where(PlanAction.case_id.in_(ids))
                                 .order_by(PlanAction.due_on, PlanAction.id)):  # fmt: skip
            plan[action.case_id].append(action)
        for approval in db.scalars(select(Approval).where(Approval.case_id.in_(ids))
                                   .order_by(Approval.id.desc())):  # fmt: skip
            approvals[approval.case_id].append(approval)
    waiting = {case_id: {a.kind.value for a in found if a.status is ApprovalStatus.REQUESTED}
               for case_id, found in approvals.items()}  # fmt: skip
    closure = {case.id: closure_check(db, case) for case in cases
               if case.status is CaseStatus.UNDER_FOLLOW_UP}  # fmt: skip
    areas = list(db.scalars(select(Area).where(Area.id.in_({case.area_id for case in cases}))))
    members = team_for(db, viewer.principal, areas) if viewer.can_change and areas else {}
    team = {case.id: members.get(case.area_id, []) for case in cases}
    named = {case.assignee_id for case in cases if case.assignee_id is not None}
    named |= {a.responsible_user_id for found in plan.values() for a in found
              if a.responsible_user_id is not None}  # fmt: skip
    return {
        "plan": plan,
        "approvals": approvals,
        "waiting": waiting,
        "closure": closure,
        "team": team,
        "user_names": user_names(db, named),
        "plan_statuses": [status.value for status in PlanActionStatus],
        "can_decide": viewer.principal.role in DECIDE_ROLES,
    }

"""Who a case is assigned to, and what a transfer to another district does to it.

A case has an assigned case worker (``Case.assignee_id``); a supervisor reassigns it
(:func:`assign_case`), and the case's follow-ups still to do go to the same user (their own
``FollowUp.assignee_id``), so the case worker makes the visits the case asks for. Who may
assign whom is the access gate's (``ipec.auth.team.assignee_for``: supervisors and above, to
a member of their team who works in the case's area).

A transfer between districts is the household's recorded move
(``ipec.monitoring.service.move_household``), not a reassignment: a case's area is a copy
of its child's household's area and a user's scope is an area's subtree, so a case follows
the child where it lives, with its whole history. After the move, the case and follow-up
assignees who do not work in the new area are released (:func:`release_out_of_area`): the
new area's monitor does the follow-ups, and its supervisor sees the case and reassigns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.errors import Conflict
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area, Case, CaseEvent, CaseStatus, FollowUp

__all__ = ["assign_case", "release_out_of_area"]


def assign_case(
    session: Session,
    *,
    case: Case,
    expected_version: int,
    user: User | None,
    actor: str,
    origin: str | None = None,
) -> Case:
    """Assign an open case, and its follow-ups still to do, to ``user`` (None: nobody, the
    follow-ups go back to the area's monitor). Refused for a stale version and a closed case
    (``Conflict``). A step of the case's history (``assign``) and an audit row
    (``case.assign``, before and after, with the follow-ups moved)."""
    from ipec.monitoring.service import check_case_version

    check_case_version(case, expected_version)
    if case.status is CaseStatus.CLOSED:
        raise Conflict(f"case {case.id} is closed: it is not reassigned", hint="reload the case")
    before = case.assignee_id
    case.assignee_id = user.id if user is not None else None
    to_do = select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.visit_id.is_(None))
    moved = []
    for follow_up in session.scalars(to_do.order_by(FollowUp.id)):
        follow_up.assignee_id = case.assignee_id
        moved.append(follow_up.id)
    at = datetime.now(UTC)
    named = f"{user.display_name} ({user.username})" if user is not None else "nobody"
    session.add(CaseEvent(case=case, action="assign", from_status=case.status,
                          to_status=case.status, at=at, actor=actor,
                          reason=f"assigned to {named}"))  # fmt: skip
    session.flush()
    write_audit(session, actor=actor, action="case.assign", entity="case", entity_id=case.id,
                origin=origin, at=at,
                detail={"from": before, "to": case.assignee_id, "follow_ups": moved})  # fmt: skip
    return case


def _works_in(user_path: str | None, area_path: str) -> bool:
    """A user whose area is at ``user_path`` (None: an administrator of every area) works
    in the area at ``area_path``."""
    return user_path is None or area_path.startswith(user_path)


def release_out_of_area(
    session: Session, cases: Sequence[Case], *, area_id: int, actor: str, origin: str | None
) -> None:
    """After ``cases`` moved to area ``area_id`` (a household's move), take them and their
    follow-ups still to do from the assignees who do not work there (audited
    ``case.release``, with the users released)."""
    area = session.get(Area, area_id)
    assert area is not None  # the move checked it
    ids = [case.id for case in cases]
    follow_ups = list(session.scalars(select(FollowUp).where(
        FollowUp.case_id.in_(ids), FollowUp.visit_id.is_(None),
        FollowUp.assignee_id.is_not(None))))  # fmt: skip
    users = {case.assignee_id for case in cases} | {f.assignee_id for f in follow_ups}
    users.discard(None)
    wanted = sorted(u for u in users if u is not None)
    found = session.execute(select(User.id, Area.path).outerjoin(Area, Area.id == User.area_id)
                            .where(User.id.in_(wanted)))  # fmt: skip
    paths: dict[int, str | None] = {row.id: row.path for row in found}
    away = {user for user in paths if not _works_in(paths[user], area.path)}
    for case in cases:
        released = [f.id for f in follow_ups if f.case_id == case.id and f.assignee_id in away]
        if case.assignee_id not in away and not released:
            continue
        before = case.assignee_id
        if before in away:
            case.assignee_id = None
        for follow_up in follow_ups:
            if follow_up.id in released:
                follow_up.assignee_id = None
        session.flush()
        write_audit(session, actor=actor, action="case.release", entity="case", entity_id=case.id,
                    origin=origin, detail={"case_assignee": before if before in away else None,
                                           "follow_ups": released, "area": area_id})  # fmt: skip

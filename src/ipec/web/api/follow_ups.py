"""Follow-ups and who does them: a user's week, a follow-up's assignee and due date, the
areas' monitors, and the team a supervisor assigns to (``ipec.auth.team``,
``ipec.monitoring.assignment``, ``ipec.monitoring.week``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from ipec.auth import area_in_scope, read_list, require_role
from ipec.auth.models import User
from ipec.auth.team import ASSIGN_ROLES, assignee_for, team_of, users_by_id, whose_week
from ipec.monitoring.assignment import Responsible, assignee_of, responsible_for
from ipec.monitoring.followup import move_bounds
from ipec.monitoring.models import Area, AreaMonitor, Case, Child, FollowUp
from ipec.monitoring.service import assign_area_monitor, assign_follow_up, move_follow_up
from ipec.monitoring.week import PER_PAGE, CalendarList, WeekFilter, WeekList, month_span
from ipec.web.api.common import Page, RecordId, today
from ipec.web.api.schemas import (
    AreaMonitorIn,
    AreaMonitorOut,
    AssigneeOut,
    CalendarItem,
    CalendarOut,
    CaseOut,
    ChildOut,
    FollowUpChangesIn,
    FollowUpDetailOut,
    FollowUpOut,
    TeamMemberOut,
    WeekItem,
    WeekOut,
)
from ipec.web.deps import CurrentPrincipal, DbSession, FollowUpToChange, FollowUpToRead, origin

__all__ = ["router"]

router = APIRouter(tags=["follow-ups"])

#: A member of the caller's team, by id.
MonitorQuery = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
_ASSIGNING = "assign follow-ups"


def _assignee(responsible: Responsible, users: dict[int, User]) -> AssigneeOut:
    user = users.get(responsible.user_id) if responsible.user_id is not None else None
    return AssigneeOut(user_id=responsible.user_id, username=user.username if user else None,
                       display_name=user.display_name if user else None,
                       own=responsible.own, area_id=responsible.area_id)  # fmt: skip


@router.get("/follow-ups/week", response_model=WeekOut)
def read_week(
    *, request: Request, db: DbSession, who: CurrentPrincipal, monitor_id: MonitorQuery = None,
    page: Page = 1,
) -> WeekOut:  # fmt: skip
    """The caller's week: the follow-ups assigned to them due from today to 7 days ahead and
    those overdue, each child once (its most urgent follow-up, ``others`` counting the rest),
    overdue first (the latest first), then by due date; 100 children a page. A monitor reads
    their own; supervisors and above (and viewers) their team's, or one member's
    (``monitor_id``)."""
    now = today()
    monitor = whose_week(db, who, monitor_id)
    listing = WeekList(WeekFilter(monitor), now, page=page)
    found = read_list(db, who, listing, origin=origin(request))
    users = users_by_id(db, (r.user_id for r in found.responsible.values()))
    items = [
        WeekItem(
            follow_up=FollowUpOut.model_validate(row.FollowUp),
            case=CaseOut.model_validate(row.Case),
            child=ChildOut.model_validate(row.Child),
            area_name=row.area_name,
            overdue=row.FollowUp.due_on < now,
            days_late=max((now - row.FollowUp.due_on).days, 0),
            others=row.others,
            assignee=_assignee(found.responsible[row.FollowUp.id], users),
        )
        for row in found.rows
    ]
    return WeekOut(monitor_id=monitor, items=items, page=page, per_page=PER_PAGE,
                   has_next=found.has_next)  # fmt: skip


@router.get("/follow-ups/calendar", response_model=CalendarOut)
def read_calendar(
    *, request: Request, db: DbSession, who: CurrentPrincipal, monitor_id: MonitorQuery = None,
    month: Annotated[str | None, Query(max_length=7, description="YYYY-MM; this month "
                                       "by default.")] = None,
) -> CalendarOut:  # fmt: skip
    """The caller's calendar: every follow-up assigned to them due in ``month``, by due date
    (a child twice when two follow-ups fall in the month), up to 1000; overdue ones are in
    the week. A monitor reads their own; supervisors and above (and viewers) their team's,
    or one member's (``monitor_id``). A month not YYYY-MM is refused naming ``month``."""
    first, last = month_span(month, today())
    monitor = whose_week(db, who, monitor_id)
    found = read_list(db, who, CalendarList(WeekFilter(monitor), first, last),
                      origin=origin(request))  # fmt: skip
    users = users_by_id(db, (r.user_id for r in found.responsible.values()))
    items = [
        CalendarItem(
            follow_up=FollowUpOut.model_validate(row.FollowUp),
            child=ChildOut.model_validate(row.Child),
            area_name=row.area_name,
            assignee=_assignee(found.responsible[row.FollowUp.id], users),
        )
        for row in found.rows
    ]
    return CalendarOut(monitor_id=monitor, first=first, last=last, items=items,
                       has_more=found.has_next)  # fmt: skip


def _detail(db: DbSession, follow_up: FollowUp) -> FollowUpDetailOut:
    case, child, area_name = db.execute(
        select(Case, Child, Area.name)
        .join(Child, Child.id == Case.child_id)
        .join(Area, Area.id == follow_up.area_id)
        .where(Case.id == follow_up.case_id)
    ).one()
    responsible = assignee_of(db, follow_up)
    rule_date = follow_up.rule_due_on or follow_up.due_on
    earliest, latest = move_bounds(rule_date, today())
    return FollowUpDetailOut(
        follow_up=FollowUpOut.model_validate(follow_up),
        case=CaseOut.model_validate(case),
        child=ChildOut.model_validate(child),
        area_name=area_name,
        assignee=_assignee(responsible, users_by_id(db, [responsible.user_id])),
        rule_date=rule_date,
        earliest=earliest,
        latest=latest,
    )


@router.get("/follow-ups/{follow_up_id}", response_model=FollowUpDetailOut)
def read_follow_up(follow_up: FollowUpToRead, db: DbSession) -> FollowUpDetailOut:
    """A follow-up with its case, child and assignee, and the days it may be moved to (4
    weeks either side of the rule's date, not before today; ``earliest`` after ``latest``:
    no longer)."""
    return _detail(db, follow_up)


@router.patch("/follow-ups/{follow_up_id}", response_model=FollowUpDetailOut)
def change_follow_up(
    follow_up: FollowUpToChange, body: FollowUpChangesIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> FollowUpDetailOut:  # fmt: skip
    """Move a follow-up not yet done (``due_on``: within 4 weeks of the rule's date, not
    before today; refused outside with the bounds named), and/or assign it
    (``assignee_id``: a member of the caller's team who works in its area; null gives it
    back to the area's monitor; supervisors and above only)."""
    changes = body.model_dump(exclude_unset=True)
    where = origin(request)
    if "assignee_id" in changes:
        area = db.get(Area, follow_up.area_id)
        assert area is not None
        assignee_for(db, who, user_id=body.assignee_id, area=area, doing=_ASSIGNING)
        assign_follow_up(db, follow_up_id=follow_up.id, user_id=body.assignee_id,
                         actor=who.username, origin=where)  # fmt: skip
    if body.due_on is not None:
        move_follow_up(db, follow_up_id=follow_up.id, due_on=body.due_on, actor=who.username,
                       origin=where, today=today())  # fmt: skip
    return _detail(db, follow_up)


def _area_monitor(db: DbSession, area: Area) -> AreaMonitorOut:
    own = db.get(AreaMonitor, area.id)
    responsible = responsible_for(db, [area.path])[area.path]
    users = users_by_id(db, [responsible.user_id])
    return AreaMonitorOut(area_id=area.id, user_id=own.user_id if own else None,
                          responsible=_assignee(responsible, users))  # fmt: skip


@router.get("/areas/{area_id}/monitor", response_model=AreaMonitorOut)
def read_area_monitor(area_id: RecordId, db: DbSession, who: CurrentPrincipal) -> AreaMonitorOut:
    """An area's own monitor, and who its follow-ups go to (its own monitor, or the nearest
    area above's)."""
    return _area_monitor(db, area_in_scope(db, who, area_id))


@router.put("/areas/{area_id}/monitor", response_model=AreaMonitorOut)
def set_area_monitor(
    area_id: RecordId, body: AreaMonitorIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> AreaMonitorOut:  # fmt: skip
    """Make a member of the caller's team who works in the area its monitor (``user_id``;
    null: none of its own, the area above's applies); supervisors and above only."""
    area = area_in_scope(db, who, area_id)
    assignee_for(db, who, user_id=body.user_id, area=area, doing=_ASSIGNING)
    assign_area_monitor(db, area_id=area.id, user_id=body.user_id, actor=who.username,
                        origin=origin(request))  # fmt: skip
    return _area_monitor(db, area)


@router.get("/team", response_model=list[TeamMemberOut])
def read_team(db: DbSession, who: CurrentPrincipal) -> list[TeamMemberOut]:
    """The users a supervisor (or above) assigns follow-ups to and reads the week of: active,
    not viewers, of the caller's areas; by name."""
    require_role(who, ASSIGN_ROLES, "list the team")
    return [TeamMemberOut.model_validate(user) for user in team_of(db, who)]

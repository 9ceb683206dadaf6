"""Households: the register's list and search, register one with its children, read it,
change it, add a child, move it to another area."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from ipec.auth import CHANGE_ROLES, area_in_scope, read_list, require_role
from ipec.auth.team import member_of_team
from ipec.monitoring.models import HouseholdMove
from ipec.monitoring.registry import HouseholdFilter, HouseholdList
from ipec.monitoring.service import (
    ChildInput,
    add_child,
    move_household,
    register_household,
    update_household,
)
from ipec.web.api.common import Page, PerPage, today
from ipec.web.api.filters import AreaQuery, MonitorQuery, NotVisitedMonths, SearchQuery
from ipec.web.api.schemas import (
    ChildIn,
    ChildOut,
    HouseholdChangesIn,
    HouseholdIn,
    HouseholdListItem,
    HouseholdMoveIn,
    HouseholdMoveOut,
    HouseholdOut,
    HouseholdPageOut,
    HouseholdSummaryOut,
)
from ipec.web.deps import CurrentPrincipal, DbSession, HouseholdToChange, HouseholdToRead, origin

__all__ = ["router"]

router = APIRouter(tags=["households"])


@router.get("/households", response_model=HouseholdPageOut)
def list_households(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    q: SearchQuery = None,
    area_id: AreaQuery = None,
    open_case: bool | None = None,
    not_visited_months: NotVisitedMonths = None,
    monitor_id: MonitorQuery = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> HouseholdPageOut:
    """The caller's households, newest first. ``q`` finds a household by its head's name, its
    supply unit or a child's name (accents and case ignored; a word finds the words it starts
    and, from three letters, those that sound like it: "kwame" finds Kouamé) or a child's
    pseudonym; ``open_case``: a child with a case not closed; ``not_visited_months``: no
    child visited in that many months; ``monitor_id``: in the areas whose monitor is this
    member of the caller's team (another user is not found)."""
    path = area_in_scope(db, who, area_id).path if area_id is not None else None
    if monitor_id is not None:
        member_of_team(db, who, user_id=monitor_id)
    filters = HouseholdFilter(search=q, area_path=path, open_case=open_case,
                              not_visited_months=not_visited_months,
                              monitor_id=monitor_id)  # fmt: skip
    listing = HouseholdList(filters, today(), page=page, per_page=per_page)
    found = read_list(db, who, listing, origin=origin(request))
    items = [
        HouseholdListItem(household=HouseholdSummaryOut.model_validate(row.Household),
                          area_name=row.area_name, children=row.children,
                          active_children=row.active_children, open_cases=row.open_cases)
        for row in found.rows
    ]  # fmt: skip
    return HouseholdPageOut(items=items, page=page, per_page=per_page, has_next=found.has_next)


@router.post("/households", response_model=HouseholdOut, status_code=201)
def create_household(
    body: HouseholdIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> HouseholdOut:
    """Register a household with its children in one of the caller's areas (with its supply
    unit and GPS point, both coordinates or neither, if known)."""
    require_role(who, CHANGE_ROLES, "register households")
    area_in_scope(db, who, body.area_id)
    children = [ChildInput(c.name, c.sex, c.birth_date, c.school_status) for c in body.children]
    household = register_household(db, area_id=body.area_id, head_name=body.head_name,
                                   children=children, actor=who.username,
                                   origin=origin(request), supply_unit=body.supply_unit,
                                   latitude=body.latitude, longitude=body.longitude)  # fmt: skip
    return HouseholdOut.model_validate(household)


@router.get("/households/{household_id}", response_model=HouseholdOut)
def read_household(household: HouseholdToRead) -> HouseholdOut:
    """A household and its children (within the caller's areas; those who left included,
    with ``active`` false)."""
    return HouseholdOut.model_validate(household)


@router.patch("/households/{household_id}", response_model=HouseholdOut)
def change_household(
    household: HouseholdToChange,
    body: HouseholdChangesIn,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
) -> HouseholdOut:
    """Change a household; refused when it changed since ``version`` was read."""
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    household = update_household(db, household_id=household.id, expected_version=body.version,
                                 changes=changes, actor=who.username,
                                 origin=origin(request))  # fmt: skip
    return HouseholdOut.model_validate(household)


@router.post("/households/{household_id}/children", response_model=ChildOut, status_code=201)
def create_child(
    household: HouseholdToChange,
    body: ChildIn,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
) -> ChildOut:
    """Add a child to a household (refused for a copy of one of its children)."""
    child = add_child(db, household_id=household.id,
                      child=ChildInput(body.name, body.sex, body.birth_date, body.school_status),
                      actor=who.username, origin=origin(request))  # fmt: skip
    return ChildOut.model_validate(child)


@router.get("/households/{household_id}/moves", response_model=list[HouseholdMoveOut])
def list_moves(household: HouseholdToRead, db: DbSession) -> list[HouseholdMoveOut]:
    """A household's moves, oldest first."""
    moves = db.scalars(select(HouseholdMove).where(HouseholdMove.household_id == household.id)
                       .order_by(HouseholdMove.id))  # fmt: skip
    return [HouseholdMoveOut.model_validate(move) for move in moves]


@router.post("/households/{household_id}/moves", response_model=HouseholdMoveOut,
             status_code=201)  # fmt: skip
def create_move(
    household: HouseholdToChange,
    body: HouseholdMoveIn,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
) -> HouseholdMoveOut:
    """Move a household to another of the caller's areas (an area outside them is not
    found); refused when it changed since ``version`` was read. Its cases and their
    follow-ups move with it; its visits keep the area where they were made."""
    area_in_scope(db, who, body.area_id)
    move = move_household(db, household_id=household.id, expected_version=body.version,
                          to_area_id=body.area_id, moved_on=body.moved_on, reason=body.reason,
                          actor=who.username, origin=origin(request), today=today())  # fmt: skip
    return HouseholdMoveOut.model_validate(move)

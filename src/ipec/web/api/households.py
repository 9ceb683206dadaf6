"""Households: register one with its children, read it, change it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ipec.auth import CHANGE_ROLES, area_in_scope, require_role
from ipec.monitoring.service import ChildInput, register_household, update_household
from ipec.web.api.schemas import HouseholdChangesIn, HouseholdIn, HouseholdOut
from ipec.web.deps import CurrentPrincipal, DbSession, HouseholdToChange, HouseholdToRead, origin

__all__ = ["router"]

router = APIRouter(tags=["households"])


@router.post("/households", response_model=HouseholdOut, status_code=201)
def create_household(
    body: HouseholdIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> HouseholdOut:
    """Register a household with its children in one of the caller's areas."""
    require_role(who, CHANGE_ROLES, "register households")
    area_in_scope(db, who, body.area_id)
    children = [ChildInput(c.name, c.sex, c.birth_date, c.school_status) for c in body.children]
    household = register_household(db, area_id=body.area_id, head_name=body.head_name,
                                   children=children, actor=who.username,
                                   origin=origin(request))  # fmt: skip
    return HouseholdOut.model_validate(household)


@router.get("/households/{household_id}", response_model=HouseholdOut)
def read_household(household: HouseholdToRead) -> HouseholdOut:
    """A household and its children (within the caller's areas)."""
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

"""A small world for the supervision tests: a country with districts A and B, a child in A
whose case is under follow-up, and users (a supervisor and a monitor of A, a monitor of B, a
manager of the country), written straight through the ORM (no password hashing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ipec.auth.models import Role, User
from ipec.monitoring.models import Case, CaseKind, CaseStatus, Child, FollowUp, Sex, Visit
from ipec.monitoring.service import (
    ChildInput,
    create_area,
    record_visit_and_follow_up,
    register_household,
)
from ipec.standards import load_profile

SDG = load_profile("sdg-8.7.1")
TODAY = date(2027, 1, 1)
CLEAN = {"econ_any": False, "econ_hours": None}
#: Work reported without its hours: the visit is left undetermined.
UNSURE = {"econ_any": True, "econ_hours": None}


@dataclass
class World:
    ids: dict[str, int]
    case: Case
    child: Child
    users: dict[str, User]


def build(session: Session) -> World:
    """The world, its case under follow-up with no follow-up done."""
    country = create_area(session, name="Country", level="country")
    ids = {"country": country.id}
    for key in ("a", "b"):
        area = create_area(session, name=key.upper(), level="district", parent_id=country.id)
        ids[f"area_{key}"] = area.id
    household = register_household(
        session, area_id=ids["area_a"], head_name="Head", actor="admin", today=TODAY,
        children=[ChildInput("Ama", Sex.FEMALE, date(2013, 1, 1))],
    )  # fmt: skip
    ids["household"] = household.id
    child = household.children[0]
    case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=CaseStatus.UNDER_FOLLOW_UP,
                opened_on=date(2025, 1, 10))  # fmt: skip
    session.add(case)
    session.flush()
    users = {}
    for name, role, place in (("sup", Role.SUPERVISOR, "area_a"), ("mon", Role.MONITOR, "area_a"),
                             ("mon_b", Role.MONITOR, "area_b"),
                             ("manager", Role.PROGRAMME_MANAGER, "country")):  # fmt: skip
        user = User(username=name, display_name=name.title(), role=role, area_id=ids[place],
                    password_hash="-")  # fmt: skip
        session.add(user)
        users[name] = user
    session.flush()
    return World(ids, case, child, users)


def follow_up_done(session: Session, world: World, day: date, record: Mapping[str, Any]) -> Visit:
    """A follow-up of the world's case due ``day``, done by a visit that day."""
    follow_up = FollowUp(case_id=world.case.id, due_on=day)
    session.add(follow_up)
    session.flush()
    return record_visit_and_follow_up(
        session, child_id=world.child.id, follow_up_id=follow_up.id, visit_date=day,
        monitor="mon", consent=True, record=record, profile=SDG, actor="mon", today=TODAY,
    )  # fmt: skip

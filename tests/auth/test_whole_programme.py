"""An administrator without an area: the whole programme, areas added later included, through
every gate and list; every other role still needs an area."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipec.auth import (
    Principal,
    Role,
    User,
    access_child,
    access_household,
    area_in_scope,
    children_in_scope,
    create_user,
    may_read_audit_log,
    principal_of,
    read_audit_log,
    read_metrics,
)
from ipec.auth.service import UserRuleBroken, add_user, list_users, update_user, user_in_scope
from ipec.errors import DataError, NotFound
from ipec.monitoring import Child, Household, Sex
from ipec.monitoring.metrics import Period, coverage
from ipec.monitoring.scope import PROGRAMME_AREA_ID, WHOLE_PROGRAMME
from ipec.monitoring.service import ChildInput, create_area, register_household

PASSWORD = "a long enough password"
PERIOD = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    """Two top areas (two countries of one programme), a household with a child in each, a
    programme administrator and an administrator of the first country."""
    ids: dict[str, int] = {}
    for name in ("Xland", "Yland"):
        country = create_area(session, name=name, level="country")
        district = create_area(session, name=f"{name} D", level="district", parent_id=country.id)
        household = register_household(
            session, area_id=district.id, head_name="Head", actor="setup",
            children=[ChildInput(f"Child of {name}", Sex.FEMALE, date(2014, 1, 1))],
        )  # fmt: skip
        ids[name] = country.id
        ids[f"{name} D"] = district.id
        ids[f"household {name}"] = household.id
        ids[f"child {name}"] = session.scalars(
            select(Child.id).where(Child.household_id == household.id)
        ).one()
    ids["root"] = _user(session, "root", Role.ADMIN, None).id
    ids["x_admin"] = _user(session, "x-admin", Role.ADMIN, ids["Xland"]).id
    return ids


def _user(session: Session, name: str, role: Role, area_id: int | None) -> User:
    return create_user(session, username=name, display_name=name, password=PASSWORD, role=role,
                       area_id=area_id)  # fmt: skip


def _principal(session: Session, user_id: int) -> Principal:
    user = session.get(User, user_id)
    assert user is not None
    return principal_of(session, user)


def test_the_programme_administrator_sees_every_area(
    session: Session, world: dict[str, int]
) -> None:
    root = _principal(session, world["root"])
    assert (root.role, root.scope_path) == (Role.ADMIN, WHOLE_PROGRAMME)
    children = {child.id for child in session.scalars(children_in_scope(root))}
    assert children == {world["child Xland"], world["child Yland"]}
    for name in ("Xland", "Yland"):
        assert access_child(session, root, world[f"child {name}"]).id == world[f"child {name}"]
        assert (
            access_household(session, root, world[f"household {name}"]).id
            == (world[f"household {name}"])
        )
        assert area_in_scope(session, root, world[f"{name} D"]).id == world[f"{name} D"]
    # An area added later, at the top, is in the programme too.
    later = create_area(session, name="Zland", level="country")
    assert area_in_scope(session, root, later.id).id == later.id
    household = register_household(
        session, area_id=later.id, head_name="Head", actor="root",
        children=[ChildInput("Child of Zland", Sex.MALE, date(2013, 5, 1))],
    )  # fmt: skip
    assert access_household(session, root, household.id).id == household.id


def test_an_administrator_of_one_country_sees_that_country_only(
    session: Session, world: dict[str, int]
) -> None:
    x_admin = _principal(session, world["x_admin"])
    children = {child.id for child in session.scalars(children_in_scope(x_admin))}
    assert children == {world["child Xland"]}
    with pytest.raises(NotFound):
        access_child(session, x_admin, world["child Yland"])
    with pytest.raises(NotFound):
        area_in_scope(session, x_admin, world["Yland"])


def test_the_programme_metrics_and_audit_log(session: Session, world: dict[str, int]) -> None:
    root = _principal(session, world["root"])
    area = read_metrics(session, root, None, start=PERIOD.start, end=PERIOD.end, view="test")
    assert (area.id, area.path, area.parent_id) == (PROGRAMME_AREA_ID, "/", None)
    assert session.get(Household, world["household Xland"]) is not None
    # Per top area: each holds one household, none visited.
    rates = coverage(session, area_path=area.path, period=PERIOD)
    assert [(rate.group, rate.numerator, rate.denominator) for rate in rates] == [
        ("total", 0, 2), ("area:Xland", 0, 1), ("area:Yland", 0, 1)
    ]  # fmt: skip
    inside = read_metrics(session, root, world["Yland D"], start=PERIOD.start, end=PERIOD.end,
                          view="test")  # fmt: skip
    assert inside.id == world["Yland D"]
    assert may_read_audit_log(root)
    assert read_audit_log(session, root, actor="root", per_page=5)


def test_only_an_administrator_may_have_no_area(session: Session, world: dict[str, int]) -> None:
    for role in (Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.MONITOR, Role.VIEWER):
        with pytest.raises(DataError, match=f"a {role.value} needs an area"):
            _user(session, f"no-area-{role.value}", role, None)
    supervisor = _user(session, "sup", Role.SUPERVISOR, world["Xland D"])
    assert _principal(session, supervisor.id).scope_path.endswith(f"/{world['Xland D']}/")
    # The database refuses it too.
    nested = session.begin_nested()
    session.add(User(username="sneaky", display_name="x", role=Role.MONITOR, area_id=None,
                     password_hash="x", active=True, failed_logins=0))  # fmt: skip
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()


def test_who_may_grant_the_whole_programme(session: Session, world: dict[str, int]) -> None:
    root = _principal(session, world["root"])
    x_admin = _principal(session, world["x_admin"])
    fields = {"display_name": "New", "password": PASSWORD, "role": Role.ADMIN, "area_id": None}
    with pytest.raises(UserRuleBroken, match="only an administrator of the whole programme"):
        add_user(session, x_admin, username="new-root", **fields)  # type: ignore[arg-type]
    made = add_user(session, root, username="new-root", **fields)  # type: ignore[arg-type]
    assert made.area_id is None
    with pytest.raises(DataError, match="a monitor needs an area"):
        add_user(session, root, username="m", **{**fields, "role": Role.MONITOR})  # type: ignore[arg-type]
    # Turning the programme administrator into a monitor needs an area for them.
    with pytest.raises(DataError, match="a monitor needs an area"):
        update_user(session, root, made.id, role=Role.MONITOR)
    moved = update_user(session, root, made.id, role=Role.MONITOR, area_id=world["Yland D"])
    assert (moved.role, moved.area_id) == (Role.MONITOR, world["Yland D"])


def test_users_lists_and_lookups(session: Session, world: dict[str, int]) -> None:
    root = _principal(session, world["root"])
    x_admin = _principal(session, world["x_admin"])
    listed = {user.username: area for user, area in list_users(session, root)}
    assert listed["root"] is None
    assert getattr(listed["x-admin"], "name", None) == "Xland"
    assert "root" not in {user.username for user, _ in list_users(session, x_admin)}
    assert user_in_scope(session, root, world["root"]).id == world["root"]
    with pytest.raises(NotFound):
        user_in_scope(session, x_admin, world["root"])

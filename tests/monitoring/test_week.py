"""A monitor's week and who does a follow-up (SQLite and PostgreSQL): an area's monitor covers
the areas below it without their own, a follow-up's own assignee overrides it, only a
supervisor or above assigns and only within their scope to someone who works there; the week
is today to seven days ahead plus what is overdue, each child once at its most urgent
follow-up, overdue first (the latest first), then by date; a follow-up moves within the
rule's bounds only. Every expectation below is worked by hand from the dates in the test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Principal, Role, create_user, principal_of, read_list
from ipec.auth.team import assignee_for, team_for, team_of, visit_monitor, whose_week
from ipec.errors import Conflict, DataError, NotFound, PermissionDenied
from ipec.monitoring import Area, AuditEntry, Case, CaseKind, CaseStatus, Child, Sex
from ipec.monitoring.assignment import areas_of, assignee_of, responsible_for
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule, move_bounds
from ipec.monitoring.models import FollowUp
from ipec.monitoring.service import (
    ChildInput,
    assign_area_monitor,
    assign_follow_up,
    create_area,
    move_follow_up,
    record_leaving,
    register_household,
    schedule_follow_ups,
)
from ipec.monitoring.week import WeekFilter, WeekList, week_query
from tests.monitoring.metrics.world import CLEAN, visit

TODAY = date(2026, 6, 10)
PASSWORD = "a long enough password"


@dataclass
class World:
    """Country > district D (communities C1, C2) and district E; users by name."""

    areas: dict[str, Area]
    users: dict[str, int]

    def principal(self, session: Session, name: str) -> Principal:
        from ipec.auth.models import User

        user = session.get(User, self.users[name])
        assert user is not None
        return principal_of(session, user)


@pytest.fixture
def world(session: Session) -> World:
    country = create_area(session, name="Country", level="country")
    d = create_area(session, name="D", level="district", parent_id=country.id)
    e = create_area(session, name="E", level="district", parent_id=country.id)
    c1 = create_area(session, name="C1", level="community", parent_id=d.id)
    c2 = create_area(session, name="C2", level="community", parent_id=d.id)
    areas = {"country": country, "D": d, "E": e, "C1": c1, "C2": c2}
    people = [("m1", Role.MONITOR, c1), ("m2", Role.MONITOR, d), ("sup", Role.SUPERVISOR, d),
              ("me", Role.MONITOR, e), ("view", Role.VIEWER, d),
              ("admin", Role.ADMIN, None)]  # fmt: skip
    users = {}
    for name, role, where in people:
        made = create_user(session, username=name, display_name=f"{name} name", password=PASSWORD,
                           role=role, area_id=where.id if where else None)  # fmt: skip
        users[name] = made.id
    return World(areas, users)


def _case(
    session: Session, where: Area, name: str, *due_days: int,
    status: CaseStatus = CaseStatus.IN_REMEDIATION,
) -> tuple[Child, list[FollowUp]]:  # fmt: skip
    """A child of ``where`` with a case and a follow-up due each of ``due_days`` from today."""
    household = register_household(
        session, area_id=where.id, head_name=f"head of {name}", actor="t", today=TODAY,
        children=[ChildInput(name, Sex.FEMALE, date(2014, 3, 1))],
    )  # fmt: skip
    child = session.scalars(select(Child).where(Child.household_id == household.id)).one()
    case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=status,
                opened_on=date(2025, 1, 5))  # fmt: skip
    session.add(case)
    session.flush()
    follow_ups = [FollowUp(case_id=case.id, due_on=TODAY + timedelta(days=d)) for d in due_days]
    session.add_all(follow_ups)
    session.flush()
    return child, follow_ups


def _week(session: Session, world: World, who: str, user: str | None = None,
          **kwargs: int) -> list[tuple[str, date, int]]:  # fmt: skip
    """The week ``who`` reads (``user``: one member's, for a supervisor): (child, due, others)."""
    principal = world.principal(session, who)
    monitor = whose_week(session, principal, world.users[user] if user else None)
    found = read_list(session, principal, WeekList(WeekFilter(monitor), TODAY, **kwargs))
    return [(row.Child.name, row.FollowUp.due_on, row.others) for row in found.rows]


def test_an_areas_monitor_covers_the_areas_below_without_their_own(
    session: Session, world: World
) -> None:
    a, u = world.areas, world.users
    _case(session, a["C1"], "in C1", 1)
    _case(session, a["C2"], "in C2", 2)
    _case(session, a["D"], "in D", 3)
    assert _week(session, world, "m2") == []  # nobody is assigned anything yet
    assign_area_monitor(session, area_id=a["D"].id, user_id=u["m2"], actor="sup")
    assign_area_monitor(session, area_id=a["C1"].id, user_id=u["m1"], actor="sup")
    # C1 has its own monitor; C2 and D itself take D's
    assert areas_of(session, u["m2"], "/") == sorted([a["D"].id, a["C2"].id])
    assert areas_of(session, u["m1"], "/") == [a["C1"].id]
    paths = responsible_for(session, [a["C1"].path, a["C2"].path, a["E"].path])
    assert (paths[a["C1"].path].user_id, paths[a["C1"].path].area_id) == (u["m1"], a["C1"].id)
    assert (paths[a["C2"].path].user_id, paths[a["C2"].path].area_id) == (u["m2"], a["D"].id)
    assert paths[a["E"].path].user_id is None
    assert [name for name, *_ in _week(session, world, "m2")] == ["in C2", "in D"]
    assert [name for name, *_ in _week(session, world, "m1")] == ["in C1"]
    # taken away from C1: C1 falls back to D's monitor
    assert assign_area_monitor(session, area_id=a["C1"].id, user_id=None, actor="sup") is None
    assert [name for name, *_ in _week(session, world, "m2")] == ["in C1", "in C2", "in D"]
    assert _week(session, world, "m1") == []
    audit = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "area.monitor")
                            .order_by(AuditEntry.id)).all()  # fmt: skip
    assert audit == [{"from": None, "to": u["m2"]}, {"from": None, "to": u["m1"]},
                     {"from": u["m1"], "to": None}]  # fmt: skip


def test_a_follow_ups_own_assignee_overrides_its_area(session: Session, world: World) -> None:
    a, u = world.areas, world.users
    assign_area_monitor(session, area_id=a["D"].id, user_id=u["m2"], actor="sup")
    _child, (first, second) = _case(session, a["C1"], "Ama", -2, 4)
    assign_follow_up(session, follow_up_id=second.id, user_id=u["m1"], actor="sup")
    own = assignee_of(session, second)
    assert (own.user_id, own.own) == (u["m1"], True)
    assert assignee_of(session, first).user_id == u["m2"]
    assert _week(session, world, "m1") == [("Ama", TODAY + timedelta(days=4), 0)]
    assert _week(session, world, "m2") == [("Ama", TODAY - timedelta(days=2), 0)]
    assign_follow_up(session, follow_up_id=second.id, user_id=None, actor="sup")
    assert _week(session, world, "m1") == []
    assert _week(session, world, "m2") == [("Ama", TODAY - timedelta(days=2), 1)]
    details = session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "follow_up.assign").order_by(AuditEntry.id)).all()  # fmt: skip
    assert [(d["from"], d["to"]) for d in details] == [(None, u["m1"]), (u["m1"], None)]


def test_only_supervisors_and_above_assign_within_their_scope(
    session: Session, world: World
) -> None:
    a, u = world.areas, world.users
    sup, monitor = world.principal(session, "sup"), world.principal(session, "m2")
    with pytest.raises(PermissionDenied, match="a monitor may not assign"):
        assignee_for(session, monitor, user_id=u["m1"], area=a["C1"], doing="assign")
    with pytest.raises(PermissionDenied):  # taking away too
        assignee_for(session, monitor, user_id=None, area=a["C1"], doing="assign")
    with pytest.raises(NotFound, match=r"user \d+ not found"):  # a monitor of another district
        assignee_for(session, sup, user_id=u["me"], area=a["C1"], doing="assign")
    with pytest.raises(NotFound):  # a viewer is not of the team
        assignee_for(session, sup, user_id=u["view"], area=a["C1"], doing="assign")
    with pytest.raises(DataError, match="m1 does not work in D"):  # m1 sees C1 only
        assignee_for(session, sup, user_id=u["m1"], area=a["D"], doing="assign")
    assert assignee_for(session, sup, user_id=u["m1"], area=a["C1"], doing="assign").id == u["m1"]
    assert assignee_for(session, sup, user_id=u["sup"], area=a["C2"], doing="assign").id == u["sup"]
    admin = world.principal(session, "admin")
    assert assignee_for(session, admin, user_id=u["me"], area=a["E"], doing="assign").id == u["me"]
    assert [user.username for user in team_of(session, sup)] == ["m1", "m2", "sup"]
    assert {user.username for user in team_of(session, admin)} == {"admin", "m1", "m2", "me",
                                                                   "sup"}  # fmt: skip
    by_area = team_for(session, sup, [a["D"], a["C1"]])
    assert [user.username for user in by_area[a["D"].id]] == ["m2", "sup"]
    assert [user.username for user in by_area[a["C1"].id]] == ["m1", "m2", "sup"]


def test_the_week_stays_in_the_readers_scope(session: Session, world: World) -> None:
    """A follow-up assigned to m1 whose household moved out of m1's areas is not m1's to
    read: the list is bounded by the scope, like every list."""
    a, u = world.areas, world.users
    _child, (inside,) = _case(session, a["C1"], "inside", 1)
    _child, (outside,) = _case(session, a["E"], "outside", 1)
    for follow_up in (inside, outside):
        assign_follow_up(session, follow_up_id=follow_up.id, user_id=u["m1"], actor="admin")
    assert [name for name, *_ in _week(session, world, "m1")] == ["inside"]
    assert [name for name, *_ in _week(session, world, "admin", "m1")] == ["inside", "outside"]
    with pytest.raises(PermissionDenied, match="a monitor reads their own week"):
        whose_week(session, world.principal(session, "m1"), u["m2"])
    with pytest.raises(NotFound):  # not of the supervisor's team
        whose_week(session, world.principal(session, "sup"), u["me"])


def test_each_child_once_at_its_most_urgent_follow_up(session: Session, world: World) -> None:
    a, u = world.areas, world.users
    assign_area_monitor(session, area_id=a["D"].id, user_id=u["m2"], actor="sup")
    # three follow-ups in the week's list (overdue 30 and 5 days, due in 3), one beyond it
    _case(session, a["C1"], "Ama", 3, -5, 20, -30)
    _case(session, a["C2"], "Kofi", 6)
    assert _week(session, world, "m2") == [
        ("Ama", TODAY - timedelta(days=30), 2),
        ("Kofi", TODAY + timedelta(days=6), 0),
    ]
    # a team's week (everyone's): the same rows, once each
    assert _week(session, world, "sup") == _week(session, world, "m2")
    assert _week(session, world, "sup", "m2") == _week(session, world, "m2")


def test_the_week_is_today_to_seven_days_ahead_not_done_of_open_cases(
    session: Session, world: World
) -> None:
    a, u = world.areas, world.users
    assign_area_monitor(session, area_id=a["D"].id, user_id=u["m2"], actor="sup")
    _case(session, a["D"], "today", 0)
    _case(session, a["D"], "in seven days", 7)
    _case(session, a["D"], "in eight days", 8)
    _case(session, a["D"], "closed", -1, status=CaseStatus.CLOSED)
    visited, (done,) = _case(session, a["D"], "done", -1)
    done.visit_id = visit(session, visited, TODAY - timedelta(days=1), CLEAN).id
    left, _ = _case(session, a["D"], "left", -3)
    record_leaving(session, child_id=left.id, expected_version=left.version, left_on=TODAY,
                   reason="moved", actor="m2", today=TODAY)  # fmt: skip
    session.flush()
    week_end = TODAY + timedelta(days=7)
    assert _week(session, world, "m2") == [("today", TODAY, 0), ("in seven days", week_end, 0)]


def test_overdue_first_the_latest_first_then_by_date_and_pages(
    session: Session, world: World
) -> None:
    a, u = world.areas, world.users
    assign_area_monitor(session, area_id=a["C1"].id, user_id=u["m1"], actor="sup")
    for name, day in (("b", 2), ("a", -1), ("d", 0), ("c", -40), ("e", 2), ("f", -1)):
        _case(session, a["C1"], name, day)
    expected = ["c", "a", "f", "d", "b", "e"]  # -40, -1 (a, f by id), 0, 2 (b, e by id)
    assert [name for name, *_ in _week(session, world, "m1")] == expected
    first = _week(session, world, "m1", per_page=4)
    second = _week(session, world, "m1", per_page=4, page=2)
    assert [name for name, *_ in first + second] == expected
    principal = world.principal(session, "m1")
    found = WeekList(WeekFilter(u["m1"]), TODAY, per_page=4).page_in(session, principal.scope_path)
    assert found.has_next
    assert all(r.user_id == u["m1"] and not r.own for r in found.responsible.values())
    listed = session.scalars(select(AuditEntry).where(AuditEntry.action == "follow_up.week")
                             .order_by(AuditEntry.id.desc())).first()  # fmt: skip
    assert listed is not None
    assert (listed.actor, len(listed.detail["children"])) == ("m1", 2)


def test_a_follow_up_moves_within_the_rules_bounds(session: Session, world: World) -> None:
    a = world.areas
    _child, (follow_up,) = _case(session, a["C1"], "Ama", 20)  # the rule's date: 30 June
    rule_date = TODAY + timedelta(days=20)
    assert move_bounds(rule_date, TODAY) == (TODAY, rule_date + timedelta(weeks=4))
    last = rule_date + timedelta(days=28)
    moved = move_follow_up(session, follow_up_id=follow_up.id, due_on=last, actor="m1",
                           today=TODAY)  # fmt: skip
    assert (moved.due_on, moved.rule_due_on) == (date(2026, 7, 28), rule_date)
    # bounded by the rule's date, not by the last move
    with pytest.raises(DataError, match=r"from 2026-06-10 to 2026-07-28 .*not before today.*not "
                                        r"to 2026-07-29") as refused:  # fmt: skip
        move_follow_up(session, follow_up_id=follow_up.id, due_on=date(2026, 7, 29), actor="m1",
                       today=TODAY)  # fmt: skip
    assert refused.value.column == "due_on"
    with pytest.raises(DataError, match="not to 2026-06-09"):  # yesterday
        move_follow_up(session, follow_up_id=follow_up.id, due_on=date(2026, 6, 9), actor="m1",
                       today=TODAY)  # fmt: skip
    back = move_follow_up(session, follow_up_id=follow_up.id, due_on=rule_date, actor="m1",
                          today=TODAY)  # fmt: skip
    assert (back.due_on, back.rule_due_on) == (rule_date, None)
    # four weeks before, when today allows it
    early = TODAY + timedelta(days=90)
    assert move_bounds(early, TODAY) == (early - timedelta(weeks=4), early + timedelta(weeks=4))
    wide = FollowUpRule(move_weeks=6)
    assert move_bounds(early, TODAY, wide)[1] == early + timedelta(weeks=6)
    assert DEFAULT_RULE.move_weeks == 4
    moves = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "follow_up.move")
                            .order_by(AuditEntry.id)).all()  # fmt: skip
    assert [(m["from"], m["to"], m["rule"]) for m in moves] == [
        ("2026-06-30", "2026-07-28", "2026-06-30"),
        ("2026-07-28", "2026-06-30", "2026-06-30"),
    ]


def test_a_follow_up_whose_window_passed_or_done_does_not_move(
    session: Session, world: World
) -> None:
    a = world.areas
    _child, (late, closed_one) = _case(session, a["C1"], "Ama", -40, 5)
    with pytest.raises(DataError, match="can no longer be moved: it could be moved up to "
                                        "2026-05-29"):  # fmt: skip
        move_follow_up(session, follow_up_id=late.id, due_on=TODAY, actor="m1", today=TODAY)
    case = session.get(Case, late.case_id)
    assert case is not None
    case.status = CaseStatus.CLOSED
    session.flush()
    with pytest.raises(Conflict, match="is closed"):
        move_follow_up(session, follow_up_id=closed_one.id, due_on=TODAY, actor="m1", today=TODAY)
    with pytest.raises(Conflict, match="is closed"):
        assign_follow_up(session, follow_up_id=closed_one.id, user_id=None, actor="sup")


def test_scheduling_again_keeps_a_moved_follow_up(session: Session, world: World) -> None:
    _child, _none = _case(session, world.areas["C1"], "Ama")
    case_id = session.scalars(select(Case.id).order_by(Case.id.desc())).first()
    assert case_id is not None
    start = TODAY - timedelta(days=80)  # 22 March: follow-ups due 22 June and 22 September
    made = schedule_follow_ups(session, case_id=case_id, remediation_start=start,
                               until=date(2026, 12, 1))  # fmt: skip
    assert [f.due_on for f in made] == [date(2026, 6, 22), date(2026, 9, 22)]
    move_follow_up(session, follow_up_id=made[0].id, due_on=date(2026, 7, 1), actor="m1",
                   today=TODAY)  # fmt: skip
    again = schedule_follow_ups(session, case_id=case_id, remediation_start=start,
                                until=date(2026, 12, 1))  # fmt: skip
    assert again == []


def test_the_visits_monitor_is_the_caller_unless_a_supervisor_names_one(
    session: Session, world: World
) -> None:
    monitor, sup = world.principal(session, "m1"), world.principal(session, "sup")
    assert visit_monitor(session, monitor, None) == "m1"
    assert visit_monitor(session, monitor, " M1 ") == "m1"
    with pytest.raises(PermissionDenied, match="records their own visits"):
        visit_monitor(session, monitor, "m2")
    assert visit_monitor(session, sup, None) == "sup"
    assert visit_monitor(session, sup, "m1") == "m1"
    for nobody in ("me", "view", "Ama Mensah"):  # another district, a viewer, free text
        with pytest.raises(NotFound):
            visit_monitor(session, sup, nobody)


def test_the_week_reads_the_assignee_index_and_the_area_index(
    session: Session, world: World
) -> None:
    """On SQLite a monitor's week is a range of the assignee index and one of the area index
    per area of theirs, never a scan of the follow-ups."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan checked is SQLite's")
    a, u = world.areas, world.users
    query = week_query("/", WeekFilter(u["m1"]), TODAY, area_ids=[a["C1"].id, a["C2"].id])
    sql = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = [row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    follow_up_steps = [step for step in plan if "follow_ups" in step]
    assert any("ix_follow_ups_assignee_open" in step for step in follow_up_steps), plan
    assert any("ix_follow_ups_area_open" in step for step in follow_up_steps), plan
    assert not any(step.startswith("SCAN follow_ups") for step in plan), plan

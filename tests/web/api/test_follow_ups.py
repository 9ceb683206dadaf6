"""The week, assignment and due dates through HTTP (SQLite and PostgreSQL): a monitor reads
their own week and cannot assign; a supervisor reads the team's, filters by monitor, assigns
an area's monitor and a follow-up within their scope; a follow-up moves within the rule's
bounds; a visit is the caller's unless a supervisor names a member of their team."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, User, create_user, issue_token
from ipec.monitoring import AuditEntry, Visit
from ipec.monitoring.models import FollowUp
from ipec.web.api.common import today
from tests.web.api.conftest import PASSWORD, Api, check_error

VISIT = {"visit_date": "2026-05-01", "consent": True, "record": {"econ_any": False}}


@pytest.fixture
def team(api: Api) -> dict[str, int]:
    """A supervisor and a second monitor of district A, a monitor of district B (with their
    tokens in ``api.tokens``): the users' ids."""
    made = {}
    with Session(api.engine) as session, session.begin():
        for name, role, area in (("sup", Role.SUPERVISOR, "area_a"), ("m2", Role.MONITOR, "area_a"),
                                 ("mb", Role.MONITOR, "area_b")):  # fmt: skip
            user = create_user(session, username=name, display_name=f"{name} name",
                               password=PASSWORD, role=role, area_id=api.ids[area])  # fmt: skip
            api.tokens[name] = issue_token(session, user=user, label="test")
            made[name] = user.id
        made["monitor"] = session.scalars(select(User.id).where(User.username == "monitor")).one()
    return made


def _week(api: Api, who: str = "monitor", query: str = "") -> list[int]:
    answer = api.call("GET", f"/api/v1/follow-ups/week{query}", who=who)
    assert answer.status_code == 200, answer.text
    return [item["child"]["id"] for item in answer.json()["items"]]


def test_a_monitor_reads_the_week_of_what_is_assigned_to_them(
    api: Api, team: dict[str, int]
) -> None:
    area, child = api.ids["area_a"], api.ids["child_a"]
    assert _week(api) == []  # nothing assigned yet
    refused = api.call("PUT", f"/api/v1/areas/{area}/monitor", {"user_id": team["monitor"]})
    check_error(refused, 403, "PermissionDenied")
    put = api.call("PUT", f"/api/v1/areas/{area}/monitor", {"user_id": team["monitor"]}, "sup")
    assert put.status_code == 200, put.text
    assert put.json()["user_id"] == team["monitor"]
    assert put.json()["responsible"]["username"] == "monitor"
    week = api.call("GET", "/api/v1/follow-ups/week").json()
    assert (week["monitor_id"], week["per_page"], week["has_next"]) == (team["monitor"], 100, False)
    (item,) = week["items"]
    assert item["child"]["id"] == child
    assert item["follow_up"]["due_on"] == "2026-04-20"
    assert item["overdue"] is True
    assert item["days_late"] == (today() - date(2026, 4, 20)).days
    assert item["others"] == 0
    assignee = {"user_id": team["monitor"], "username": "monitor", "display_name": "monitor",
                "own": False, "area_id": area}  # fmt: skip
    assert item["assignee"] == assignee
    with Session(api.engine) as session:
        read = session.scalars(select(AuditEntry).where(AuditEntry.action == "follow_up.week")
                               .order_by(AuditEntry.id.desc())).first()  # fmt: skip
        assert read is not None
        assert (read.actor, read.detail["children"]) == ("monitor", [child])
    assert _week(api, "m2") == []
    check_error(api.call("GET", f"/api/v1/follow-ups/week?monitor_id={team['m2']}"), 403,
                "PermissionDenied")  # fmt: skip


def test_a_supervisor_reads_the_teams_week_and_one_members(api: Api, team: dict[str, int]) -> None:
    child = api.ids["child_a"]
    assert _week(api, "sup") == [child]  # the team's: every follow-up of A
    assert _week(api, "sup", f"?monitor_id={team['monitor']}") == []
    assert _week(api, "sup", "?monitor_id=") == [child]  # an empty filter is no filter
    check_error(api.call("GET", f"/api/v1/follow-ups/week?monitor_id={team['mb']}", who="sup"),
                404, "NotFound")  # fmt: skip
    assert _week(api, "viewer") == [child]  # a viewer reads the team's week too
    assert _week(api, "admin") == sorted([child, api.ids["child_b"]])
    members = api.call("GET", "/api/v1/team", who="sup").json()
    assert [m["username"] for m in members] == ["m2", "monitor", "sup"]  # by display name
    check_error(api.call("GET", "/api/v1/team"), 403, "PermissionDenied")


def test_a_follow_up_is_reassigned_and_given_back(api: Api, team: dict[str, int]) -> None:
    follow_up, child = api.ids["follow_up_a"], api.ids["child_a"]
    path = f"/api/v1/follow-ups/{follow_up}"
    api.call("PUT", f"/api/v1/areas/{api.ids['area_a']}/monitor", {"user_id": team["monitor"]},
             "sup")  # fmt: skip
    check_error(api.call("PATCH", path, {"assignee_id": team["m2"]}), 403, "PermissionDenied")
    given = api.call("PATCH", path, {"assignee_id": team["m2"]}, "sup")
    assert given.status_code == 200, given.text
    assert given.json()["assignee"]["username"] == "m2"
    assert given.json()["assignee"]["own"] is True
    assert (_week(api), _week(api, "m2")) == ([], [child])
    check_error(api.call("PATCH", path, {"assignee_id": team["mb"]}, "sup"), 404, "NotFound")
    back = api.call("PATCH", path, {"assignee_id": None}, "sup")
    assert back.json()["assignee"]["username"] == "monitor"
    assert (_week(api), _week(api, "m2")) == ([child], [])
    # the area above's monitor is refused to a user who does not work there
    refused = api.call("PUT", f"/api/v1/areas/{api.ids['country']}/monitor",
                       {"user_id": team["m2"]}, "admin")  # fmt: skip
    check_error(refused, 422, "DataError")
    check_error(api.call("GET", f"/api/v1/areas/{api.ids['area_b']}/monitor", who="sup"), 404,
                "NotFound")  # fmt: skip
    check_error(api.call("GET", f"/api/v1/follow-ups/{api.ids['follow_up_b']}", who="sup"), 404,
                "NotFound")  # fmt: skip


def test_a_follow_up_moves_within_the_rules_bounds(api: Api, team: dict[str, int]) -> None:
    with Session(api.engine) as session, session.begin():
        soon = FollowUp(case_id=api.ids["case_a"], due_on=today() + timedelta(days=10))
        session.add(soon)
        session.flush()
        soon_id = soon.id
    path = f"/api/v1/follow-ups/{soon_id}"
    detail = api.call("GET", path).json()
    rule = today() + timedelta(days=10)
    assert (detail["rule_date"], detail["earliest"], detail["latest"]) == (
        rule.isoformat(),
        today().isoformat(),
        (rule + timedelta(weeks=4)).isoformat(),
    )
    moved = api.call("PATCH", path, {"due_on": (rule + timedelta(days=3)).isoformat()})
    assert moved.status_code == 200, moved.text
    assert moved.json()["follow_up"]["rule_due_on"] == rule.isoformat()
    too_far = rule + timedelta(weeks=4, days=1)
    error = check_error(api.call("PATCH", path, {"due_on": too_far.isoformat()}), 422, "DataError")
    assert f"may be moved from {today()} to {rule + timedelta(weeks=4)}" in error["message"]
    assert "column 'due_on'" in error["message"]
    check_error(api.call("PATCH", path, {"due_on": None}), 422, "ValidationError")
    check_error(api.call("PATCH", path, {"due_on": "2026-01-01"}, "viewer"), 403,
                "PermissionDenied")  # fmt: skip
    late = f"/api/v1/follow-ups/{api.ids['follow_up_a']}"  # due 2026-04-20: its window passed
    error = check_error(api.call("PATCH", late, {"due_on": today().isoformat()}), 422, "DataError")
    assert "can no longer be moved" in error["message"]


def test_a_visit_is_the_callers_unless_a_supervisor_names_a_member(
    api: Api, team: dict[str, int]
) -> None:
    path = f"/api/v1/children/{api.ids['child_a']}/visits"
    mine = api.call("POST", path, VISIT)
    assert mine.status_code == 201, mine.text
    check_error(api.call("POST", path, {**VISIT, "monitor": "m2"}), 403, "PermissionDenied")
    assert api.call("POST", path, {**VISIT, "monitor": "monitor"}).status_code == 201
    named = api.call("POST", path, {**VISIT, "monitor": "m2"}, "sup")
    assert named.status_code == 201, named.text
    check_error(api.call("POST", path, {**VISIT, "monitor": "mb"}, "sup"), 404, "NotFound")
    check_error(api.call("POST", path, {**VISIT, "monitor": "viewer"}, "sup"), 404, "NotFound")
    with Session(api.engine) as session:
        monitors = session.scalars(select(Visit.monitor).order_by(Visit.id)).all()
    assert monitors == ["monitor", "monitor", "m2"]

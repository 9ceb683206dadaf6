"""Supervision through HTTP (SQLite and PostgreSQL): the closure rule holds on the API (a
monitor cannot close; an unmet rule closes only by override with a reason), plans as actions,
requests approved or rejected with a comment from the supervisor's queue, a case reassigned
inside the supervisor's team only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user, issue_token
from ipec.monitoring.models import Case, CaseStatus, FollowUp
from ipec.monitoring.service import record_visit_and_follow_up
from ipec.standards import load_profile
from tests.web.api.conftest import PASSWORD, Api, check_error

CLEAN = {"econ_any": False, "econ_hours": None}


@pytest.fixture
def team(api: Api) -> dict[str, int]:
    """A supervisor of district A and one of B (tokens in ``api.tokens``), and the case of
    A under follow-up with one follow-up done, out of child labour: the users' ids."""
    made = {}
    with Session(api.engine) as session, session.begin():
        for name, role, area in (("sup", Role.SUPERVISOR, "area_a"),
                                 ("sup_b", Role.SUPERVISOR, "area_b"),
                                 ("m2", Role.MONITOR, "area_a")):  # fmt: skip
            user = create_user(session, username=name, display_name=f"{name} name",
                               password=PASSWORD, role=role, area_id=api.ids[area])  # fmt: skip
            api.tokens[name] = issue_token(session, user=user, label="test")
            made[name] = user.id
        case = session.get(Case, api.ids["case_a"])
        assert case is not None
        case.status = CaseStatus.UNDER_FOLLOW_UP
        session.flush()
        _done(session, api, date(2026, 1, 20), api.ids["follow_up_a"])
    return made


def _done(session: Session, api: Api, day: date, follow_up_id: int | None = None) -> None:
    """A follow-up of case A done on ``day`` by a clean visit."""
    if follow_up_id is None:
        follow_up = FollowUp(case_id=api.ids["case_a"], due_on=day)
        session.add(follow_up)
        session.flush()
        follow_up_id = follow_up.id
    record_visit_and_follow_up(
        session, child_id=api.ids["child_a"], follow_up_id=follow_up_id, visit_date=day,
        monitor="monitor", consent=True, record=CLEAN, profile=load_profile("sdg-8.7.1"),
        actor="monitor",
    )  # fmt: skip


def _case(api: Api) -> str:
    return f"/api/v1/cases/{api.ids['case_a']}"


def _close(api: Api, who: str, **body: object) -> object:
    version = api.version(Case, api.ids["case_a"])
    return api.call("POST", f"{_case(api)}/transitions",
                    {"action": "close", "version": version, **body}, who)  # fmt: skip


@pytest.mark.usefixtures("team")
def test_the_closure_rule_holds_on_the_api(api: Api) -> None:
    closure = api.call("GET", f"{_case(api)}/supervision").json()["closure"]
    assert (closure["met"], closure["unmet"]) == (False, "too_few")
    assert "at least 90 days apart" in closure["rule"]
    refused = check_error(_close(api, "monitor", reason="at school"), 403, "PermissionDenied")
    assert "a monitor may not close case" in refused["message"]
    unmet = check_error(_close(api, "sup", reason="at school"), 409, "InvalidTransition")
    assert "1 follow-up(s) done, two are needed" in unmet["message"]
    bare = check_error(_close(api, "sup", override=True), 422, "DataError")
    assert "an override of the closure rule needs a reason" in bare["message"]
    stale = api.call(
        "POST",
        f"{_case(api)}/transitions",
        {"action": "close", "version": 1, "override": True, "reason": "x"},
        "sup",
    )
    check_error(stale, 409, "Conflict")
    closed = _close(api, "sup", override=True, reason="family moved abroad")
    assert closed.status_code == 200, closed.text  # type: ignore[attr-defined]
    events = api.call("GET", _case(api)).json()["events"]
    assert (events[-1]["action"], events[-1]["actor"], events[-1]["reason"]) == (
        "close_override", "sup", "family moved abroad")  # fmt: skip


@pytest.mark.usefixtures("team")
def test_a_case_that_meets_the_rule_closes(api: Api) -> None:
    with Session(api.engine) as session, session.begin():
        _done(session, api, date(2026, 4, 20))  # 90 days after 2026-01-20
    assert api.call("GET", f"{_case(api)}/supervision").json()["closure"]["met"] is True
    closed = _close(api, "sup", reason="two clean follow-ups")
    assert closed.json()["status"] == "closed"  # type: ignore[attr-defined]
    assert api.call("GET", _case(api)).json()["events"][-1]["action"] == "close"


def test_plan_and_closure_through_the_queue(api: Api, team: dict[str, int]) -> None:
    path = _case(api)
    action = api.call("POST", f"{path}/plan", {"service": "school_kit", "due_on": "2026-09-01",
                                               "responsible_user_id": team["m2"]})  # fmt: skip
    assert action.status_code == 201, action.text
    twice = {"service": "health", "due_on": "2026-09-01", "responsible_user_id": team["m2"],
             "responsible_partner_id": api.ids["partner"]}  # fmt: skip
    both = api.call("POST", f"{path}/plan", twice)
    assert "column 'responsible'" in check_error(both, 422, "DataError")["message"]
    outsider = api.call("POST", f"{path}/plan", {"service": "health", "due_on": "2026-09-01",
                                                 "responsible_user_id": 9999})  # fmt: skip
    check_error(outsider, 404, "NotFound")
    done = api.call("PATCH", f"/api/v1/plan-actions/{action.json()['id']}", {"status": "done"})
    assert done.json()["status"] == "done"
    version = api.version(Case, api.ids["case_a"])
    plan = api.call(
        "POST", f"{path}/approvals", {"kind": "plan", "note": "kit", "version": version}
    )
    assert plan.status_code == 201, plan.text
    closure = api.call("POST", f"{path}/approvals",
                       {"kind": "closure", "note": "at school", "version": version})  # fmt: skip
    again = api.call("POST", f"{path}/approvals",
                     {"kind": "closure", "note": "at school", "version": version})  # fmt: skip
    check_error(again, 409, "Conflict")
    queue = api.call("GET", "/api/v1/approvals", who="sup").json()
    assert [(i["approval"]["kind"], i["child"]["id"]) for i in queue["items"]] == [
        ("plan", api.ids["child_a"]), ("closure", api.ids["child_a"])]  # fmt: skip
    assert api.call("GET", "/api/v1/approvals", who="sup_b").json()["items"] == []
    decision = f"/api/v1/approvals/{plan.json()['id']}/decision"
    check_error(api.call("POST", decision, {"decision": "approve"}), 403, "PermissionDenied")
    check_error(api.call("POST", decision, {"decision": "approve"}, "sup_b"), 404, "NotFound")
    approved = api.call("POST", decision, {"decision": "approve", "comment": "good"}, "sup")
    assert approved.json()["status"] == "approved"
    rejection = f"/api/v1/approvals/{closure.json()['id']}/decision"
    bare = check_error(api.call("POST", rejection, {"decision": "reject"}, "sup"), 422, "DataError")
    assert "column 'comment'" in bare["message"]
    rejected = api.call("POST", rejection, {"decision": "reject", "comment": "one more"}, "sup")
    assert (rejected.json()["status"], rejected.json()["comment"]) == ("rejected", "one more")
    assert api.call("GET", "/api/v1/approvals", who="sup").json()["items"] == []
    detail = api.call("GET", f"{path}/supervision").json()
    assert [a["status"] for a in detail["approvals"]] == ["rejected", "approved"]
    assert [a["status"] for a in detail["plan"]] == ["done"]


def test_an_approved_closure_may_override_with_the_comment(api: Api, team: dict[str, int]) -> None:
    version = api.version(Case, api.ids["case_a"])
    asked = api.call("POST", f"{_case(api)}/approvals",
                     {"kind": "closure", "note": "at school", "version": version})  # fmt: skip
    decision = f"/api/v1/approvals/{asked.json()['id']}/decision"
    unmet = api.call("POST", decision, {"decision": "approve"}, "sup")
    check_error(unmet, 409, "InvalidTransition")
    bare = api.call("POST", decision, {"decision": "approve", "override": True}, "sup")
    check_error(bare, 422, "DataError")
    done = api.call("POST", decision, {"decision": "approve", "override": True,
                                       "comment": "the family left"}, "sup")  # fmt: skip
    assert (done.json()["status"], done.json()["override"]) == ("approved", True)
    assert api.call("GET", _case(api)).json()["status"] == "closed"


def test_a_supervisor_reassigns_inside_their_team(api: Api, team: dict[str, int]) -> None:
    path = f"{_case(api)}/assignee"
    version = api.version(Case, api.ids["case_a"])
    check_error(api.call("PUT", path, {"user_id": team["m2"], "version": version}), 403,
                "PermissionDenied")  # fmt: skip
    foreign = api.call("PUT", path, {"user_id": team["sup_b"], "version": version}, "sup")
    check_error(foreign, 404, "NotFound")
    moved = api.call("PUT", path, {"user_id": team["m2"], "version": version}, "sup")
    assert moved.json()["assignee_id"] == team["m2"], moved.text
    stale = api.call("PUT", path, {"user_id": None, "version": version}, "sup")
    check_error(stale, 409, "Conflict")
    with Session(api.engine) as session:
        owners = session.scalars(select(FollowUp.assignee_id).where(
            FollowUp.case_id == api.ids["case_a"], FollowUp.visit_id.is_(None)))  # fmt: skip
        assert set(owners) <= {team["m2"]}
    assert api.call("GET", _case(api)).json()["events"][-1]["reason"] == "assigned to m2 name (m2)"

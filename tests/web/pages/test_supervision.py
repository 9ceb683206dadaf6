"""Supervision in the pages: a monitor plans and asks for approval; a supervisor finds the
requests on the dashboard and the queue, approves, rejects with a comment, closes by the
rule or by override with a reason, and reassigns a case; the forms send back what is wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.monitoring.models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseEvent,
    CaseStatus,
    PlanAction,
)
from ipec.web.api.common import today
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import Site, audit_actions, post


@pytest.fixture
def team(site: Site) -> dict[str, int]:
    """A supervisor of district A (and one of B); case A under follow-up: the users' ids."""
    made = {}
    with Session(site.engine) as session, session.begin():
        for name, role, area in (("sup", Role.SUPERVISOR, "area_a"),
                                 ("sup_b", Role.SUPERVISOR, "area_b")):  # fmt: skip
            user = create_user(session, username=name, display_name=f"{name} name",
                               password=PASSWORD, role=role, area_id=site.ids[area])  # fmt: skip
            made[name] = user.id
        case = session.get(Case, site.ids["case_a"])
        assert case is not None
        case.status = CaseStatus.UNDER_FOLLOW_UP
    return made


def _case(site: Site) -> Case:
    with Session(site.engine) as session:
        case = session.get(Case, site.ids["case_a"])
        assert case is not None
        return case


def _history(site: Site) -> list[tuple[str, str | None]]:
    with Session(site.engine) as session:
        query = select(CaseEvent.action, CaseEvent.reason).where(
            CaseEvent.case_id == site.ids["case_a"])  # fmt: skip
        return [tuple(row) for row in session.execute(query.order_by(CaseEvent.id))]  # type: ignore[misc]


def test_a_monitor_plans_and_asks_for_approval(site: Site, team: dict[str, int]) -> None:
    csrf = site.sign_in()
    case, child = site.ids["case_a"], site.ids["child_a"]
    page = site.client.get(f"/children/{child}").text
    assert "No action planned yet." in page
    assert "Ask a supervisor to approve the plan" not in page  # nothing to approve yet
    empty = post(site, f"/cases/{case}/plan", {"csrf_token": csrf, "service": "",
                                                "responsible": "", "due_on": ""})  # fmt: skip
    assert empty.status_code == 422
    assert f'id="plan-service-{case}-error">Choose a service.' in empty.text
    assert f'id="plan-responsible-{case}-error">Choose who is responsible.' in empty.text
    assert f'id="plan-due-{case}-error">Enter a date (year-month-day).' in empty.text
    foreign = post(site, f"/cases/{case}/plan", {"csrf_token": csrf, "service": "school_kit",
                                                  "responsible": f"user-{team['sup_b']}",
                                                  "due_on": "2026-09-01"})  # fmt: skip
    assert f'id="plan-responsible-{case}-error">Choose who is responsible.' in foreign.text
    added = post(site, f"/cases/{case}/plan", {"csrf_token": csrf, "service": "school_kit",
                                                "responsible": f"partner-{site.ids['partner']}",
                                                "due_on": "2026-09-01"})  # fmt: skip
    assert added.status_code == 303
    page = site.client.get(f"/children/{child}").text
    assert "Labour Inspectorate" in page
    assert "Ask a supervisor to approve the plan" in page
    with Session(site.engine) as session:
        action = session.scalars(select(PlanAction)).one()
    done = post(site, f"/plan-actions/{action.id}/status", {"csrf_token": csrf, "status": "done"})
    assert done.status_code == 303
    version = str(_case(site).version)
    blank = post(site, f"/cases/{case}/approvals", {"csrf_token": csrf, "kind": "plan",
                                                     "version": version, "note": " "})  # fmt: skip
    assert f'id="request-{case}-plan-error">Say why, in under 2000 characters.' in blank.text
    for kind, note in (("plan", "kit first"), ("closure", "back at school")):
        form = {"csrf_token": csrf, "kind": kind, "version": version, "note": note}
        asked = post(site, f"/cases/{case}/approvals", form)
        assert asked.status_code == 303
    page = site.client.get(f"/children/{child}").text
    assert "Plan · awaiting a decision" in page
    assert "Closure · awaiting a decision" in page
    assert "Ask a supervisor to close the case" not in page  # one request at a time
    assert site.client.get("/approvals").status_code == 200  # read-only for a monitor
    assert "approval.request" in audit_actions(site)


def test_a_supervisor_decides_from_the_queue(site: Site, team: dict[str, int]) -> None:
    site.sign_in()
    case = site.ids["case_a"]
    version = str(_case(site).version)
    csrf = site.token("/account/password")
    post(site, f"/cases/{case}/plan", {"csrf_token": csrf, "service": "health",
                                        "responsible": f"partner-{site.ids['partner']}",
                                        "due_on": "2026-09-01"})  # fmt: skip
    for kind in ("plan", "closure"):
        post(site, f"/cases/{case}/approvals", {"csrf_token": csrf, "kind": kind,
                                                 "version": version, "note": "please"})  # fmt: skip
    site.client.cookies.clear()
    csrf = site.sign_in("sup")
    dashboard = site.client.get("/dashboard").text
    assert "Plans and closures awaiting a decision: 2" in dashboard
    queue = site.client.get("/approvals").text
    assert "The closure rule is not met: two follow-ups must be done (0 done)." in queue
    with Session(site.engine) as session:
        plan, closure = session.scalars(select(Approval).order_by(Approval.id)).all()
    approved = post(site, f"/approvals/{plan.id}/decision", {"csrf_token": csrf,
                                                             "decision": "approve"})  # fmt: skip
    assert approved.status_code == 303
    bare = post(site, f"/approvals/{closure.id}/decision", {"csrf_token": csrf,
                                                            "decision": "reject"})  # fmt: skip
    assert bare.status_code == 422
    assert f'id="comment-{closure.id}-error">Say why the request is rejected.' in bare.text
    unmet = post(site, f"/approvals/{closure.id}/decision", {"csrf_token": csrf,
                                                             "decision": "approve"})  # fmt: skip
    assert f'id="override-{closure.id}-error">The closure rule is not met' in unmet.text
    reasoned = {"csrf_token": csrf, "decision": "reject", "comment": "one more visit"}
    rejected = post(site, f"/approvals/{closure.id}/decision", reasoned)
    assert rejected.status_code == 303
    assert "Nothing awaits a decision." in site.client.get("/approvals").text
    assert _history(site)[-2:] == [("approve_plan", None), ("reject_closure", "one more visit")]
    with Session(site.engine) as session:
        statuses = session.scalars(select(Approval.status).order_by(Approval.id)).all()
    assert statuses == [ApprovalStatus.APPROVED, ApprovalStatus.REJECTED]


def test_a_supervisor_closes_by_override_and_reassigns(site: Site, team: dict[str, int]) -> None:
    csrf = site.sign_in("sup")
    case, child = site.ids["case_a"], site.ids["child_a"]
    page = site.client.get(f"/children/{child}").text
    assert "Override the closure rule (the reason is recorded)" in page
    step = {"csrf_token": csrf, "version": str(_case(site).version), "action": "close"}
    unmet = post(site, f"/cases/{case}/transitions", {**step, "reason": "left"})
    assert unmet.status_code == 422
    assert f'id="close-override-{case}-error">The closure rule is not met' in unmet.text
    reassigned = post(site, f"/cases/{case}/assignee", {"csrf_token": csrf,
                                                         "version": step["version"],
                                                         "user_id": str(team["sup"])})  # fmt: skip
    assert reassigned.status_code == 303
    assert _case(site).assignee_id == team["sup"]
    assert "sup name" in site.client.get(f"/children/{child}").text
    foreign = post(site, f"/cases/{case}/assignee", {"csrf_token": csrf,
                                                      "version": str(_case(site).version),
                                                      "user_id": str(team["sup_b"])})  # fmt: skip
    assert foreign.status_code == 404
    step["version"] = str(_case(site).version)
    closed = post(site, f"/cases/{case}/transitions",
                  {**step, "reason": "family moved abroad", "override": "yes"})  # fmt: skip
    assert closed.status_code == 303
    assert _case(site).status is CaseStatus.CLOSED
    assert _history(site)[-1] == ("close_override", "family moved abroad")
    page = site.client.get(f"/children/{child}").text
    assert "Closed by a supervisor's override: Under follow-up → Closed" in page
    assert "Assigned: Under follow-up <span" in page  # a step that keeps the status
    assert _case(site).closed_on == today()

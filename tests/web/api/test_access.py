"""Scope on every route: a monitor of district A gets "not found" for anything of district B,
every read and change of a child's record is audit-logged, viewers only read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import Area, Case, Child, Household
from ipec.monitoring.service import create_area
from tests.web.api.conftest import Api, check_error

VISIT = {"visit_date": "2026-05-01", "consent": True,
         "record": {"econ_any": True, "econ_hours": 20}}  # fmt: skip

#: Routes that touch a child's record, for the world of district ``key``:
#: (method, path template, path, body, changes a record). Versions are read when called.
Route = tuple[str, str, str, Any, bool]


def _village(api: Api, key: str) -> int:
    """An area under district ``key`` (made when first asked for): where a household moves."""
    with Session(api.engine) as session, session.begin():
        parent = api.ids[f"area_{key}"]
        found = session.scalar(select(Area.id).where(Area.parent_id == parent))
        return found or create_area(session, name="Village", level="village", parent_id=parent).id


def child_routes(api: Api, key: str) -> list[Route]:
    ids = api.ids
    c, h, k = ids[f"child_{key}"], ids[f"household_{key}"], ids[f"case_{key}"]
    s, r, a = ids[f"service_{key}"], ids[f"referral_{key}"], ids[f"area_{key}"]
    f = ids[f"follow_up_{key}"]
    return [
        ("GET", "/api/v1/children/{child_id}", f"/api/v1/children/{c}", None, False),
        ("PATCH", "/api/v1/children/{child_id}", f"/api/v1/children/{c}",
         {"version": api.version(Child, c), "school_status": "enrolled"}, True),
        ("GET", "/api/v1/children/{child_id}/visits", f"/api/v1/children/{c}/visits", None, False),
        ("POST", "/api/v1/children/{child_id}/visits", f"/api/v1/children/{c}/visits", VISIT, True),
        ("GET", "/api/v1/children/{child_id}/cases", f"/api/v1/children/{c}/cases", None, False),
        ("GET", "/api/v1/households/{household_id}", f"/api/v1/households/{h}", None, False),
        ("PATCH", "/api/v1/households/{household_id}", f"/api/v1/households/{h}",
         {"version": api.version(Household, h), "head_name": "New head"}, True),
        ("POST", "/api/v1/households", "/api/v1/households",
         {"area_id": a, "head_name": "H", "children": [
             {"name": "N", "sex": "male", "birth_date": "2015-02-03"}]}, True),
        ("GET", "/api/v1/cases/{case_id}", f"/api/v1/cases/{k}", None, False),
        ("POST", "/api/v1/cases/{case_id}/transitions", f"/api/v1/cases/{k}/transitions",
         {"action": "plan", "version": api.version(Case, k)}, True),
        ("POST", "/api/v1/cases/{case_id}/services", f"/api/v1/cases/{k}/services",
         {"type": "bridging_class", "started_on": "2026-02-01"}, True),
        ("PATCH", "/api/v1/services/{service_id}", f"/api/v1/services/{s}",
         {"ended_on": "2026-06-30"}, True),
        ("POST", "/api/v1/cases/{case_id}/referrals", f"/api/v1/cases/{k}/referrals",
         {"partner_id": ids["partner"], "reason": "inspection",
          "sent_on": "2026-02-02"}, True),
        ("PATCH", "/api/v1/referrals/{referral_id}", f"/api/v1/referrals/{r}",
         {"status": "accepted"}, True),
        ("GET", "/api/v1/cases", f"/api/v1/cases?area_id={a}", None, False),
        ("GET", "/api/v1/follow-ups", f"/api/v1/follow-ups?area_id={a}", None, False),
        ("GET", "/api/v1/follow-ups/{follow_up_id}", f"/api/v1/follow-ups/{f}", None, False),
        ("PATCH", "/api/v1/follow-ups/{follow_up_id}", f"/api/v1/follow-ups/{f}", {}, True),
        ("GET", "/api/v1/exports/cases.{file_format}",
         f"/api/v1/exports/cases.csv?area_id={a}", None, False),
        ("GET", "/api/v1/areas/{area_id}", f"/api/v1/areas/{a}", None, False),
        ("GET", "/api/v1/metrics/{metric}",
         f"/api/v1/metrics/identification?start=2026-01-01&end=2026-12-31&area_id={a}",
         None, False),
        *[("GET", f"/api/v1/metrics/{name}",
           f"/api/v1/metrics/{name}?start=2026-01-01&end=2026-12-31&area_id={a}", None, False)
          for name in ("effectiveness", "time_to_resolution", "caseload", "outcomes", "us_dol",
                       "refusals")],
        ("GET", "/api/v1/children", f"/api/v1/children?area_id={a}&q=child", None, False),
        ("GET", "/api/v1/households", f"/api/v1/households?area_id={a}", None, False),
        ("POST", "/api/v1/households/{household_id}/children", f"/api/v1/households/{h}/children",
         {"name": "Kouamé", "sex": "male", "birth_date": "2019-04-05"}, True),
        ("GET", "/api/v1/households/{household_id}/moves", f"/api/v1/households/{h}/moves",
         None, False),
        ("POST", "/api/v1/households/{household_id}/moves", f"/api/v1/households/{h}/moves",
         {"version": api.version(Household, h), "area_id": _village(api, key),
          "moved_on": "2026-05-02"}, True),
        ("GET", "/api/v1/children/{child_id}/consents", f"/api/v1/children/{c}/consents",
         None, False),
        ("POST", "/api/v1/children/{child_id}/consents", f"/api/v1/children/{c}/consents",
         {"purpose": "data_sharing", "given_by": "child", "given_on": "2026-05-01"}, True),
        ("POST", "/api/v1/consents/{consent_id}/withdrawal",
         f"/api/v1/consents/{ids[f'consent_{key}']}/withdrawal",
         {"withdrawn_on": "2026-05-02"}, True),
        ("POST", "/api/v1/children/{child_id}/leave", f"/api/v1/children/{c}/leave",
         {"version": api.version(Child, c), "left_on": "2026-05-03", "reason": "moved"}, True),
    ]  # fmt: skip


#: Routes that hold no child's record: signing in and out, the caller's own account and tokens, the
#: reference lists, area creation and the audit log (both checked for roles elsewhere).
NO_CHILD_RECORD = {
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/tokens"),
    ("GET", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
    ("GET", "/api/v1/areas"),
    ("POST", "/api/v1/areas"),
    ("GET", "/api/v1/partners"),
    ("POST", "/api/v1/partners"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/team"),
    ("GET", "/api/v1/areas/{area_id}/monitor"),
    ("PUT", "/api/v1/areas/{area_id}/monitor"),
}
#: Lists of the caller's own, with no area or record in the path: the week (its scope is
#: checked in test_follow_ups.py).
OWN_LISTS = {("GET", "/api/v1/follow-ups/week")}
#: The partner user's own routes (checked in test_partner_referrals.py: any other caller, and
#: any referral not sent to its partner, gets nothing).
PARTNER_ROUTES = {
    ("GET", "/api/v1/partner/referrals"),
    ("GET", "/api/v1/partner/referrals/{referral_id}"),
    ("POST", "/api/v1/partner/referrals/{referral_id}/answer"),
}
#: Programmes and their figures: no child's record, every figure through read_metrics
#: (roles, scope and the audit row checked in test_programmes.py).
PROGRAMME_ROUTES = {
    ("GET", "/api/v1/programmes"),
    ("POST", "/api/v1/programmes"),
    ("GET", "/api/v1/programmes/{programme_id}"),
    ("POST", "/api/v1/programmes/{programme_id}/targets"),
    ("GET", "/api/v1/programmes/{programme_id}/results.{file_format}"),
    ("GET", "/api/v1/programmes/{programme_id}/annex-a.{file_format}"),
    ("GET", "/api/v1/programmes/{programme_id}/clmrs.{file_format}"),
    # the alliance: the partner directory's attributes (test_alliance.py)
    ("GET", "/api/v1/alliance/serving"),
    ("GET", "/api/v1/alliance/partners/{partner_id}"),
    ("PUT", "/api/v1/alliance/partners/{partner_id}"),
    # awareness raising: no child's record (test_awareness.py)
    ("POST", "/api/v1/awareness"),
    ("GET", "/api/v1/awareness/counts"),
}
#: Case work whose roles and fixtures the routes above cannot give a monitor: each has its
#: own test of another district's record ("not found") beside the rule it serves.
CASE_WORK_ROUTES = {
    # plans, approvals and assignment (test_supervision.py: an outsider's plan, another
    # district's decision and a reassignment outside the team are not found)
    ("GET", "/api/v1/cases/{case_id}/supervision"),
    ("POST", "/api/v1/cases/{case_id}/plan"),
    ("PATCH", "/api/v1/plan-actions/{action_id}"),
    ("POST", "/api/v1/cases/{case_id}/approvals"),
    ("GET", "/api/v1/approvals"),
    ("POST", "/api/v1/approvals/{approval_id}/decision"),
    ("PUT", "/api/v1/cases/{case_id}/assignee"),
    # prevention (test_prevention.py: another district's household and child are not found)
    ("GET", "/api/v1/households/{household_id}/at-risk"),
    ("POST", "/api/v1/children/{child_id}/at-risk-cases"),
    # coverage of need (test_need.py: another area is not found)
    ("GET", "/api/v1/metrics/need_coverage"),
    ("GET", "/api/v1/metrics/need_coverage.csv"),
    # the caller's own: what needs them, their digest, the forms and the children due in
    # their areas, and imports run as them through the gate (test_reminders.py,
    # test_forms.py, test_imports.py)
    ("GET", "/api/v1/reminders"),
    ("PUT", "/api/v1/reminders/digest"),
    ("GET", "/api/v1/follow-ups/calendar"),
    ("GET", "/api/v1/forms/children_due.csv"),
    ("GET", "/api/v1/forms/{kind}.xlsx"),
    ("POST", "/api/v1/imports/submissions"),
}
#: A manager's hold on other users' credentials (scope and rights checked in test_users.py).
USER_CREDENTIALS = {
    ("GET", "/api/v1/users/{user_id}/tokens"),
    ("DELETE", "/api/v1/users/{user_id}/tokens/{token_id}"),
    ("POST", "/api/v1/users/{user_id}/unlock"),
}


def test_every_route_is_checked_here(api: Api) -> None:
    """A new route fails this test until it is added to the scope checks below."""
    schema = api.client.get("/api/v1/openapi.json").json()
    served = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    checked = {(method, template) for method, template, *_ in child_routes(api, "a")}
    assert served == (checked | NO_CHILD_RECORD | OWN_LISTS | PARTNER_ROUTES | USER_CREDENTIALS
                      | PROGRAMME_ROUTES | CASE_WORK_ROUTES)  # fmt: skip


def test_monitor_of_a_gets_not_found_for_b_on_every_route(api: Api) -> None:
    for method, _template, path, body, _changes in child_routes(api, "b"):
        check_error(api.call(method, path, body), 404, "NotFound")


def test_monitor_of_a_may_use_every_route_of_a_and_is_audited(api: Api) -> None:
    for index in range(len(child_routes(api, "a"))):
        method, template, path, body, _changes = child_routes(api, "a")[index]
        before = api.audit_count()
        response = api.call(method, path, body)
        assert response.status_code in (200, 201), (method, template, response.text)
        if "/areas/" not in template:
            assert api.audit_count() > before, f"{method} {template} left no audit row"


def test_viewer_reads_but_cannot_change(api: Api) -> None:
    for method, template, path, body, changes in child_routes(api, "a"):
        response = api.call(method, path, body, who="viewer")
        if changes:
            check_error(response, 403, "PermissionDenied")
        else:
            assert response.status_code == 200, (method, template, response.text)


def test_lists_hold_only_the_callers_scope(api: Api) -> None:
    cases = api.call("GET", "/api/v1/cases").json()["items"]
    assert [item["child"]["id"] for item in cases] == [api.ids["child_a"]]
    due = api.call("GET", "/api/v1/follow-ups?due_by=2026-12-31").json()["items"]
    assert [item["child"]["id"] for item in due] == [api.ids["child_a"]]
    export = api.call("GET", "/api/v1/exports/cases.csv").text.splitlines()
    assert len(export) == 2
    assert export[1].startswith(f"{api.ids['case_a']},")
    everything = api.call("GET", "/api/v1/cases", who="admin").json()["items"]
    assert {item["child"]["id"] for item in everything} == {api.ids["child_a"], api.ids["child_b"]}


def test_no_token_or_a_bad_one(api: Api) -> None:
    for method, _template, path, body, _changes in child_routes(api, "a"):
        check_error(api.client.request(method, path, json=body), 401, "NotAuthenticated")
        bad = {"Authorization": "Bearer nope"}
        response = api.client.request(method, path, json=body, headers=bad)
        check_error(response, 401, "NotAuthenticated")

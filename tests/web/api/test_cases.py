"""Cases through HTTP: the priority list with filters and pages, a case's detail, stale and
forbidden transitions, services, referrals and the follow-ups due."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from ipec.monitoring import Case, CaseKind, CaseStatus, Sex
from ipec.monitoring.followup import add_months
from ipec.monitoring.models import FollowUp
from ipec.monitoring.service import ChildInput, register_household
from ipec.web.api.common import today
from tests.web.api.conftest import Api, check_error


def _add_cases(api: Api) -> dict[str, int]:
    """Four more cases in district A, one per priority rank, aged 17, 15, 8 and 15 today (the
    world's girl, born 2014 and opened 2026-01-02, is neither worst form nor hazardous)."""
    made: dict[str, int] = {}
    today = datetime.now(UTC).date()

    def aged(years: int) -> date:
        return add_months(today, -12 * years - 2)

    specs = [  # name, sex, birth, worst forms, hazardous, opened
        ("worst", Sex.MALE, aged(17), True, False, date(2026, 3, 1)),
        ("hazard", Sex.MALE, aged(15), False, True, date(2026, 3, 1)),
        ("young boy", Sex.MALE, aged(8), False, False, date(2026, 3, 1)),
        ("older boy", Sex.MALE, aged(15), False, False, date(2025, 12, 1)),
    ]
    with Session(api.engine) as session, session.begin():
        for name, sex, birth, worst, hazardous, opened in specs:
            child = ChildInput(name, sex, birth)
            household = register_household(session, area_id=api.ids["area_a"], head_name="H",
                                           actor="admin", children=[child])  # fmt: skip
            case = Case(child_id=household.children[0].id, kind=CaseKind.CHILD_LABOUR,
                        status=CaseStatus.IN_REMEDIATION, worst_forms=worst, hazardous=hazardous,
                        opened_on=opened)  # fmt: skip
            session.add(case)
            session.flush()
            made[name] = case.id
        session.add(FollowUp(case_id=made["hazard"], due_on=date(2026, 6, 1)))
    return made


def _ids(api: Api, query: str = "") -> list[int]:
    response = api.call("GET", f"/api/v1/cases{query}")
    assert response.status_code == 200, response.text
    return [item["case"]["id"] for item in response.json()["items"]]


def test_priority_order_filters_and_pages(api: Api) -> None:
    made = _add_cases(api)
    girl = api.ids["case_a"]
    # Worst forms, hazardous work, under 12, girls, then the oldest case.
    assert _ids(api) == [made["worst"], made["hazard"], made["young boy"], girl,
                         made["older boy"]]  # fmt: skip
    assert _ids(api, "?sex=female") == [girl]
    assert _ids(api, "?worst_forms=true") == [made["worst"]]
    assert _ids(api, "?status=identified") == [girl]
    assert _ids(api, "?max_age=11") == [made["young boy"]]
    assert _ids(api, "?min_age=16") == [made["worst"]]
    # The girl's follow-up (due 2026-04-20) and the hazard case's (2026-06-01) are overdue.
    assert _ids(api, "?overdue=true") == [made["hazard"], girl]
    assert _ids(api, "?search=older") == [made["older boy"]]
    assert _ids(api, "?search=%25") == []
    first = api.call("GET", "/api/v1/cases?per_page=2").json()
    second = api.call("GET", "/api/v1/cases?per_page=2&page=3").json()
    assert (first["has_next"], second["has_next"]) == (True, False)
    assert [item["case"]["id"] for item in second["items"]] == [made["older boy"]]
    item = first["items"][1]
    assert (item["area_name"], item["overdue_follow_ups"]) == ("A", 1)
    # empty values are "any", as a filter form sends its "All" choices
    blank = api.call("GET", "/api/v1/cases?per_page=2&area_id=&status=&sex=&search=")
    assert blank.status_code == 200
    assert blank.json() == first
    error = check_error(api.call("GET", "/api/v1/cases?min_age=12&max_age=5"), 422, "DataError")
    assert "min_age 12 is above max_age 5" in error["message"]
    check_error(api.call("GET", "/api/v1/cases?status=lost"), 422, "ValidationError")


def test_case_detail_and_transitions(api: Api) -> None:
    path = f"/api/v1/cases/{api.ids['case_a']}"
    detail = api.call("GET", path).json()
    assert detail["allowed_actions"] == ["plan"]
    assert [s["type"] for s in detail["services"]] == ["school_kit"]
    assert [r["status"] for r in detail["referrals"]] == ["sent"]
    assert [f["due_on"] for f in detail["follow_ups"]] == ["2026-04-20"]
    version = detail["version"]
    moved = api.call("POST", f"{path}/transitions", {"action": "plan", "version": version})
    assert (moved.json()["status"], moved.json()["version"]) == ("action_planned", version + 1)
    stale = api.call("POST", f"{path}/transitions",
                     {"action": "start_remediation", "version": version})  # fmt: skip
    message = check_error(stale, 409, "Conflict")["message"]
    assert f"case {api.ids['case_a']} was changed by someone else" in message
    assert f"you read version {version}; it is now action_planned" in message
    forbidden = api.call("POST", f"{path}/transitions", {"action": "close", "version": version + 1})
    check_error(forbidden, 409, "InvalidTransition")
    events = api.call("GET", path).json()["events"]
    assert [(e["action"], e["to_status"], e["actor"]) for e in events] == [
        ("plan", "action_planned", "monitor")
    ]
    started = api.call("POST", f"{path}/transitions",
                       {"action": "start_remediation", "version": version + 1})  # fmt: skip
    assert started.json()["status"] == "in_remediation"
    start = today()
    due = [f["due_on"] for f in api.call("GET", path).json()["follow_ups"]]
    # the rolling schedule starts afresh: the follow-up waiting from before (20 April) is
    # dropped, the first two are 3 and 6 months after the start
    assert due == [add_months(start, 3).isoformat(), add_months(start, 6).isoformat()]


def test_services_and_referrals(api: Api) -> None:
    case = api.ids["case_a"]
    early = {"type": "bridging_class", "started_on": "2025-12-01"}
    error = check_error(api.call("POST", f"/api/v1/cases/{case}/services", early), 422, "DataError")
    assert "before the case opened" in error["message"]
    service = api.ids["service_a"]
    ended = api.call("PATCH", f"/api/v1/services/{service}", {"ended_on": "2026-07-01"})
    assert ended.json()["ended_on"] == "2026-07-01"
    backwards = api.call("PATCH", f"/api/v1/services/{service}", {"ended_on": "2026-01-01"})
    check_error(backwards, 422, "DataError")
    referral = f"/api/v1/referrals/{api.ids['referral_a']}"
    done_too_soon = check_error(api.call("PATCH", referral, {"status": "done"}), 409, "Conflict")
    assert "allowed next statuses: accepted, rejected, revoked" in done_too_soon["message"]
    assert api.call("PATCH", referral, {"status": "accepted"}).json()["status"] == "accepted"
    assert api.call("PATCH", referral, {"status": "done"}).json()["status"] == "done"
    final = check_error(api.call("PATCH", referral, {"status": "revoked"}), 409, "Conflict")
    assert "none (it is final)" in final["message"]
    again = {"partner_id": api.ids["partner"], "reason": "support", "sent_on": "2026-02-01",
             "service": "health"}  # fmt: skip
    sent = api.call("POST", f"/api/v1/cases/{case}/referrals", again)
    assert sent.status_code == 201, sent.text
    assert (sent.json()["consent_id"], sent.json()["service"]) == (api.ids["consent_a"], "health")
    rejected = f"/api/v1/referrals/{sent.json()['id']}"
    no_reason = check_error(api.call("PATCH", rejected, {"status": "rejected"}), 422, "DataError")
    assert "needs a reason" in no_reason["message"]
    answered = api.call("PATCH", rejected, {"status": "rejected", "note": "no place"}).json()
    assert (answered["status"], answered["answer_note"]) == ("rejected", "no place")
    withdrawn = api.call("POST", f"/api/v1/consents/{api.ids['consent_a']}/withdrawal",
                         {"withdrawn_on": "2026-03-01", "reason": "changed mind"})  # fmt: skip
    assert withdrawn.json()["withdrawn_by"] == "monitor"
    error = check_error(api.call("POST", f"/api/v1/cases/{case}/referrals", again), 422,
                        "DataError")  # fmt: skip
    assert "withdrawn on 2026-03-01" in error["message"]
    override = {**again, "override_reason": "urgent"}
    error = check_error(api.call("POST", f"/api/v1/cases/{case}/referrals", override), 422,
                        "DataError")  # fmt: skip
    assert "only for a worst form" in error["message"]
    old_shape = {**again, "consent": True}
    check_error(api.call("POST", f"/api/v1/cases/{case}/referrals", old_shape), 422,
                "ValidationError")  # fmt: skip
    unknown = {**again, "partner_id": 999}
    check_error(api.call("POST", f"/api/v1/cases/{case}/referrals", unknown), 404, "NotFound")


def test_follow_ups_due(api: Api) -> None:
    due = api.call("GET", "/api/v1/follow-ups").json()
    assert [(i["follow_up"]["id"], i["overdue"]) for i in due["items"]] == [
        (api.ids["follow_up_a"], True)
    ]
    assert api.call("GET", "/api/v1/follow-ups?due_by=2026-03-01").json()["items"] == []
    overdue = api.call("GET", "/api/v1/follow-ups?overdue_only=true").json()["items"]
    assert len(overdue) == 1

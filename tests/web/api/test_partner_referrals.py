"""A partner user through the API (SQLite, PostgreSQL): its referrals with the minimal view,
its answers, and nothing else on any route (IDOR attempts on every child route of both
districts, and on another partner's referral)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry
from tests.web.api.conftest import Api, check_error
from tests.web.api.test_access import child_routes

_PARTNER = "/api/v1/partner/referrals"


def _other_partners_referral(api: Api) -> int:
    """A referral of child A to a second partner, sent by the administrator."""
    made = api.call("POST", "/api/v1/partners", {"name": "Other NGO", "kind": "ngo"}, who="admin")
    assert made.status_code == 201, made.text
    other = made.json()["id"]
    consent = {"purpose": "referral", "given_by": "child", "given_on": "2026-02-01",
               "partner_id": other}  # fmt: skip
    child = api.ids["child_a"]
    given = api.call("POST", f"/api/v1/children/{child}/consents", consent, who="admin")
    assert given.status_code == 201, given.text
    body = {"partner_id": other, "reason": "school", "sent_on": "2026-02-02"}
    sent = api.call("POST", f"/api/v1/cases/{api.ids['case_a']}/referrals", body, who="admin")
    assert sent.status_code == 201, sent.text
    return int(sent.json()["id"])


def test_the_partner_sees_its_referrals_minimally(api: Api) -> None:
    listed = api.call("GET", _PARTNER, who="partner")
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [item["id"] for item in items] == [api.ids["referral_b"], api.ids["referral_a"]]
    first = items[1]
    # child A: born 2014-01-01, a girl; the contact given with the consent
    assert first["pseudonym"] == f"C-{api.ids['child_a']:07d}"
    assert (first["sex"], first["service"], first["contact"]) == ("female", "health", "phone of a")
    assert set(first) == {"id", "status", "sent_on", "service", "answer_note", "shared",
                          "pseudonym", "age", "sex", "contact", "answers"}  # fmt: skip
    assert "child a" not in listed.text  # the child's name is never sent
    one = api.call("GET", f"{_PARTNER}/{api.ids['referral_a']}", who="partner").json()
    assert one == first


def _records_read(api: Api) -> list[str]:
    """The partner's audit rows of a record read or changed (security events aside)."""
    records = {"child", "case", "household", "referral", "visit", "consent", "follow_up",
               "service", "metrics", "export"}  # fmt: skip
    with Session(api.engine) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "partner"))
        return [action for action in actions if action.split(".")[0] in records]


def test_the_partner_reaches_nothing_else_on_any_route(api: Api) -> None:
    """Every route that holds a child's record, for both districts, even for the children
    its referrals concern: a record in the path is not found; a list, a figure or a new
    household is refused or not found; nothing is read or changed (no audit row)."""
    for key in ("a", "b"):
        for method, template, path, body, _changes in child_routes(api, key):
            response = api.call(method, path, body, who="partner")
            if "_id}" in template:  # a record (child, case, referral...) in the path
                check_error(response, 404, "NotFound")
            else:
                assert response.status_code in (403, 404), (method, path, response.text)
    assert _records_read(api) == []
    other = _other_partners_referral(api)
    check_error(api.call("GET", f"{_PARTNER}/{other}", who="partner"), 404, "NotFound")
    answer = {"status": "accepted"}
    check_error(api.call("POST", f"{_PARTNER}/{other}/answer", answer, who="partner"), 404,
                "NotFound")  # fmt: skip
    check_error(api.call("GET", f"{_PARTNER}/999999", who="partner"), 404, "NotFound")
    # staff use the case's routes: the partner routes are not theirs
    check_error(api.call("GET", _PARTNER), 403, "PermissionDenied")
    mine = api.ids["referral_a"]
    check_error(api.call("GET", f"{_PARTNER}/{mine}"), 404, "NotFound")
    check_error(api.call("POST", f"{_PARTNER}/{mine}/answer", answer), 404, "NotFound")


def _answer(api: Api, referral: int, body: dict[str, Any]) -> Any:
    return api.call("POST", f"{_PARTNER}/{referral}/answer", body, who="partner")


def test_the_partner_accepts_rejects_and_reports_done(api: Api) -> None:
    a, b = api.ids["referral_a"], api.ids["referral_b"]
    empty = check_error(_answer(api, a, {"status": "rejected", "note": "  "}), 422, "DataError")
    assert "needs a reason" in empty["message"]
    check_error(_answer(api, a, {"status": "revoked"}), 403, "PermissionDenied")
    check_error(_answer(api, a, {"status": "done"}), 409, "Conflict")
    assert _answer(api, a, {"status": "accepted"}).json()["answers"] == ["done"]
    done = _answer(api, a, {"status": "done", "note": "enrolled"}).json()
    assert (done["status"], done["answer_note"], done["answers"]) == ("done", "enrolled", [])
    rejected = _answer(api, b, {"status": "rejected", "note": "outside our area"}).json()
    assert rejected["status"] == "rejected"
    case = api.call("GET", f"/api/v1/cases/{api.ids['case_a']}", who="admin").json()
    mine = next(r for r in case["referrals"] if r["id"] == a)
    assert (mine["status"], mine["answered_by"]) == ("done", "partner")
    with Session(api.engine) as session:
        actions = list(session.scalars(select(AuditEntry.action)
                                       .where(AuditEntry.actor == "partner")))  # fmt: skip
    # a refused answer is rolled back with its request; the three answers given are kept
    assert (actions.count("referral.change"), actions.count("referral.status")) == (3, 3)


def test_a_withdrawal_hides_the_child_and_the_contact(api: Api) -> None:
    withdrawn = api.call("POST", f"/api/v1/consents/{api.ids['consent_a']}/withdrawal",
                         {"withdrawn_on": "2026-03-01"}, who="admin")  # fmt: skip
    assert withdrawn.status_code == 200, withdrawn.text
    seen = api.call("GET", f"{_PARTNER}/{api.ids['referral_a']}", who="partner").json()
    assert (seen["shared"], seen["pseudonym"], seen["age"], seen["sex"], seen["contact"]) == (
        False, None, None, None, None)  # fmt: skip
    withdrawal = f"/api/v1/consents/{api.ids['consent_a']}/withdrawal"
    twice = api.call("POST", withdrawal, {"withdrawn_on": "2026-03-02"}, who="admin")
    again = check_error(twice, 409, "Conflict")
    assert "already withdrawn" in again["message"]
    consents = api.call("GET", f"/api/v1/children/{api.ids['child_a']}/consents").json()
    assert [(c["purpose"], c["withdrawn_on"]) for c in consents] == [("referral", "2026-03-01")]


def test_bad_consent_input_names_the_field(api: Api) -> None:
    child = api.ids["child_a"]
    path = f"/api/v1/children/{child}/consents"
    no_partner = {"purpose": "referral", "given_by": "caregiver", "given_on": "2026-02-01"}
    error = check_error(api.call("POST", path, no_partner), 422, "DataError")
    assert "names the partner" in error["message"]
    future = {**no_partner, "partner_id": api.ids["partner"], "given_on": "2030-01-01"}
    check_error(api.call("POST", path, future), 422, "DataError")
    unknown = {**no_partner, "given_by": "neighbour"}
    check_error(api.call("POST", path, unknown), 422, "ValidationError")
    check_error(api.call("POST", path, no_partner, who="viewer"), 403, "PermissionDenied")
    outside = f"/api/v1/children/{api.ids['child_b']}/consents"
    check_error(api.call("GET", outside), 404, "NotFound")
    check_error(api.call("POST", f"/api/v1/consents/{api.ids['consent_b']}/withdrawal",
                         {"withdrawn_on": "2026-03-01"}), 404, "NotFound")  # fmt: skip

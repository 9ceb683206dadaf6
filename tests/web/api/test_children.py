"""Children and visits through HTTP: classification on record, follow-ups done by a visit,
stale updates refused, invalid input answered field by field."""

from __future__ import annotations

import json

from ipec.monitoring import Child
from tests.web.api.conftest import Api, check_error

VISIT = {"visit_date": "2026-05-01", "consent": True,
         "record": {"econ_any": True, "econ_hours": 20}}  # fmt: skip


def test_visit_is_classified_and_listed(api: Api) -> None:
    child = api.ids["child_a"]
    response = api.call("POST", f"/api/v1/children/{child}/visits", VISIT)
    assert response.status_code == 201
    visit = response.json()
    # Born 2014-01-01, so 12 on 2026-05-01: 20 hours is above the 14 hours of light work.
    assert (visit["age"], visit["reasons"]) == (12, ["EXCEEDS_LIGHT_WORK_HOURS"])
    assert visit["child_labour"] is True
    assert "14" in visit["explanation"]
    listed = api.call("GET", f"/api/v1/children/{child}/visits").json()
    assert [v["id"] for v in listed] == [visit["id"]]
    cases = api.call("GET", f"/api/v1/children/{child}/cases").json()
    assert [c["id"] for c in cases] == [api.ids["case_a"]]


def test_visit_does_a_follow_up_once_and_not_before_identification(api: Api) -> None:
    child, follow_up = api.ids["child_a"], api.ids["follow_up_a"]
    path = f"/api/v1/children/{child}/visits"
    clean = {**VISIT, "record": {"econ_any": False}, "follow_up_id": follow_up}
    early = {**clean, "visit_date": "2025-12-01"}
    error = check_error(api.call("POST", path, early), 422, "DataError")
    assert "before the case was identified (2026-01-02)" in error["message"]
    assert api.call("POST", path, clean).status_code == 201
    again = check_error(api.call("POST", path, clean), 409, "Conflict")
    assert f"follow-up {follow_up} was already done" in again["message"]
    # Another child's follow-up (here outside the caller's areas) is simply not found.
    other = {**clean, "follow_up_id": api.ids["follow_up_b"]}
    error = check_error(api.call("POST", path, other), 404, "NotFound")
    assert f"follow-up {api.ids['follow_up_b']} not found" in error["message"]
    detail = api.call("GET", f"/api/v1/cases/{api.ids['case_a']}").json()
    assert detail["follow_ups"][0]["visit_id"] is not None


def test_refused_visit_leaves_nothing_written(api: Api) -> None:
    child = api.ids["child_a"]
    bad = {**VISIT, "follow_up_id": api.ids["follow_up_b"]}
    check_error(api.call("POST", f"/api/v1/children/{child}/visits", bad), 404, "NotFound")
    assert api.call("GET", f"/api/v1/children/{child}/visits").json() == []


def test_stale_child_update_is_refused(api: Api) -> None:
    child = api.ids["child_a"]
    version = api.version(Child, child)
    first = api.call("PATCH", f"/api/v1/children/{child}", {"version": version, "name": "Ama"})
    assert (first.status_code, first.json()["name"]) == (200, "Ama")
    stale = api.call("PATCH", f"/api/v1/children/{child}", {"version": version, "name": "Efua"})
    assert "changed by someone else" in check_error(stale, 409, "Conflict")["message"]
    assert api.call("GET", f"/api/v1/children/{child}").json()["name"] == "Ama"
    future = {"version": version + 1, "birth_date": "2999-01-01"}
    error = check_error(api.call("PATCH", f"/api/v1/children/{child}", future), 422, "DataError")
    assert "in the future" in error["message"]
    for field in ("name", "sex", "birth_date"):
        null = api.call("PATCH", f"/api/v1/children/{child}", {"version": version + 1, field: None})
        error = check_error(null, 422, "ValidationError")
        assert f"{field} cannot be null" in error["fields"][0]["message"]
    school = api.call("PATCH", f"/api/v1/children/{child}",
                      {"version": version + 1, "school_status": None})  # fmt: skip
    assert school.status_code == 200


def test_invalid_fields_and_big_or_broken_bodies(api: Api) -> None:
    path = f"/api/v1/children/{api.ids['child_a']}/visits"
    response = api.call("POST", path, {"visit_date": "not a date", "consent": "maybe"})
    error = check_error(response, 422, "ValidationError")
    fields = {f["field"] for f in error["fields"]}
    assert {"body.visit_date", "body.consent", "body.record"} <= fields
    bad_hours = {**VISIT, "record": {"econ_any": True, "econ_hours": 500}}
    error = check_error(api.call("POST", path, bad_hours), 422, "DataError")
    assert "between 0 and 168" in error["message"]
    before_birth = {**VISIT, "visit_date": "2013-06-01"}
    error = check_error(api.call("POST", path, before_birth), 422, "DataError")
    assert "before the child's birth" in error["message"]
    huge = {**VISIT, "monitor": "x" * 30_000}
    check_error(api.call("POST", path, huge), 413, "PayloadTooLarge")
    chunks = (b"x" * 1_000 for _ in range(100))  # no Content-Length: sent chunked
    chunked = api.client.post(path, content=chunks, headers={**api.auth(),
                              "content-type": "application/json"})  # fmt: skip
    check_error(chunked, 413, "PayloadTooLarge")
    small = (part for part in (json.dumps(VISIT).encode(),))
    assert api.client.post(path, content=small, headers={**api.auth(),
                           "content-type": "application/json"}).status_code == 201  # fmt: skip
    headers = {**api.auth(), "content-type": "application/json"}
    garbage = api.client.post(path, content=b"{not json", headers=headers)
    check_error(garbage, 422, "ValidationError")
    check_error(api.call("GET", "/api/v1/children/99999999999"), 422, "ValidationError")


def test_an_undetermined_visit_names_what_to_ask_again(api: Api) -> None:
    """Issue 17: hours not recorded that could cross a threshold leave the visit undetermined;
    the answer names the fields to ask again, and the child is not said to be working legally."""
    child = api.ids["child_a"]
    record = {"econ_any": True, "econ_hours": None}
    response = api.call("POST", f"/api/v1/children/{child}/visits", {**VISIT, "record": record})
    assert response.status_code == 201
    visit = response.json()
    assert (visit["status"], visit["missing"]) == ("undetermined", ["econ_hours"])
    assert (visit["child_labour"], visit["reasons"]) == (False, [])
    assert visit["explanation"].endswith("Ask again: hours of economic activity.")


def test_answers_without_consent_are_refused(api: Api) -> None:
    """The API refuses a visit that carries answers the family did not consent to keep; the
    same visit without answers is kept as a refusal."""
    path = f"/api/v1/children/{api.ids['child_a']}/visits"
    refused = {"visit_date": "2026-05-01", "consent": False,
               "record": {"econ_any": True, "econ_hours": 20}}  # fmt: skip
    error = check_error(api.call("POST", path, refused), 422, "DataError")
    assert "answers without consent (econ_any, econ_hours)" in error["message"]
    kept = api.call("POST", path, {**refused, "record": {}})
    assert kept.status_code == 201
    assert (kept.json()["status"], kept.json()["child_labour"]) == ("consent_refused", False)
    year = "start=2026-01-01&end=2026-12-31"
    counted = api.call("GET", f"/api/v1/metrics/refusals?{year}").json()
    assert counted == {"visits": 1, "children": 1}

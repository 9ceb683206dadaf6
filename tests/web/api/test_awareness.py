"""The awareness routes: record a session in one's area, count them by area and period."""

from __future__ import annotations

from tests.web.api.conftest import Api, check_error


def test_record_and_count(api: Api) -> None:
    a, b = api.ids["area_a"], api.ids["area_b"]
    session = {"held_on": "2026-03-01", "area_id": a, "kind": "school_session",
               "partner_id": api.ids["partner"], "audience": "pupils", "girls": 20,
               "boys": 15}  # fmt: skip
    assert api.call("POST", "/api/v1/awareness", session).status_code == 201
    assert api.call("POST", "/api/v1/awareness", {**session, "kind": "radio", "girls": 0,
                                                  "boys": 0}).status_code == 201  # fmt: skip
    check_error(api.call("POST", "/api/v1/awareness", {**session, "area_id": b}), 404,
                "NotFound")  # fmt: skip
    check_error(api.call("POST", "/api/v1/awareness", session, who="viewer"), 403,
                "PermissionDenied")  # fmt: skip
    future = api.call("POST", "/api/v1/awareness", {**session, "held_on": "2999-01-01"})
    assert "'held_on'" in check_error(future, 422, "DataError")["message"]
    counts = api.call("GET", "/api/v1/awareness/counts?start=2026-01-01&end=2026-06-30").json()
    assert counts[0] == {"kind": "total", "sessions": 2, "women": 0, "men": 0, "girls": 20,
                         "boys": 15, "participants": 35}  # fmt: skip
    assert [c["kind"] for c in counts] == ["total", "school_session", "radio"]

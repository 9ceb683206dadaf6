"""Security events survive the refused request: out-of-scope reads, refused audit-log reads,
stale edits and forged changes leave an audit row written in a transaction of their own; and
sign-out, tokens, areas and partners made through the API are audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import User, principal_of
from ipec.auth.events import repeated_denials
from ipec.errors import PermissionDenied
from ipec.monitoring import AuditEntry, Child
from tests.web.api.conftest import PASSWORD, Api, api, check_error

__all__ = ["api"]  # the served API of tests/web/api, used here as a fixture


def _rows(api: Api, action: str) -> list[AuditEntry]:
    with Session(api.engine) as db:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(db.scalars(query))


def _details(api: Api) -> list[tuple[str, Any, Any]]:
    return [(row.actor, row.detail["status"], row.detail["path"])
            for row in _rows(api, "request.denied")]  # fmt: skip


def test_refused_requests_leave_a_row_that_survives_the_rollback(api: Api) -> None:
    """Regression: the row was written in the request's transaction, rolled back with it."""
    child_b, child_a = api.ids["child_b"], api.ids["child_a"]
    check_error(api.call("GET", f"/api/v1/children/{child_b}"), 404, "NotFound")
    check_error(api.call("GET", "/api/v1/audit"), 403, "PermissionDenied")
    stale = {"version": api.version(Child, child_a) + 7, "name": "renamed"}
    check_error(api.call("PATCH", f"/api/v1/children/{child_a}", stale), 409, "Conflict")
    viewer_change = {"version": api.version(Child, child_a), "name": "renamed"}
    check_error(api.call("PATCH", f"/api/v1/children/{child_a}", viewer_change, who="viewer"),
                403, "PermissionDenied")  # fmt: skip
    assert _details(api) == [
        ("monitor", 404, f"/api/v1/children/{child_b}"),
        ("monitor", 403, "/api/v1/audit"),
        ("monitor", 409, f"/api/v1/children/{child_a}"),
        ("viewer", 403, f"/api/v1/children/{child_a}"),
    ]
    row = _rows(api, "request.denied")[0]
    assert (row.entity, row.origin, row.detail["error"]) == ("request", "testclient", "NotFound")
    assert row.detail["method"] == "GET"


def test_unknown_callers_leave_no_row(api: Api) -> None:
    check_error(api.client.get("/api/v1/children/1"), 401, "NotAuthenticated")
    bad_token = {"Authorization": "Bearer not-a-token"}
    check_error(api.client.get("/api/v1/children/1", headers=bad_token), 401, "NotAuthenticated")
    assert _rows(api, "request.denied") == []


def test_a_forged_change_with_the_session_cookie_is_recorded(api: Api) -> None:
    signed_in = api.client.post("/api/v1/session", json={"username": "monitor",
                                                          "password": PASSWORD})  # fmt: skip
    assert signed_in.status_code == 200
    forged = api.client.post("/api/v1/tokens", json={"label": "stolen cookie"})
    check_error(forged, 403, "PermissionDenied")
    assert _details(api) == [("monitor", 403, "/api/v1/tokens")]
    csrf = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
    assert api.client.delete("/api/v1/session", headers=csrf).status_code == 204
    [out] = _rows(api, "sign_out")
    assert (out.actor, out.origin) == ("monitor", "testclient")
    assert [row.actor for row in _rows(api, "sign_in.success")] == ["monitor"]


def test_tokens_areas_and_partners_made_through_the_api_are_audited(api: Api) -> None:
    made = api.call("POST", "/api/v1/tokens", {"label": "nightly", "days": 30})
    token_id = api.call("GET", "/api/v1/tokens").json()[0]["id"]
    assert made.status_code == 201
    api.call("DELETE", f"/api/v1/tokens/{token_id}")
    assert _rows(api, "token.create")[-1].detail == {"token": token_id, "label": "nightly",
                                                     "days": 30}  # fmt: skip
    assert [r.detail for r in _rows(api, "token.revoke")] == [{"token": token_id}]
    new_area = {"name": "C", "level": "district", "parent_id": api.ids["country"]}
    area = api.call("POST", "/api/v1/areas", new_area, who="admin")
    partner = api.call("POST", "/api/v1/partners", {"name": "School board", "kind": "ngo"},
                       who="admin")  # fmt: skip
    assert (area.status_code, partner.status_code) == (201, 201)
    [area_row] = _rows(api, "area.create")
    assert (area_row.actor, area_row.entity_id) == ("admin", area.json()["id"])
    [partner_row] = _rows(api, "partner.create")
    assert (partner_row.actor, partner_row.entity_id) == ("admin", partner.json()["id"])


def test_repeated_refusals_are_counted_by_user_and_address(api: Api) -> None:
    for _ in range(3):
        api.call("GET", f"/api/v1/children/{api.ids['child_b']}")
    api.call("GET", "/api/v1/audit", who="viewer")
    since = datetime.now(UTC) - timedelta(hours=1)
    with Session(api.engine) as db:
        admin = db.scalars(select(User).where(User.username == "admin")).one()
        monitor = db.scalars(select(User).where(User.username == "monitor")).one()
        found = repeated_denials(db, principal_of(db, admin), since=since)
        assert [(d.actor, d.origin, d.count) for d in found] == [("monitor", "testclient", 3)]
        with pytest.raises(PermissionDenied, match="only an administrator of the whole"):
            repeated_denials(db, principal_of(db, monitor), since=since)

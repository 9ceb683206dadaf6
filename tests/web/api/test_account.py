"""Signing in with the session cookie (Secure, HttpOnly, SameSite), the anti-forgery header
on changes, signing out, API tokens, throttling, and the audit log for administrators."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user, issue_token
from ipec.config import load_settings
from ipec.errors import ConfigurationError
from tests.web.api.conftest import PASSWORD, Api, check_error


def _sign_in(api: Api, username: str = "monitor", password: str = PASSWORD) -> dict[str, str]:
    response = api.client.post("/api/v1/session", json={"username": username,
                                                        "password": password})  # fmt: skip
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    for flag in ("ipec_session=", "Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert flag in cookie, cookie
    body = response.json()
    assert (body["username"], body["role"]) == (username, "monitor")
    return {"X-CSRF-Token": body["csrf_token"]}


def test_session_cookie_reads_and_changes_with_csrf(api: Api) -> None:
    csrf = _sign_in(api)
    child = api.ids["child_a"]
    assert api.client.get(f"/api/v1/children/{child}").status_code == 200
    me = api.client.get("/api/v1/me").json()
    assert (me["username"], me["csrf_token"]) == ("monitor", csrf["X-CSRF-Token"])
    change = {"version": 2, "school_status": "enrolled"}
    forged = api.client.patch(f"/api/v1/children/{child}", json=change)
    assert "X-CSRF-Token" in check_error(forged, 403, "PermissionDenied")["message"]
    wrong = api.client.patch(f"/api/v1/children/{child}", json=change,
                             headers={"X-CSRF-Token": "0" * 64})  # fmt: skip
    check_error(wrong, 403, "PermissionDenied")
    right = api.client.patch(f"/api/v1/children/{child}", json=change, headers=csrf)
    assert right.status_code == 200, right.text
    check_error(api.client.delete("/api/v1/session"), 403, "PermissionDenied")
    assert api.client.get("/api/v1/me").status_code == 200  # a forged sign-out did nothing
    out = api.client.delete("/api/v1/session", headers=csrf)
    assert out.status_code == 204
    check_error(api.client.get(f"/api/v1/children/{child}"), 401, "NotAuthenticated")


def test_signed_out_token_stays_dead(api: Api) -> None:
    csrf = _sign_in(api)
    token = api.client.cookies.get("ipec_session")
    assert token
    assert api.client.delete("/api/v1/session", headers=csrf).status_code == 204
    api.client.cookies.set("ipec_session", token, domain="testserver.local")
    check_error(api.client.get("/api/v1/me"), 401, "NotAuthenticated")


def test_wrong_password_is_throttled_with_one_message(api: Api) -> None:
    for _ in range(5):
        attempt = {"username": "monitor", "password": "not the password"}
        wrong = api.client.post("/api/v1/session", json=attempt)
        assert check_error(wrong, 403, "PermissionDenied")["message"] == (
            "wrong username or password"
        )
    unknown = api.client.post("/api/v1/session", json={"username": "nobody", "password": "x"})
    assert check_error(unknown, 403, "PermissionDenied")["message"] == "wrong username or password"
    locked = api.client.post("/api/v1/session", json={"username": "monitor",
                                                      "password": PASSWORD})  # fmt: skip
    assert "waits" in check_error(locked, 403, "AccountLocked")["message"]


def test_tokens_for_machines(api: Api) -> None:
    made = api.call("POST", "/api/v1/tokens", {"label": "nightly export"})
    assert made.status_code == 201
    token = made.json()["token"]
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "monitor"
    wrong_scheme = api.client.get("/api/v1/me", headers={"Authorization": f"Basic {token}"})
    check_error(wrong_scheme, 401, "NotAuthenticated")
    listed = api.call("GET", "/api/v1/tokens").json()
    assert [t["label"] for t in listed] == ["nightly export", "test"]
    fields = {"id", "label", "created_at", "expires_at", "revoked", "works"}
    assert all(set(t) == fields for t in listed)
    revoked = api.call("DELETE", f"/api/v1/tokens/{listed[0]['id']}")
    assert revoked.json()["revoked"] is True
    dead = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    check_error(dead, 401, "NotAuthenticated")
    others = api.call("GET", "/api/v1/tokens", who="viewer").json()
    check_error(api.call("DELETE", f"/api/v1/tokens/{others[0]['id']}"), 404, "NotFound")
    assert api.call("GET", "/api/v1/me", who="viewer").status_code == 200


def test_audit_log_is_for_administrators_of_the_whole_programme(api: Api) -> None:
    api.call("GET", f"/api/v1/children/{api.ids['child_a']}")
    check_error(api.call("GET", "/api/v1/audit"), 403, "PermissionDenied")
    with Session(api.engine) as session, session.begin():
        district_admin = create_user(session, username="district-admin", display_name="D",
                                     password=PASSWORD, role=Role.ADMIN,
                                     area_id=api.ids["area_a"])  # fmt: skip
        api.tokens["district-admin"] = issue_token(session, user=district_admin, label="t")
    refused = api.call("GET", "/api/v1/audit", who="district-admin")
    assert "whole programme" in check_error(refused, 403, "PermissionDenied")["message"]
    entries = api.call("GET", "/api/v1/audit?actor=monitor", who="admin").json()
    # The refused reading of the log is itself kept (a security event), then the child read.
    assert (entries[0]["action"], entries[0]["detail"]["status"]) == ("request.denied", 403)
    assert entries[1]["action"] == "child.read"
    assert (entries[1]["entity"], entries[1]["entity_id"]) == ("child", api.ids["child_a"])
    assert entries[1]["origin"] == "testclient"
    reads = api.call("GET", "/api/v1/audit?entity=audit", who="admin").json()
    assert [entry["action"] for entry in reads] == ["audit.read"]  # the first read, logged


def test_default_secret_refused_outside_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPEC_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="secret key is the default"):
        load_settings()
    assert load_settings(demo=True).demo
    assert load_settings(secret_key="s" * 40).secret_key == "s" * 40

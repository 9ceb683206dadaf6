"""Other users' credentials over the API: an administrator lists and revokes a user's tokens
and ends their sign-in wait; nobody else reaches them, and tokens end with what should end
them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import User, principal_of
from ipec.auth.service import update_user
from ipec.monitoring import AuditEntry
from tests.web.api.conftest import PASSWORD, Api, check_error


def _user_id(api: Api, name: str) -> int:
    with Session(api.engine) as db:
        found = db.scalar(select(User.id).where(User.username == name))
        assert found is not None
        return found


def test_an_administrator_revokes_another_users_token(api: Api) -> None:
    monitor = _user_id(api, "monitor")
    listed = api.call("GET", f"/api/v1/users/{monitor}/tokens", who="admin")
    assert listed.status_code == 200, listed.text
    [token] = listed.json()
    assert (token["label"], token["works"], token["revoked"]) == ("test", True, False)
    revoked = api.call("DELETE", f"/api/v1/users/{monitor}/tokens/{token['id']}", who="admin")
    assert (revoked.json()["works"], revoked.json()["revoked"]) == (False, True)
    check_error(api.call("GET", "/api/v1/me"), 401, "NotAuthenticated")
    with Session(api.engine) as db:
        row = db.scalars(select(AuditEntry).where(AuditEntry.action == "token.revoke")).one()
    assert (row.actor, row.entity_id, row.detail) == ("admin", monitor, {"token": token["id"]})


def test_only_managers_reach_other_users_credentials(api: Api) -> None:
    admin, viewer = _user_id(api, "admin"), _user_id(api, "viewer")
    for method, path in (("GET", f"/api/v1/users/{admin}/tokens"),
                         ("POST", f"/api/v1/users/{viewer}/unlock"),
                         ("DELETE", f"/api/v1/users/{admin}/tokens/1")):  # fmt: skip
        check_error(api.call(method, path), 403, "PermissionDenied")
    missing = api.call("GET", "/api/v1/users/424242/tokens", who="admin")
    assert check_error(missing, 404, "NotFound")["message"] == "user 424242 not found"


def test_an_administrator_ends_a_wait(api: Api) -> None:
    for _ in range(5):
        api.client.post("/api/v1/session", json={"username": "viewer", "password": "wrong one!"})
    waiting = api.client.post("/api/v1/session", json={"username": "viewer", "password": PASSWORD})
    check_error(waiting, 403, "AccountLocked")
    unlocked = api.call("POST", f"/api/v1/users/{_user_id(api, 'viewer')}/unlock", who="admin")
    assert unlocked.status_code == 204
    signed_in = api.client.post("/api/v1/session", json={"username": "viewer",
                                                          "password": PASSWORD})  # fmt: skip
    assert signed_in.status_code == 200, signed_in.text


def test_a_token_has_an_expiry_within_a_year(api: Api) -> None:
    made = api.call("POST", "/api/v1/tokens", {"label": "a week", "days": 7})
    expires = datetime.fromisoformat(made.json()["expires_at"]).replace(tzinfo=UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=5)
    forever = api.call("POST", "/api/v1/tokens", {"label": "forever", "days": 100_000})
    error = check_error(forever, 422, "ValidationError")
    assert error["fields"][0]["field"] == "body.days"


def test_a_deactivated_then_reactivated_user_has_no_old_tokens(api: Api) -> None:
    """Regression: reactivating a user revived every token they had."""
    with Session(api.engine) as db, db.begin():
        monitor = db.scalars(select(User).where(User.username == "monitor")).one()
        admin = db.scalars(select(User).where(User.username == "admin")).one()
        update_user(db, principal_of(db, admin), monitor.id, active=False)
        update_user(db, principal_of(db, admin), monitor.id, active=True)
    check_error(api.call("GET", "/api/v1/me"), 401, "NotAuthenticated")

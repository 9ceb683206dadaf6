"""A user's credentials on their administration page: the administrator sees their API tokens
and their sign-in wait, revokes a token and unlocks the account by pressing the buttons."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import User
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import Site, audit_actions, post


def _user_id(site: Site, name: str) -> int:
    with Session(site.engine) as db:
        found = db.scalar(select(User.id).where(User.username == name))
        assert found is not None
        return found


def test_an_administrator_revokes_a_token_and_unlocks_an_account(site: Site) -> None:
    for _ in range(5):
        site.client.post("/api/v1/session", json={"username": "monitor", "password": "no!"})
    csrf = site.sign_in("admin")
    monitor = _user_id(site, "monitor")
    page = site.client.get(f"/admin/users/{monitor}")
    assert "After 5 failed sign-ins in a row" in page.text
    assert "<td>test</td>" in page.text
    assert "Works" in page.text
    token_id = page.text.split(f"/admin/users/{monitor}/tokens/")[1].split("/")[0]
    revoked = post(site, f"/admin/users/{monitor}/tokens/{token_id}/revoke", {"csrf_token": csrf})
    assert revoked.status_code == 303
    after = site.client.get(revoked.headers["location"]).text
    assert "Revoked" in after
    assert "/revoke" not in after
    unlocked = post(site, f"/admin/users/{monitor}/unlock", {"csrf_token": csrf})
    assert unlocked.status_code == 303
    assert "The account does not wait" in site.client.get(f"/admin/users/{monitor}").text
    assert {"token.revoke", "user.unlock"} <= set(audit_actions(site, "admin"))
    signed_in = site.client.post("/api/v1/session", json={"username": "monitor",
                                                           "password": PASSWORD})  # fmt: skip
    assert signed_in.status_code == 200


def test_the_buttons_need_the_forms_token(site: Site) -> None:
    site.sign_in("admin")
    monitor = _user_id(site, "monitor")
    forged = post(site, f"/admin/users/{monitor}/unlock", {})
    assert forged.status_code == 403


def test_a_monitor_cannot_unlock_anyone(site: Site) -> None:
    csrf = site.sign_in("monitor")
    viewer = _user_id(site, "viewer")
    assert post(site, f"/admin/users/{viewer}/unlock", {"csrf_token": csrf}).status_code == 403


def test_wrong_current_passwords_count_on_the_change_form(site: Site) -> None:
    """Regression: wrong current passwords neither counted nor slowed down."""
    csrf = site.sign_in("monitor")
    form = {"csrf_token": csrf, "new_password": "a brand new passphrase",
            "repeat_password": "a brand new passphrase"}  # fmt: skip
    for _ in range(5):
        wrong = post(site, "/account/password", {**form, "current_password": "a wrong guess"})
        assert wrong.status_code == 422
        assert "The current password is wrong." in wrong.text
    waiting = post(site, "/account/password", {**form, "current_password": PASSWORD})
    assert waiting.status_code == 422
    assert "Too many wrong passwords" in waiting.text
    assert audit_actions(site).count("password.failure") == 5

"""An administrator's hold on sign-in and tokens, pressed in a real browser: the audit page's
filters left empty and then filled, a user made to wait by wrong passwords unlocked, and
another user's token revoked; the user then signs in and the token no longer works."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.auth.service import issue_token
from tests.conftest import needs_chromium
from tests.web.pages.conftest import (
    PASSWORD,
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)

pytestmark = needs_chromium


def _user_id(site: LiveSite, name: str) -> int:
    with Session(site.engine) as session:
        return session.scalars(select(User.id).where(User.username == name)).one()


def test_an_administrator_filters_unlocks_and_revokes(browser: Any, live_site: LiveSite) -> None:
    with Session(live_site.engine) as session, session.begin():
        monitor = session.scalars(select(User).where(User.username == "monitor")).one()
        token = issue_token(session, user=monitor, label="tablet")
    api = httpx.Client(base_url=live_site.url)
    try:
        _press(browser, live_site, api, token)
    finally:
        api.close()


def _press(browser: Any, live_site: LiveSite, api: httpx.Client, token: str) -> None:
    for _ in range(5):  # five wrong passwords: the viewer's account waits
        wrong = api.post("/api/v1/session", json={"username": "viewer", "password": "nope"})
        assert wrong.status_code == 403
    waiting = api.post("/api/v1/session", json={"username": "viewer", "password": PASSWORD})
    assert waiting.status_code != 200
    page = sign_in_page(browser, live_site, "admin")
    # the audit filters pressed as left (all empty), then with an action typed
    page.goto(f"{live_site.url}/admin/audit")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("load")
    assert page.locator("table.list").last.locator("tbody tr").count() > 0
    page.get_by_label("Action (sign_in.failure, request.denied...)").fill("sign_in.failure")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("load")
    entries = page.locator("table.list").last  # after the table of repeated refusals
    actions = entries.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert actions
    assert set(actions) == {"sign_in.failure"}
    assert accessibility_violations(page) == []
    # the viewer unlocked: it signs in at once
    page.goto(f"{live_site.url}/admin/users/{_user_id(live_site, 'viewer')}")
    page.get_by_role("button", name="Unlock: let the user sign in now").click()
    page.wait_for_load_state("load")
    assert "The account does not wait: the user may sign in." in page.content()
    signed = api.post("/api/v1/session", json={"username": "viewer", "password": PASSWORD})
    assert signed.status_code == 200
    # the monitor's token revoked: it no longer opens the API
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    page.goto(f"{live_site.url}/admin/users/{_user_id(live_site, 'monitor')}")
    page.get_by_role("row").filter(has_text="tablet").get_by_role("button", name="Revoke").click()
    page.wait_for_load_state("load")
    assert page.locator("table.list", has_text="tablet").get_by_text("Revoked").count() == 1
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    screenshot(page, "admin-token-revoked")
    page.close()


def test_an_administrator_edits_a_partner_on_a_phone(browser: Any, live_site: LiveSite) -> None:
    """The partner form sent as left (dates empty), then with an agreement that ends before
    it starts (refused beside the field), then right: saved and shown again."""
    partner = live_site.ids["partner"]
    phone = sign_in_page(browser, live_site, "admin", phone=True)
    phone.goto(f"{live_site.url}/partners/{partner}")
    phone.get_by_role("button", name="Save the partner").click()
    phone.wait_for_load_state("load")
    assert phone.locator(".error").count() == 0
    phone.get_by_label("Agreement from (optional)").fill("2026-06-01")
    phone.get_by_label("Agreement to (optional)").fill("2026-01-01")
    phone.get_by_role("button", name="Save the partner").click()
    phone.wait_for_load_state("load")
    assert phone.locator("#agreement_to-error").inner_text() == (
        "The agreement cannot end before it starts."
    )
    assert accessibility_violations(phone) == []
    phone.get_by_label("Agreement to (optional)").fill("2027-05-31")
    phone.get_by_label("Contact").fill("Mr Boateng, +233 24 000 0000")
    phone.get_by_role("button", name="Save the partner").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_label("Agreement to (optional)").input_value() == "2027-05-31"
    assert phone.get_by_label("Contact").input_value() == "Mr Boateng, +233 24 000 0000"
    screenshot(phone, "partner-edited-phone")
    phone.close()

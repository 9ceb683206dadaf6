"""In a real browser: a supervisor of one district sees only that district, a viewer can
change nothing, and the dashboard and administration pages pass axe-core."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from tests.conftest import needs_chromium
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)

pytestmark = needs_chromium


def _card(page: Any, label: str) -> str:
    """The value of the card whose label starts with ``label``."""
    card = page.locator("li.card").filter(has_text=label)
    return str(card.locator(".value").inner_text())


def test_a_supervisor_sees_only_their_district(browser: Any, live_site: LiveSite) -> None:
    with Session(live_site.engine) as session, session.begin():
        create_user(
            session,
            username="supervisor",
            display_name="Supervisor of A",
            password=PASSWORD,
            role=Role.SUPERVISOR,
            area_id=live_site.ids["area_a"],
        )
    page = sign_in_page(browser, live_site, "supervisor")
    page.goto(f"{live_site.url}/dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard: A"
    assert _card(page, "In remediation") == "1"  # A's case only (the country has two)
    assert _card(page, "Overdue follow-ups") == "1"
    assert page.get_by_role("link", name="B", exact=True).count() == 0
    assert page.get_by_role("link", name="Country", exact=True).count() == 0
    assert page.get_by_role("link", name="Administration").count() == 0
    assert accessibility_violations(page) == []
    screenshot(page, "pages-dashboard-supervisor")
    page.goto(f"{live_site.url}/dashboard?area_id={live_site.ids['area_b']}")
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    page.goto(f"{live_site.url}/cases")
    assert page.get_by_role("link", name="child a").count() == 1
    assert page.get_by_role("link", name="child b").count() == 0


def test_a_viewer_cannot_change_anything(browser: Any, live_site: LiveSite) -> None:
    page = sign_in_page(browser, live_site, "viewer")
    # Only the buttons of the reading filters (forms that GET), no action.
    for path, buttons in (("/dashboard", ["Show"]), ("/cases", ["Filter"])):
        page.goto(f"{live_site.url}{path}")
        assert page.locator("main form[method=post]").count() == 0, path
        assert page.locator("main button").all_inner_texts() == buttons, path
    page.goto(f"{live_site.url}/admin")
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"
    assert page.locator("main form").count() == 0
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for path, form in (
        ("/admin/users", {"username": "x9", "display_name": "X", "password": PASSWORD,
                          "role": "viewer", "area_id": str(live_site.ids["area_a"])}),
        ("/admin/areas", {"name": "X", "level": "village",
                          "parent_id": str(live_site.ids["area_a"])}),
        (f"/admin/users/{live_site.ids['country']}", {"active": "false"}),
    ):  # fmt: skip
        answer = page.request.post(f"{live_site.url}{path}", form={"csrf_token": csrf, **form})
        assert answer.status == 403, path


def test_administration_pages_are_accessible(browser: Any, live_site: LiveSite) -> None:
    page = sign_in_page(browser, live_site, "admin")
    for path, name in (("/admin", "users"), ("/admin/areas", "areas"),
                       ("/admin/profile", "profile"), ("/admin/audit", "audit")):  # fmt: skip
        page.goto(f"{live_site.url}{path}")
        assert accessibility_violations(page) == [], path
        screenshot(page, f"pages-admin-{name}")
    page.goto(f"{live_site.url}/admin")
    page.get_by_role("button", name="Add the user").click()
    page.wait_for_load_state("load")
    assert page.locator("#role-error").is_visible()
    assert accessibility_violations(page) == []
    phone = sign_in_page(browser, live_site, "admin", phone=True)
    phone.goto(f"{live_site.url}/dashboard")
    assert accessibility_violations(phone) == []
    screenshot(phone, "pages-dashboard-phone")

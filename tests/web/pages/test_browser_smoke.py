"""The pages in a real browser: the case list, and a keyboard-only sign-in."""

from __future__ import annotations

from typing import Any

from tests.conftest import needs_chromium
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)

pytestmark = needs_chromium


def test_case_list_in_a_browser(browser: Any, live_site: LiveSite) -> None:
    page = sign_in_page(browser, live_site, "monitor")
    page.goto(f"{live_site.url}/cases")
    assert page.get_by_role("link", name="child a").count() == 1
    assert page.get_by_role("link", name="child b").count() == 0
    assert accessibility_violations(page) == []
    screenshot(page, "pages-cases")


def test_sign_in_and_reach_the_content_with_the_keyboard_alone(
    browser: Any, live_site: LiveSite
) -> None:
    page = browser.new_page()
    page.goto(f"{live_site.url}/login")
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("monitor")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_site.url}/dashboard")
    page.goto(f"{live_site.url}/cases")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-area"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_the_case_list_filter_button_works_for_every_role(
    browser: Any, live_site: LiveSite
) -> None:
    """The Filter button pressed with what a user leaves in the form: every "All" (sent as
    empty values), then one status chosen, as each role, on a desk and a phone screen."""
    for who, phone in (("monitor", False), ("viewer", True), ("admin", False)):
        page = sign_in_page(browser, live_site, who, phone=phone)
        page.goto(f"{live_site.url}/cases")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state("load")
        assert "area_id=&" in page.url  # the form sent its "All" choices as empty values
        assert page.get_by_role("heading", level=1).inner_text() != "Not found"
        assert page.get_by_text("422").count() == 0
        assert page.get_by_role("link", name="child a").count() == 1, who
        expected_b = 1 if who == "admin" else 0
        assert page.get_by_role("link", name="child b").count() == expected_b, who
        page.locator("#f-status").select_option("closed")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state("load")
        assert "status=closed" in page.url
        assert page.get_by_text("No case matches these filters.").count() == 1, who
        page.close()

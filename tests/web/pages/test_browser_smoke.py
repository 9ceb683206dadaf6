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

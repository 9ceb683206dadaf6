"""A first look in a real browser: sign in, the case list, accessibility."""

from __future__ import annotations

from typing import Any

from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    needs_chromium,
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

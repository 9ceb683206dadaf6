"""The programme page in a real browser: a manager sends the target form empty, then filled
in, on a desk and a phone screen, and reads the table and the chart."""

from __future__ import annotations

from typing import Any

from tests.conftest import needs_chromium
from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)
from tests.web.pages.test_programmes import add_programme

pytestmark = needs_chromium


def test_set_a_target_and_see_it_achieved(browser: Any, live_site: LiveSite) -> None:
    programme = add_programme(live_site.engine, live_site.ids)
    for phone, start in ((False, "2026-01-01"), (True, "2026-07-01")):
        page = sign_in_page(browser, live_site, "admin", phone=phone)
        page.goto(f"{live_site.url}/programmes")
        page.get_by_role("link", name="Cocoa TBP").click()
        page.wait_for_load_state("load")
        # sent as a user leaves it: every select on its first option
        page.get_by_role("button", name="Set the target").click()
        page.wait_for_load_state("load")
        summary = page.get_by_role("alert")
        assert "Choose the indicator." in summary.inner_text()
        assert page.locator("#indicator").get_attribute("aria-invalid") == "true"
        page.get_by_label("Indicator").select_option("E1")
        page.get_by_label("Period", exact=True).select_option("half_year")
        page.get_by_label("First day (the first of a month)").fill(start)
        page.get_by_label("Area").select_option(label="A")
        page.get_by_label("Planned value (a number; for a rate, a percentage)").fill("2")
        page.get_by_role("button", name="Set the target").click()
        page.wait_for_url(f"{live_site.url}/programmes/{programme}#results")
        rows = page.locator("#results-table tbody tr")
        # the school kit of 20 January counts in the first half only
        first = rows.nth(0).inner_text()
        assert "2026-01-01" in first
        assert "50 %" in first
        if phone:
            second = rows.nth(1).inner_text()
            assert "2026-07-01" in second
            assert "0 %" in second
        assert page.locator("#chart-results-caption").count() == 1
        assert accessibility_violations(page) == []
        screenshot(page, f"programme-{'phone' if phone else 'desk'}")
        page.close()

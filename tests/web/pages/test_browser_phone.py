"""On a phone screen, in a real browser: the case list becomes cards that fit the screen, a
failed visit says what to correct above the page, and a saved one says so."""

from __future__ import annotations

from typing import Any

from tests.conftest import needs_chromium
from tests.web.pages.conftest import LiveSite, accessibility_violations, screenshot, sign_in_page

pytestmark = needs_chromium


def test_the_case_list_is_cards_that_fit_a_phone(browser: Any, live_site: LiveSite) -> None:
    page = sign_in_page(browser, live_site, "monitor", phone=True)
    page.goto(f"{live_site.url}/cases")
    row = page.locator("table.list tbody tr").first
    assert row.evaluate("element => getComputedStyle(element).display") == "block"
    cell = page.locator("table.list tbody td[data-label]").first
    label = cell.evaluate("element => getComputedStyle(element, '::before').content")
    assert label == '"Sex: "'
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert accessibility_violations(page) == []
    screenshot(page, "pages-cases-phone")
    desk = sign_in_page(browser, live_site, "monitor")
    desk.goto(f"{live_site.url}/cases")
    first = desk.locator("table.list tbody tr").first
    assert first.evaluate("element => getComputedStyle(element).display") == "table-row"


def test_a_visit_says_what_to_correct_then_that_it_is_saved(
    browser: Any, live_site: LiveSite
) -> None:
    page = sign_in_page(browser, live_site, "monitor", phone=True)
    page.goto(f"{live_site.url}/children/{live_site.ids['child_a']}")
    page.get_by_label("Did any economic activity last week").check()
    page.get_by_label("Hours of economic activity last week").fill("500")
    page.get_by_role("button", name="Record the visit").click()
    page.wait_for_load_state("load")
    summary = page.get_by_role("alert").filter(has_text="Nothing was saved")
    assert summary.count() == 1
    link = summary.get_by_role("link", name="Enter hours from 0 to 168.")
    assert link.get_attribute("href") == "#econ_hours"
    page.get_by_label("Hours of economic activity last week").fill("20")
    page.get_by_role("button", name="Record the visit").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("status").filter(has_text="The visit is saved.").count() == 1
    assert "saved=visit" in page.url
    assert accessibility_violations(page) == []


def test_a_button_says_it_is_working_while_its_form_is_sent(
    browser: Any, live_site: LiveSite
) -> None:
    """The form's sending is held back (as a slow page would be: the page stops it after the
    site's script has seen it): the pressed button says it is working and cannot be pressed
    twice."""
    page = sign_in_page(browser, live_site, "monitor")
    page.goto(f"{live_site.url}/cases")
    page.evaluate("window.addEventListener('submit', event => event.preventDefault())")
    page.get_by_role("button", name="Filter").click()
    busy = page.locator("button[aria-busy='true']")
    assert busy.inner_text() == "Working…"
    page.wait_for_function("document.querySelector(\"button[aria-busy='true']\").disabled")
    assert page.url.endswith("/cases")  # nothing was sent
    page.close()

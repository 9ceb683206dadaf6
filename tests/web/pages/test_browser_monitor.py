"""A monitor's day in a real browser: register a household, find a child in child labour
(the live preview first), give a service, move the case on, do its two follow-ups, and see the
child counted as withdrawn on the dashboard; every page passes axe."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import User
from ipec.monitoring.service import assign_area_monitor
from tests.conftest import needs_chromium
from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)

pytestmark = needs_chromium


def _child(page: Any, row: int, *, name: str, sex: str, born: str) -> None:
    page.locator(f"#child-{row}-name").fill(name)
    page.locator(f"#child-{row}-sex").select_option(sex)
    page.locator(f"#child-{row}-birth_date").fill(born)


def _step(page: Any, action: str) -> None:
    page.get_by_text("Move the case on").click()
    page.get_by_label(action).check()
    page.get_by_role("button", name="Save the step").click()
    page.wait_for_load_state("load")


def _clean_follow_up(page: Any) -> None:
    """Record a visit finding no work, as the first follow-up offered."""
    page.locator("#follow_up_id").select_option(index=1)
    page.locator("#preview").get_by_text("Not working").wait_for()
    page.get_by_role("button", name="Record the visit").click()
    page.wait_for_load_state("load")


def _register(page: Any, site: LiveSite) -> None:
    """Register a household of two children through the form (one row added on the way)."""
    page.goto(f"{site.url}/households/new")
    assert accessibility_violations(page) == []
    page.get_by_label("Area", exact=True).select_option(str(site.ids["area_a"]))
    page.get_by_label("Head of household").fill("Kofi Mensah")
    _child(page, 0, name="Ama Mensah", sex="female", born="2013-03-01")
    page.get_by_role("button", name="Add another child").click()
    page.wait_for_load_state("load")
    assert page.locator("#child-0-name").input_value() == "Ama Mensah"
    _child(page, 1, name="Kwame Mensah", sex="male", born="2016-07-15")
    page.get_by_role("button", name="Register the household").click()
    page.wait_for_load_state("load")


def _working_visit(page: Any) -> None:
    """Record a visit finding 20 hours of work, after the live preview has said so."""
    page.get_by_label("Did any economic activity last week").check()
    page.get_by_label("Hours of economic activity last week").fill("20")
    preview = page.locator("#preview")
    preview.get_by_text("Child labour").wait_for()
    assert "20 h of economic activity reach the 14 h light-work limit" in preview.inner_text()
    screenshot(page, "pages-child-preview")
    page.get_by_role("button", name="Record the visit").click()
    page.wait_for_load_state("load")


def test_a_monitor_follows_a_child_from_registration_to_follow_up(
    browser: Any, live_site: LiveSite
) -> None:
    page = sign_in_page(browser, live_site, "monitor")
    _register(page, live_site)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ama Mensah")
    assert page.get_by_role("link", name="Kwame Mensah").count() == 1
    assert "No visit recorded yet." in page.inner_text("main")
    assert accessibility_violations(page) == []

    _working_visit(page)
    visits = page.get_by_role("region", name="Visits").inner_text()
    assert "Child labour" in visits
    assert "Reasons: More hours than light work allows" in visits
    assert "14 h light-work limit" in visits
    assert page.get_by_role("heading", name="Child labour · Identified").count() == 1

    page.get_by_text("Add a service").click()
    page.get_by_label("Service", exact=True).select_option(label="School enrolment")
    page.get_by_role("button", name="Add the service").click()
    page.wait_for_load_state("load")
    assert "School enrolment" in page.locator("article.case").inner_text()
    _step(page, "Plan the action")
    assert page.get_by_role("heading", name="Child labour · Action planned").count() == 1
    _step(page, "Start remediation")
    assert page.get_by_role("heading", name="Child labour · In remediation").count() == 1
    due = page.get_by_role("region", name="Follow-ups due")
    assert due.get_by_role("listitem").count() == 2
    assert accessibility_violations(page) == []

    _clean_follow_up(page)
    assert page.get_by_role("region", name="Follow-ups due").get_by_role("listitem").count() == 1
    _clean_follow_up(page)
    # Follow-ups roll for the life of the case: the next one is due, a year on.
    later = page.get_by_role("region", name="Follow-ups due").get_by_role("listitem")
    assert (later.count(), str(date.today().year + 1) in later.inner_text()) == (1, True)
    case = page.locator("article.case").inner_text()
    assert case.count("Done") == 2
    assert page.get_by_role("region", name="Visits").get_by_text("Not working").count() == 2
    screenshot(page, "pages-child")

    page.goto(f"{live_site.url}/dashboard")
    withdrawn = page.locator("li.card", has_text="Withdrawn from child labour")
    assert withdrawn.locator(".value").inner_text() == "1"
    identified = page.locator("li.card", has_text="Identified in child labour")
    assert identified.locator(".value").inner_text() == "1"
    screenshot(page, "pages-dashboard-monitor")

    with Session(live_site.engine) as session, session.begin():  # A's follow-ups are the monitor's
        monitor = session.scalars(select(User.id).where(User.username == "monitor")).one()
        assign_area_monitor(session, area_id=live_site.ids["area_a"], user_id=monitor,
                            actor="admin")  # fmt: skip
    for path in ("/partners", "/visits/week"):
        page.goto(f"{live_site.url}{path}")
        assert accessibility_violations(page) == [], path
    assert page.get_by_role("link", name="child a").count() == 1
    screenshot(page, "pages-visits-week")

    phone = sign_in_page(browser, live_site, "monitor", phone=True)
    phone.goto(f"{live_site.url}/children/{live_site.ids['child_a']}")
    assert accessibility_violations(phone) == []
    screenshot(phone, "pages-child-phone")

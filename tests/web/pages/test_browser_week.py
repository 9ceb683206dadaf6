"""The week in a real browser: a supervisor assigns district A's monitor (and takes it away,
the select left on "none"), filters the team's week by monitor and reassigns a follow-up; a
monitor on a phone reads their week, moves a follow-up (the date left as it is, emptied, out
of bounds, then right) and records a visit as themself. Every form is sent by its button, as
a user leaves it; every page passes axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, User, create_user
from ipec.monitoring.models import FollowUp
from ipec.monitoring.service import assign_area_monitor
from ipec.web.api.common import today
from tests.conftest import needs_chromium
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import LiveSite, accessibility_violations, screenshot, sign_in_page

pytestmark = needs_chromium


def _prepare(site: LiveSite, *, assigned: bool) -> int:
    """A supervisor and a second monitor of A, a follow-up of A's case due in 5 days (its
    id), and, when ``assigned``, A's follow-ups given to the monitor."""
    with Session(site.engine) as session, session.begin():
        for name, role in (("sup", Role.SUPERVISOR), ("m2", Role.MONITOR)):
            create_user(session, username=name, display_name=f"{name} name", password=PASSWORD,
                        role=role, area_id=site.ids["area_a"])  # fmt: skip
        soon = FollowUp(case_id=site.ids["case_a"], due_on=today() + timedelta(days=5))
        session.add(soon)
        session.flush()
        if assigned:
            monitor = session.scalars(select(User.id).where(User.username == "monitor")).one()
            assign_area_monitor(session, area_id=site.ids["area_a"], user_id=monitor,
                                actor="admin")  # fmt: skip
        return soon.id


def _area_row(page: Any, site: LiveSite) -> Any:
    return page.locator(f"#area-{site.ids['area_a']}")


def _save_area(page: Any, site: LiveSite, label: str | None) -> None:
    """Choose ``label`` (None: leave the select as it is) for A's monitor and press Save."""
    row = _area_row(page, site)
    if label is not None:
        row.get_by_label("Monitor of A").select_option(label=label)
    row.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")


def _reassign(page: Any) -> None:
    """On the page of A's overdue follow-up: assign it as the select is left (the area's
    monitor), then to m2."""
    assert page.get_by_role("heading", level=1).inner_text().startswith("Follow-up of child a")
    assert "It can no longer be moved" in page.inner_text("main")  # due 20 April: passed
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Assign").click()  # left as it is: the area's monitor
    page.wait_for_load_state("load")
    assert "Saved." in page.inner_text("main")
    assert "monitor (the monitor of A)" in page.locator("dl.facts").inner_text()
    page.get_by_label("Assigned to").select_option(label="m2 name")
    page.get_by_role("button", name="Assign").click()
    page.wait_for_load_state("load")
    assert "m2 name (assigned to this follow-up)" in page.locator("dl.facts").inner_text()
    screenshot(page, "pages-follow-up-supervisor")


def test_a_supervisor_assigns_filters_and_reassigns(browser: Any, live_site: LiveSite) -> None:
    _prepare(live_site, assigned=False)
    page = sign_in_page(browser, live_site, "sup")
    page.goto(f"{live_site.url}/visits/week")
    assert page.get_by_role("heading", level=1).inner_text() == "My team's visits this week"
    page.get_by_role("button", name="Show").click()  # the filter left on "Everyone"
    page.wait_for_load_state("load")
    assert page.get_by_role("link", name="child a", exact=True).count() == 1
    assert "Other follow-ups: 1" in page.inner_text("main")
    assert "Nobody" in page.get_by_role("region", name="Overdue").inner_text()
    assert accessibility_violations(page) == []
    screenshot(page, "pages-week-team")

    page.get_by_role("link", name="Assign the areas' monitors").click()
    page.wait_for_load_state("load")
    assert accessibility_violations(page) == []
    _save_area(page, live_site, None)  # saved as it stands: still nobody
    assert "Saved." in page.locator("main").inner_text()
    assert "Nobody" in _area_row(page, live_site).inner_text()
    _save_area(page, live_site, "monitor")
    assert "Its follow-ups go to: monitor" in _area_row(page, live_site).inner_text()
    _save_area(page, live_site, "None of its own (the area above's)")
    assert "Nobody" in _area_row(page, live_site).inner_text()
    _save_area(page, live_site, "monitor")
    screenshot(page, "pages-assignments")

    page.goto(f"{live_site.url}/visits/week")
    page.get_by_label("Monitor").select_option(label="m2 name")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    assert "Nothing is due this week, and nothing is overdue." in page.inner_text("main")
    page.get_by_label("Monitor").select_option(label="monitor")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("link", name="child a", exact=True).count() == 1
    assert "monitor (the area's monitor)" in page.get_by_role("region", name="Overdue").inner_text()

    page.get_by_role("link", name="Change the date or who").first.click()
    page.wait_for_load_state("load")
    _reassign(page)

    phone = sign_in_page(browser, live_site, "sup", phone=True)
    phone.goto(f"{live_site.url}/assignments")
    _save_area(phone, live_site, None)
    assert "Its follow-ups go to: monitor" in _area_row(phone, live_site).inner_text()
    assert accessibility_violations(phone) == []
    screenshot(phone, "pages-assignments-phone")


def test_a_monitor_moves_a_follow_up_and_records_a_visit_on_a_phone(
    browser: Any, live_site: LiveSite
) -> None:
    soon = _prepare(live_site, assigned=True)
    page = sign_in_page(browser, live_site, "monitor", phone=True)
    page.goto(f"{live_site.url}/visits/week")
    assert page.get_by_role("heading", level=1).inner_text() == "My visits this week"
    assert page.get_by_label("Monitor").count() == 0  # no filter: the monitor's own week
    assert page.get_by_role("link", name="child a", exact=True).count() == 1
    assert accessibility_violations(page) == []
    screenshot(page, "pages-week-phone")

    page.get_by_role("link", name="child a", exact=True).click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/children/{live_site.ids['child_a']}#record-visit")
    page.locator(f'a[href="/follow-ups/{soon}"]').click()
    page.wait_for_load_state("load")
    due = today() + timedelta(days=5)
    last = due + timedelta(weeks=4)
    field = page.get_by_label("New due date")
    assert field.input_value() == due.isoformat()
    page.get_by_role("button", name="Move the follow-up").click()  # the date left as it is
    page.wait_for_load_state("load")
    assert "Saved." in page.inner_text("main")
    page.get_by_label("New due date").fill("")
    page.get_by_role("button", name="Move the follow-up").click()
    page.wait_for_load_state("load")
    assert page.locator("#due_on-error").inner_text() == "Enter a date (year-month-day)."
    page.get_by_label("New due date").fill((last + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Move the follow-up").click()
    page.wait_for_load_state("load")
    expected = f"Choose a day from {today().isoformat()} to {last.isoformat()}."
    assert page.locator("#due_on-error").inner_text() == expected
    assert accessibility_violations(page) == []
    screenshot(page, "pages-follow-up-refused-phone")
    page.get_by_label("New due date").fill(last.isoformat())
    page.get_by_role("button", name="Move the follow-up").click()
    page.wait_for_load_state("load")
    assert "Saved." in page.inner_text("main")
    assert last.isoformat() in page.locator("dl.facts").inner_text()
    assert "Who does it" not in page.inner_text("main")  # a monitor does not assign

    page.get_by_role("link", name="The child's page").click()
    page.wait_for_load_state("load")
    form = page.locator("#record-visit")
    assert "Visited by monitor (you: the visit is recorded as yours)" in form.inner_text()
    assert form.get_by_label("Visited by").count() == 0
    page.get_by_role("button", name="Record the visit").click()  # as the form is left
    page.wait_for_load_state("load")
    assert "by monitor" in page.get_by_role("region", name="Visits").inner_text()

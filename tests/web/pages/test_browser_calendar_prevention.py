"""The calendar and the prevention path in a real browser: a monitor on a phone reads the
month's calendar, sends the month form as left, then goes to the next month and back; a
supervisor shows the team's month with the monitor filter left empty; a monitor opens an
at-risk case by hand from the child's page (the reason left empty, then "other" without a
note, then with one). Every form is sent by its button; every page passes axe."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, User, create_user
from ipec.monitoring import Case, CaseKind, Sex
from ipec.monitoring.models import FollowUp
from ipec.monitoring.service import ChildInput, add_child, assign_area_monitor
from ipec.web.api.common import today
from tests.conftest import needs_chromium
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import LiveSite, accessibility_violations, screenshot, sign_in_page

pytestmark = needs_chromium


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def test_the_calendar_of_a_monitor_and_of_a_team(browser: Any, live_site: LiveSite) -> None:
    soon = today() + timedelta(days=3)
    with Session(live_site.engine) as session, session.begin():
        create_user(session, username="sup", display_name="sup name", password=PASSWORD,
                    role=Role.SUPERVISOR, area_id=live_site.ids["area_a"])  # fmt: skip
        session.add(FollowUp(case_id=live_site.ids["case_a"], due_on=soon))
        monitor = session.scalars(select(User.id).where(User.username == "monitor")).one()
        assign_area_monitor(session, area_id=live_site.ids["area_a"], user_id=monitor,
                            actor="admin")  # fmt: skip
    page = sign_in_page(browser, live_site, "monitor", phone=True)
    page.goto(f"{live_site.url}/visits/week")
    page.get_by_role("link", name="The month's calendar").click()
    page.wait_for_load_state("load")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"My calendar: {_month(today())}"
    page.get_by_role("button", name="Show").click()  # the month left as it is
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    main = page.inner_text("main")
    if soon.month == today().month:
        monday = soon - timedelta(days=soon.weekday())
        assert f"Week of {monday.isoformat()}" in main
        assert soon.isoformat() in main
        assert page.get_by_role("link", name="child a").count() == 1
    assert accessibility_violations(page) == []
    screenshot(page, "pages-calendar-monitor-phone")
    page.get_by_role("link", name="Next month").click()
    page.wait_for_load_state("load")
    assert _month(today()) not in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Previous month").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    page.close()

    team = sign_in_page(browser, live_site, "sup")
    team.goto(f"{live_site.url}/visits/calendar?month=2026-04")
    team.get_by_role("button", name="Show").click()  # the monitor filter left on everyone
    team.wait_for_load_state("load")
    assert team.get_by_role("heading", level=1).inner_text() == "My team's calendar: 2026-04"
    assert "Week of 2026-04-20" in team.inner_text("main")  # the world's follow-up of A
    assert "monitor" in team.locator(".calendar-days").inner_text()
    assert accessibility_violations(team) == []
    screenshot(team, "pages-calendar-team")
    team.close()


def test_a_monitor_opens_an_at_risk_case_by_hand(browser: Any, live_site: LiveSite) -> None:
    with Session(live_site.engine) as session, session.begin():
        # a cousin living in child a's household, whom the rule proposes as a sibling; the
        # monitor opens the case for another reason of their own
        cousin = add_child(session, household_id=live_site.ids["household_a"], actor="admin",
                           child=ChildInput("cousin a", Sex.MALE, date(2015, 5, 5))).id  # fmt: skip
    page = sign_in_page(browser, live_site, "monitor")
    page.goto(f"{live_site.url}/children/{live_site.ids['child_a']}")
    prevention = page.locator("#prevention")
    prevention.wait_for()
    assert "Sibling of a child in child labour" in prevention.inner_text()
    prevention.get_by_role("link", name=re.compile(r"^Open an at-risk case · ")).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text().startswith("At-risk case for cousin a")
    assert accessibility_violations(page) == []
    page.get_by_label("Why the child is at risk").select_option(value="")
    page.get_by_role("button", name="Open the at-risk case").click()
    page.wait_for_load_state("load")
    assert "Choose why the child is at risk." in page.inner_text("main")
    page.get_by_label("Why the child is at risk").select_option(value="other")
    page.get_by_role("button", name="Open the at-risk case").click()  # no note
    page.wait_for_load_state("load")
    assert "Say why the child is at risk." in page.inner_text("main")
    assert accessibility_violations(page) == []
    page.get_by_label("Note (required for another reason)").fill("works at the market")
    page.get_by_role("button", name="Open the at-risk case").click()
    page.wait_for_load_state("load")
    assert page.url.startswith(f"{live_site.url}/children/{cousin}?saved=case")
    main = page.inner_text("main")
    assert "The change to the case is saved." in main
    assert "Opened: the child is at risk" in main
    assert "works at the market" in main
    screenshot(page, "pages-at-risk-opened")
    with Session(live_site.engine) as session:
        made = session.scalars(select(Case).where(Case.child_id == cousin)).one()
        assert (made.kind, made.opened_on) == (CaseKind.AT_RISK, today())
    page.close()

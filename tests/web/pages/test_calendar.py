"""The calendar page: a monitor's month week by week, the team's for a supervisor with the
monitor filter left empty, the month chosen in the form, a bad month refused naming it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipec.auth import Role
from ipec.monitoring.service import assign_area_monitor
from tests.web.pages.conftest import Site, audit_actions
from tests.web.pages.test_week import add_user, user_id


def test_a_monitors_month_week_by_week(site: Site) -> None:
    site.sign_in()
    empty = site.client.get("/visits/calendar?month=2026-04").text
    assert "<h1>My calendar: 2026-04</h1>" in empty
    assert "No follow-up is due this month." in empty
    with Session(site.engine) as session, session.begin():
        assign_area_monitor(session, area_id=site.ids["area_a"],
                            user_id=user_id(site.engine, "monitor"), actor="admin")  # fmt: skip
    page = site.client.get("/visits/calendar?month=2026-04").text
    # 20 April 2026 is a Monday: its week is headed by that day
    assert "Week of 2026-04-20" in page
    assert f'href="/follow-ups/{site.ids["follow_up_a"]}">child a</a>' in page
    assert "child b" not in page
    assert "Follow-ups: 1<" in page
    assert 'href="?month=2026-03"' in page
    assert 'href="?month=2026-05"' in page
    assert 'name="monitor_id"' not in page
    assert audit_actions(site)[-1] == "follow_up.calendar"
    week = site.client.get("/visits/week").text
    assert 'href="/visits/calendar"' in week


def test_the_teams_month_and_the_filter_left_empty(site: Site) -> None:
    add_user(site.engine, "sup", Role.SUPERVISOR, site.ids["area_a"])
    site.sign_in("sup")
    page = site.client.get("/visits/calendar?month=2026-04&monitor_id=").text
    assert "<h1>My team&#39;s calendar: 2026-04</h1>" in page or "My team's calendar" in page
    assert "child a" in page
    assert "Nobody" in page


def test_a_bad_month_is_refused_naming_it(site: Site) -> None:
    site.sign_in()
    refused = site.client.get("/visits/calendar?month=2026-13")
    assert refused.status_code == 422
    assert "is not a month" in refused.text

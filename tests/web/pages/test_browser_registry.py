"""The register in a real browser: a monitor registers a household with its GPS point ("Use
my location", the browser's geolocation with permission), leaves its page, finds a child by a
spelling of her name, adds a child, records one leaving and moves the household; the filter
forms are sent as a user leaves them (empty choices); on a desktop and a phone screen; every
page passes axe."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import Child, Household
from ipec.monitoring.models import HouseholdMove
from ipec.monitoring.service import create_area
from tests.conftest import needs_chromium
from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)

pytestmark = needs_chromium

#: Abidjan, where the browser says the device is.
WHERE = {"latitude": 5.3364, "longitude": -4.0267, "accuracy": 12}


def _located(page: Any, site: LiveSite) -> None:
    """Let the site read the device's position (the permission a user grants)."""
    page.context.grant_permissions(["geolocation"], origin=site.url)
    page.context.set_geolocation(WHERE)


def _register(page: Any, site: LiveSite) -> None:
    """Register a household of one child, its GPS point from the browser."""
    page.goto(f"{site.url}/households/new")
    page.get_by_label("Area", exact=True).select_option(str(site.ids["area_a"]))
    page.get_by_label("Head of household").fill("Yao Kouassi")
    page.get_by_label("Supply unit: farm, cooperative or supplier (optional)").fill("Coop Ecam")
    page.get_by_role("button", name="Use my location").click()
    page.get_by_text("Position found (within 12 m).").wait_for()
    assert page.get_by_label("Latitude").input_value() == "5.336400"
    assert page.get_by_label("Longitude").input_value() == "-4.026700"
    page.locator("#child-0-name").fill("Aya Kouamé")
    page.locator("#child-0-sex").select_option("female")
    page.locator("#child-0-birth_date").fill("2014-03-01")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Register the household").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Aya Kouamé")


def _search_children(page: Any, text: str) -> None:
    """Search the children's list as a user does: type, leave every choice as it is, press."""
    page.get_by_role("link", name="Children", exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_label("Search (name, household head, supply unit or pseudonym)").fill(text)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")


def _village(site: LiveSite) -> int:
    with Session(site.engine) as session, session.begin():
        return create_area(session, name="Village", level="village",
                           parent_id=site.ids["area_a"]).id  # fmt: skip


def test_a_household_registered_a_minute_ago_is_found_and_kept_up(
    browser: Any, live_site: LiveSite
) -> None:
    village = _village(live_site)
    page = sign_in_page(browser, live_site, "monitor")
    _located(page, live_site)
    _register(page, live_site)
    with Session(live_site.engine) as session:
        household = session.scalars(select(Household).where(Household.head_name
                                                            == "Yao Kouassi")).one()  # fmt: skip
        assert (household.latitude, household.longitude) == (5.3364, -4.0267)
    page.goto(f"{live_site.url}/dashboard")  # the household's page is left

    _search_children(page, "kwame")  # Kouamé, spelled as it sounds
    assert page.get_by_role("link", name="Aya Kouamé").count() == 1
    assert page.get_by_role("link", name="child a").count() == 0
    assert accessibility_violations(page) == []
    screenshot(page, "pages-children-search")
    page.get_by_role("link", name="Clear").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("link", name="child a").count() == 1

    page.get_by_role("link", name="Households", exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_label("Search (head, supply unit, child or pseudonym)").fill("kouassi")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Yao Kouassi").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Yao Kouassi")
    assert "5.336400, -4.026700" in page.inner_text("main")
    assert accessibility_violations(page) == []

    _add_leave_and_move(page, live_site, village)

    _search_children(page, "aya")
    assert page.get_by_role("link", name="Aya Kouamé").count() == 0  # she left
    page.get_by_label("Include children who left").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("link", name="Aya Kouamé").count() == 1


def _add_leave_and_move(page: Any, live_site: LiveSite, village: int) -> None:
    """On the household's page: add a child, record one leaving, move the household."""
    # add a child with what a user leaves in the form (no school)
    page.get_by_label("Name", exact=True).fill("Kofi Kouassi")
    page.locator("#child-sex").select_option("male")
    page.locator("#child-birth_date").fill("2018-06-01")
    page.get_by_role("button", name="Add the child").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kofi Kouassi")
    page.get_by_role("link", name="The household's page").click()
    page.wait_for_load_state("load")

    # Aya moves away: the reason chosen, the day left as offered (today)
    with Session(live_site.engine) as session:
        aya = session.scalars(select(Child).where(Child.name == "Aya Kouamé")).one()
    page.get_by_text("Record that the child left").first.click()
    page.locator(f"#leave-reason-{aya.id}").select_option("moved")
    page.locator(f"#child-{aya.id}").get_by_role("button", name="Record the leaving").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("status").filter(has_text="Saved.").count() == 1
    assert "Left: Moved away" in page.locator(f"#child-{aya.id}").inner_text()

    # the family moves to the village: a reason typed, the day as offered
    page.get_by_text("The family moved to another area").click()
    page.get_by_label("New area").select_option(str(village))
    page.get_by_label("Note (optional)").fill("a new farm")
    page.get_by_role("button", name="Move the household").click()
    page.wait_for_load_state("load")
    assert "A → Village" in page.get_by_role("region", name="Moves").inner_text()
    assert accessibility_violations(page) == []
    screenshot(page, "pages-household")
    with Session(live_site.engine) as session:
        moves = session.scalars(select(HouseholdMove)).all()
        assert [(m.to_area_id, m.reason) for m in moves] == [(village, "a new farm")]


def test_the_filters_and_forms_on_a_phone(browser: Any, live_site: LiveSite) -> None:
    phone = sign_in_page(browser, live_site, "monitor", phone=True)
    _located(phone, live_site)
    phone.goto(f"{live_site.url}/children")
    # every choice left empty, then each chosen: the form answers, never an error
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_role("link", name="child a").count() == 1
    for label, value in (("Sex", "female"), ("Age", "12-14"), ("Cases", "true"),
                         ("Not visited for", "6")):  # fmt: skip
        phone.get_by_label(label, exact=True).select_option(value)
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_role("link", name="child a").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert accessibility_violations(phone) == []
    screenshot(phone, "pages-children-phone")

    phone.goto(f"{live_site.url}/households")
    phone.get_by_label("Cases").select_option("false")
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_load_state("load")
    assert "No household matches." in phone.inner_text("main")
    phone.get_by_role("link", name="Clear").click()
    phone.wait_for_load_state("load")
    phone.get_by_role("link", name="Head").click()
    phone.wait_for_load_state("load")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert accessibility_violations(phone) == []

    # a form sent empty says what to correct; the GPS point from the phone is saved
    phone.get_by_role("button", name="Add the child").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_role("alert").filter(has_text="Enter the child's name.").count() == 1
    phone.get_by_role("button", name="Use my location").click()
    phone.get_by_text("Position found (within 12 m).").wait_for()
    phone.get_by_role("button", name="Save the GPS point").click()
    phone.wait_for_load_state("load")
    assert "5.336400, -4.026700" in phone.inner_text("main")
    screenshot(phone, "pages-household-phone")

    # the visit form offers the location too (the household's point)
    phone.goto(f"{live_site.url}/children/{live_site.ids['child_a']}")
    assert phone.get_by_role("button", name="Use my location").count() == 1
    phone.get_by_role("button", name="Record the visit").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_role("status").filter(has_text="The visit is saved.").count() == 1


def test_a_viewer_reads_the_register_without_its_forms(browser: Any, live_site: LiveSite) -> None:
    page = sign_in_page(browser, live_site, "viewer")
    page.goto(f"{live_site.url}/households/{live_site.ids['household_a']}")
    assert page.get_by_role("button").filter(has_text="Add the child").count() == 0
    assert page.get_by_role("button").filter(has_text="Move the household").count() == 0
    assert page.get_by_role("link", name="Register a household").count() == 0
    assert accessibility_violations(page) == []
    page.goto(f"{live_site.url}/children")
    assert page.get_by_role("link", name="child a").count() == 1

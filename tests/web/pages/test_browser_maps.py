"""The map page in a real browser on a phone: the districts are drawn and fit the screen,
the legend and the table are there, a district is opened from the map with the keyboard
alone, and axe finds nothing wrong."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ipec.monitoring.models import Area
from tests.conftest import needs_chromium
from tests.web.pages.conftest import LiveSite, accessibility_violations, screenshot, sign_in_page

pytestmark = needs_chromium


def _give_boundaries(site: LiveSite) -> None:
    with Session(site.engine) as session, session.begin():
        for key, west in (("a", -5.0), ("b", -4.0)):
            ring = [[west, 6.0], [west + 1, 6.0], [west + 1, 7.5], [west, 7.0], [west, 6.0]]
            boundary = json.dumps({"type": "Polygon", "coordinates": [ring]})
            session.execute(update(Area).where(Area.id == site.ids[f"area_{key}"])
                            .values(boundary=boundary))  # fmt: skip


def test_the_map_on_a_phone_is_drawn_and_opened_with_the_keyboard(
    browser: Any, live_site: LiveSite
) -> None:
    _give_boundaries(live_site)
    page = sign_in_page(browser, live_site, "admin", phone=True)
    page.get_by_role("link", name="Map", exact=True).click()
    page.wait_for_load_state("load")
    shapes = page.locator("svg.choropleth path")
    assert shapes.count() == 2
    box = page.locator("svg.choropleth").bounding_box()
    assert box is not None
    assert 300 < box["width"] <= 390
    assert box["height"] > 100
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    legend = page.get_by_role("list", name="Legend")
    assert legend.get_by_role("listitem").count() >= 1
    table = page.get_by_role("table", name="Identification rate")
    assert table.get_by_role("row").count() == 3  # the header and two districts
    # Choose a figure as a user would, and show it.
    page.get_by_label("Figure").select_option(label="Children visited")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**figure=visited*")
    assert page.get_by_role("table", name="Children visited by area").count() == 1
    # The districts are reached with Tab from the figure's form, and opened with Enter.
    page.get_by_role("button", name="Show").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('svg') !== null"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("A: ")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/maps?area_id={live_site.ids['area_a']}&*")
    assert page.get_by_role("heading", name="Map: A").count() == 1
    page.go_back()
    page.wait_for_load_state("load")
    assert accessibility_violations(page) == []
    screenshot(page, "pages-map-phone")

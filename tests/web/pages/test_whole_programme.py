"""The pages for an administrator without an area (the whole programme): the dashboard of the
programme and its drill-down, the users list, and the figures the refresher keeps ready."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.monitoring.scope import PROGRAMME_AREA_ID
from ipec.monitoring.service import create_area
from ipec.web.pages.refresher import wanted_keys
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import Site


def _root(site: Site) -> int:
    """A programme administrator, and a second top area beside the world's country."""
    with Session(site.engine) as session, session.begin():
        create_area(session, name="Yland", level="country")
        user = create_user(session, username="root", display_name="Root", password=PASSWORD,
                           role=Role.ADMIN, area_id=None)  # fmt: skip
        return user.id


def test_the_programme_dashboard_and_its_drill_down(site: Site) -> None:
    _root(site)
    site.sign_in("root")
    page = site.client.get("/dashboard")
    assert page.status_code == 200, page.text
    assert "Dashboard: The programme" in page.text
    # The top areas, to drill down into; no hidden area in the period form.
    assert f'href="/dashboard?area_id={site.ids["country"]}&amp;from=' in page.text
    assert "Yland" in page.text
    assert 'name="area_id"' not in page.text
    district = site.client.get(f"/dashboard?area_id={site.ids['area_a']}")
    assert district.status_code == 200
    trail = re.search(r'<nav aria-label="Areas" class="breadcrumb">(.*?)</nav>', district.text,
                      re.DOTALL)  # fmt: skip
    assert trail is not None
    assert [name for _, name in re.findall(r'<(a href="[^"]*"|span[^>]*)>([^<]+)<', trail[1])] == [
        "The programme", "Country", "A"
    ]  # fmt: skip
    assert '<a href="/dashboard?from=' in trail[1]


def test_the_users_list_and_form(site: Site) -> None:
    root_id = _root(site)
    site.sign_in("root")
    listed = site.client.get("/admin")
    assert listed.status_code == 200
    row = re.search(r'<a href="/admin/users/\d+">root</a>.*?</tr>', listed.text, re.DOTALL)
    assert row is not None
    assert "<td>The programme</td>" in row[0]
    form = site.client.get(f"/admin/users/{root_id}")
    assert '<option value="" selected>The programme</option>' in form.text
    # Saving the role with no area chosen keeps the whole programme.
    csrf = site.token(f"/admin/users/{root_id}")
    saved = site.client.post(f"/admin/users/{root_id}", follow_redirects=False,
                             data={"csrf_token": csrf, "role": "admin", "area_id": ""})  # fmt: skip
    assert saved.status_code == 303
    # A monitor needs an area.
    monitor = {"csrf_token": csrf, "role": "monitor", "area_id": ""}
    refused = site.client.post(f"/admin/users/{root_id}", data=monitor)
    assert refused.status_code == 422
    assert "Choose an area." in refused.text


def test_the_refresher_keeps_the_programme_ready(site: Site) -> None:
    _root(site)
    with Session(site.engine) as session:
        keys = wanted_keys(session, now=datetime(2026, 6, 1, 12, tzinfo=UTC),
                           profile="sdg-8.7.1", limit=100)  # fmt: skip
    areas = [key[0] for key in keys]
    assert PROGRAMME_AREA_ID in areas
    assert site.ids["country"] in areas  # a top area, the programme's first drill-down

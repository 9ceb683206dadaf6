"""The register's pages: the household and child lists (search, filters, scope, audit), the
household page and its forms (add a child, a child leaving, a move, the GPS point), the GPS
point of the registration and visit forms."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry, Child, Household
from ipec.monitoring.models import HouseholdMove
from ipec.monitoring.service import create_area
from tests.web.pages.conftest import ESCAPED, MARKUP, Site, audit_actions, post


def _register(site: Site, csrf: str, **fields: str) -> str:
    """Register a household in district A through the form; the location of the answer."""
    form = {"csrf_token": csrf, "rows": "1", "area_id": str(site.ids["area_a"]),
            "head_name": "Yao Kouassi", "supply_unit": "Coop Kapatchiva",
            "child-0-name": "Aya Kouamé", "child-0-sex": "female",
            "child-0-birth_date": "2014-03-01", "latitude": "", "longitude": ""}  # fmt: skip
    done = post(site, "/households/new", {**form, **fields})
    assert done.status_code == 303, done.text
    return str(done.headers["location"])


def _listed(text: str, kind: str) -> list[int]:
    return [int(found) for found in re.findall(rf'<td><a href="/{kind}/(\d+)">', text)]


def test_a_household_registered_a_minute_ago_is_found_by_name(site: Site) -> None:
    csrf = site.sign_in("monitor")
    _register(site, csrf)
    with Session(site.engine) as session:
        aya = session.scalars(select(Child).where(Child.name == "Aya Kouamé")).one()
    for spelling in ("Aya Kouamé", "kouame", "KOUAME", "kwame", "aya kou", aya.pseudonym.lower()):
        page = site.client.get("/children", params={"q": spelling})
        assert page.status_code == 200
        assert _listed(page.text, "children") == [aya.id], spelling
    households = site.client.get("/households", params={"q": "kapatchiva"}).text
    assert _listed(households, "households") == [aya.household_id]
    by_child = site.client.get("/households", params={"q": "Kwame"}).text
    assert _listed(by_child, "households") == [aya.household_id]
    newest = site.client.get("/children").text
    assert _listed(newest, "children")[0] == aya.id
    assert "No child matches." in site.client.get("/children?q=zzzz").text


def test_the_lists_keep_to_the_users_areas_and_are_audited(site: Site) -> None:
    site.sign_in("monitor")
    children = site.client.get("/children").text
    assert _listed(children, "children") == [site.ids["child_a"]]
    households = site.client.get("/households").text
    assert _listed(households, "households") == [site.ids["household_a"]]
    assert site.client.get(f"/children?area_id={site.ids['area_b']}").status_code == 404
    assert site.client.get(f"/households?area_id={site.ids['area_b']}").status_code == 404
    with Session(site.engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.entity, AuditEntry.detail)
            .where(AuditEntry.actor == "monitor", AuditEntry.action.like("%.list"))
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("child.list", "child", {"children": [site.ids["child_a"]], "page": 1}),
        ("household.list", "household", {"households": [site.ids["household_a"]], "page": 1}),
    ]
    site.sign_in("admin")
    assert len(_listed(site.client.get("/children").text, "children")) == 2


def test_the_filter_forms_with_their_defaults_and_every_choice(site: Site) -> None:
    site.sign_in("admin")
    empty = {"q": "", "area_id": "", "sex": "", "age": "", "open_case": "", "not_visited": ""}
    assert len(_listed(site.client.get("/children", params=empty).text, "children")) == 2
    chosen = {"area_id": str(site.ids["area_b"]), "sex": "female", "age": "12-14",
              "open_case": "true", "not_visited": "6", "left": "true"}  # fmt: skip
    page = site.client.get("/children", params=chosen).text
    assert _listed(page, "children") == [site.ids["child_b"]]
    assert f'<option value="{site.ids["area_b"]}" selected>' in page
    assert 'value="12-14" selected' in page
    assert "No child matches." in site.client.get("/children?open_case=false").text
    assert "No child matches." in site.client.get("/children?sex=male").text
    assert "No child matches." in site.client.get("/children?age=5-11").text
    households = site.client.get(
        "/households", params={"q": "", "area_id": "", "open_case": "", "not_visited": ""}
    )
    assert len(_listed(households.text, "households")) == 2
    assert "No household matches." in site.client.get("/households?open_case=false").text
    assert len(_listed(site.client.get("/households?not_visited=3").text, "households")) == 2
    assert site.client.get("/children?age=99").status_code == 422
    assert site.client.get("/children?q=" + "x" * 101).status_code == 422


def test_markup_in_names_and_in_the_search_is_inert(site: Site) -> None:
    csrf = site.sign_in("monitor")
    _register(site, csrf, head_name=MARKUP, **{"child-0-name": f"Ama {MARKUP}"})
    for path in ("/children", "/households"):
        page = site.client.get(path, params={"q": MARKUP}).text
        assert MARKUP not in page
        assert ESCAPED in page
    hostile = site.client.get("/children", params={"q": "'; DROP TABLE children; --"})
    assert hostile.status_code == 200
    assert "No child matches." in hostile.text


def test_the_household_page_shows_members_visits_and_cases(site: Site) -> None:
    site.sign_in("monitor")
    page = site.client.get(f"/households/{site.ids['household_a']}")
    assert page.status_code == 200
    assert "child a" in page.text
    assert "Child labour" in page.text  # the child's case
    assert "The household has not moved." in page.text
    assert site.client.get(f"/households/{site.ids['household_b']}").status_code == 404
    assert "household.read" in audit_actions(site)
    child = site.client.get(f"/children/{site.ids['child_a']}").text
    assert f'href="/households/{site.ids["household_a"]}"' in child


def test_a_child_is_added_to_a_household_and_a_copy_refused(site: Site) -> None:
    csrf = site.sign_in("monitor")
    path = f"/households/{site.ids['household_a']}/children"
    form = {"csrf_token": csrf, "name": "Kofi", "sex": "male", "birth_date": "2018-02-02",
            "school_status": ""}  # fmt: skip
    done = post(site, path, form)
    assert done.status_code == 303
    with Session(site.engine) as session:
        kofi = session.scalars(select(Child).where(Child.name == "Kofi")).one()
    assert done.headers["location"] == f"/children/{kofi.id}"
    assert kofi.household_id == site.ids["household_a"]
    again = post(site, path, {**form, "name": "kofi "})
    assert again.status_code == 422
    assert 'id="child-name-error">This child is already registered in the household.' in again.text
    empty = post(site, path, {"csrf_token": csrf, "name": "", "sex": "", "birth_date": ""})
    assert empty.status_code == 422
    for field in ("child-name", "child-sex", "child-birth_date"):
        assert f'id="{field}-error"' in empty.text
    site.sign_in("viewer")
    assert post(site, path, {**form, "csrf_token": site.token("/children")}).status_code == 403


def test_a_child_leaves_and_the_lists_hide_it_unless_asked(site: Site) -> None:
    csrf = site.sign_in("monitor")
    child = site.ids["child_a"]
    with Session(site.engine) as session:
        version = session.get(Child, child).version  # type: ignore[union-attr]
    path = f"/children/{child}/leave"
    missing = post(site, path, {"csrf_token": csrf, "version": str(version), "reason": "",
                                "left_on": ""})  # fmt: skip
    assert missing.status_code == 422
    assert f'id="leave-reason-{child}-error"' in missing.text
    done = post(site, path, {"csrf_token": csrf, "version": str(version), "reason": "aged_out",
                             "left_on": "2026-06-01"})  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/households/{site.ids['household_a']}?saved=")
    assert "No child matches." in site.client.get("/children").text
    shown = site.client.get("/children?left=true").text
    assert _listed(shown, "children") == [child]
    assert "Aged out" in shown
    household = site.client.get(f"/households/{site.ids['household_a']}").text
    assert "Aged out" in household
    assert f'action="/children/{child}/leave"' not in household
    stale = post(site, path, {"csrf_token": csrf, "version": str(version), "reason": "moved",
                              "left_on": "2026-06-01"})  # fmt: skip
    assert stale.status_code == 409
    assert "child.leave" in audit_actions(site)


def test_a_household_moves_and_keeps_its_history(site: Site) -> None:
    with Session(site.engine) as session, session.begin():
        village = create_area(session, name="Village", level="village",
                              parent_id=site.ids["area_a"]).id  # fmt: skip
    csrf = site.sign_in("monitor")
    household = site.ids["household_a"]
    page = site.client.get(f"/households/{household}").text
    assert f'<option value="{village}">' in page
    assert f'<option value="{site.ids["area_b"]}"' not in page
    with Session(site.engine) as session:
        version = session.get(Household, household).version  # type: ignore[union-attr]
    path = f"/households/{household}/move"
    form = {"csrf_token": csrf, "version": str(version), "area_id": "", "moved_on": "",
            "reason": ""}  # fmt: skip
    refused = post(site, path, form)
    assert refused.status_code == 422
    assert 'id="move-area-error"' in refused.text
    assert '<a href="#move-area">Choose the area.</a>' in refused.text  # the summary
    outside = post(site, path, {**form, "area_id": str(site.ids["area_b"]),
                                "moved_on": "2026-05-01"})  # fmt: skip
    assert outside.status_code == 404
    done = post(site, path, {**form, "area_id": str(village), "moved_on": "2026-05-01",
                             "reason": "new farm"})  # fmt: skip
    assert done.status_code == 303
    moved = site.client.get(f"/households/{household}").text
    assert "A → Village" in moved
    assert "new farm" in moved
    with Session(site.engine) as session:
        moves = session.scalars(select(HouseholdMove)).all()
    assert [(m.from_area_id, m.to_area_id) for m in moves] == [(site.ids["area_a"], village)]
    assert "household.move" in audit_actions(site)


def test_gps_points_from_the_forms_are_checked(site: Site) -> None:
    csrf = site.sign_in("monitor")
    form = {"csrf_token": csrf, "rows": "1", "area_id": str(site.ids["area_a"]),
            "head_name": "Kofi", "child-0-name": "Ama", "child-0-sex": "female",
            "child-0-birth_date": "2014-03-01"}  # fmt: skip
    for latitude, longitude, field in (
        ("91", "3", "latitude"),
        ("5", "-181", "longitude"),
        ("5.3", "", "longitude"),
        ("north", "3", "latitude"),
    ):
        bad = post(site, "/households/new", {**form, "latitude": latitude,
                                             "longitude": longitude})  # fmt: skip
        assert bad.status_code == 422, (latitude, longitude)
        assert f'id="{field}-error"' in bad.text
    assert "data-locate" in site.client.get("/households/new").text
    _register(site, csrf, latitude="5,3364", longitude="-4.0267")
    with Session(site.engine) as session:
        registered = session.scalars(
            select(Household).where(Household.head_name == "Yao Kouassi")
        ).one()
    assert (registered.latitude, registered.longitude) == (5.3364, -4.0267)
    path = f"/households/{site.ids['household_a']}/location"
    assert (
        post(site, path, {"csrf_token": csrf, "latitude": "200", "longitude": "1"}).status_code
        == 422
    )
    assert (
        post(site, path, {"csrf_token": csrf, "latitude": "6.1", "longitude": "-5.2"}).status_code
        == 303
    )
    visit = post(site, f"/children/{site.ids['child_a']}/visits",
                 {"csrf_token": csrf, "visit_date": "2026-05-01", "monitor": "m", "consent": "yes",
                  "latitude": "7.5", "longitude": "-5.5"})  # fmt: skip
    assert visit.status_code == 303, visit.text
    with Session(site.engine) as session:
        household = session.get(Household, site.ids["household_a"])
        assert household is not None
        assert (household.latitude, household.longitude) == (7.5, -5.5)
    page = site.client.get(f"/children/{site.ids['child_a']}").text
    assert 'id="latitude"' in page
    assert '<script src="/static/location.js" defer></script>' in page
    assert site.client.get("/static/location.js").status_code == 200


def test_the_navigation_links_the_lists(site: Site) -> None:
    site.sign_in("viewer")
    page = site.client.get("/households").text
    assert '<a href="/households" aria-current="page">' in page
    assert '<a href="/children">' in page
    assert 'href="/households/new"' not in page
    household = site.client.get(f"/households/{site.ids['household_a']}").text
    assert "Add a child" not in household
    assert "Move the household" not in household

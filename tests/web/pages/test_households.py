"""Registering a household, the partner directory and the week's visits: errors beside the
fields, scope, roles, inert markup and the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import User
from ipec.monitoring import Child, Household
from ipec.monitoring.models import Partner
from ipec.monitoring.service import assign_area_monitor
from tests.web.pages.conftest import ESCAPED, MARKUP, Site, audit_actions, count, post


def household(site: Site, csrf: str, **fields: str) -> dict[str, str]:
    """A registration form of two children in district A, changed by ``fields``."""
    form = {"csrf_token": csrf, "rows": "2", "area_id": str(site.ids["area_a"]),
            "head_name": "Kofi", "child-0-name": "Ama", "child-0-sex": "female",
            "child-0-birth_date": "2013-03-01", "child-1-name": "Kwame", "child-1-sex": "male",
            "child-1-birth_date": "2016-07-15"}  # fmt: skip
    return {**form, **fields}


def test_a_household_is_registered_and_its_first_child_shown(site: Site) -> None:
    csrf = site.sign_in()
    form_page = site.client.get("/households/new")
    assert form_page.status_code == 200
    assert 'name="child-0-name"' in form_page.text
    assert 'name="child-1-name"' not in form_page.text
    assert f'<option value="{site.ids["area_b"]}"' not in form_page.text
    more = post(site, "/households/new", {**household(site, csrf, rows="1"), "add_row": "yes"})
    assert more.status_code == 200
    assert 'name="child-1-name"' in more.text
    assert 'id="child-0-name" name="child-0-name" maxlength="200" value="Ama"' in more.text
    before = count(site, Child)
    done = post(site, "/households/new", household(site, csrf))
    assert done.status_code == 303
    with Session(site.engine) as session:
        ama = session.scalars(select(Child).where(Child.name == "Ama")).one()
    assert done.headers["location"] == f"/children/{ama.id}"
    assert count(site, Child) == before + 2
    page = site.client.get(done.headers["location"]).text
    assert "Kofi" in page
    assert re.search(r'<a href="/children/\d+">Kwame</a>', page)
    assert audit_actions(site).count("child.create") == 2


def test_duplicate_children_and_bad_dates_are_marked_beside_the_fields(site: Site) -> None:
    csrf = site.sign_in()
    before = count(site, Household)
    twice = post(site, "/households/new", household(site, csrf, **{"child-1-name": "ama ",
                 "child-1-sex": "female", "child-1-birth_date": "2013-03-01"}))  # fmt: skip
    assert twice.status_code == 422
    assert 'id="child-1-name-error">This child is already listed above.' in twice.text
    assert 'id="child-1-name" name="child-1-name" maxlength="200" value="ama "' in twice.text
    dates = post(site, "/households/new", household(site, csrf, **{
        "child-0-birth_date": "2999-01-01", "child-1-birth_date": "15/07/2016"}))  # fmt: skip
    assert 'id="child-0-birth_date-error">The date cannot be in the future.' in dates.text
    assert 'id="child-1-birth_date-error">Enter a date (year-month-day).' in dates.text
    assert re.search(r'id="child-0-birth_date"[^>]*aria-invalid="true"', dates.text)
    empty = post(site, "/households/new", household(site, csrf, head_name=" ", area_id="", **{
        "child-0-name": "", "child-0-sex": "", "child-0-birth_date": "",
        "child-1-name": "", "child-1-sex": "", "child-1-birth_date": ""}))  # fmt: skip
    for field in ("area_id", "head_name", "child-0-name"):
        assert f'id="{field}-error"' in empty.text
    assert count(site, Household) == before


def test_markup_in_names_is_shown_as_text(site: Site) -> None:
    csrf = site.sign_in()
    done = post(site, "/households/new", household(site, csrf, head_name=MARKUP,
                **{"child-0-name": MARKUP}))  # fmt: skip
    page = site.client.get(done.headers["location"]).text
    assert f"<h1>{ESCAPED} " in page
    assert f"<dd>{ESCAPED}</dd>" in page
    assert MARKUP not in page
    refused = post(site, "/households/new", household(site, csrf, **{"child-1-name": MARKUP,
                   "child-1-sex": "x"}))  # fmt: skip
    assert f'value="{ESCAPED}"' in refused.text
    assert MARKUP not in refused.text


def test_registration_is_scoped_and_refused_to_viewers_and_forgeries(site: Site) -> None:
    csrf = site.sign_in()
    before = count(site, Household)
    other = post(site, "/households/new", household(site, csrf, area_id=str(site.ids["area_b"])))
    assert other.status_code == 404
    assert post(site, "/households/new", household(site, "guess")).status_code == 403
    viewer = site.sign_in("viewer")
    assert site.client.get("/households/new").status_code == 403
    refused = post(site, "/households/new", household(site, viewer))
    assert refused.status_code == 403
    assert count(site, Household) == before


def test_the_partner_directory(site: Site) -> None:
    csrf = site.sign_in()
    listed = site.client.get("/partners")
    assert listed.status_code == 200
    assert "Labour Inspectorate" in listed.text
    assert 'action="/partners"' not in listed.text
    form = {"csrf_token": csrf, "name": "Schools NGO", "kind": "ngo"}
    assert post(site, "/partners", form).status_code == 403
    admin = site.sign_in("admin")
    assert 'action="/partners"' in site.client.get("/partners").text
    taken = post(site, "/partners", {**form, "csrf_token": admin, "name": "Labour Inspectorate",
                                     "kind": ""})  # fmt: skip
    assert taken.status_code == 422
    assert 'id="name-error">A partner with this name is already listed.' in taken.text
    assert 'id="kind-error">Choose the kind of organisation.' in taken.text
    assert count(site, Partner) == 1
    added = post(site, "/partners", {**form, "csrf_token": admin, "name": MARKUP})
    assert added.status_code == 303
    page = site.client.get("/partners").text
    assert re.search(
        rf'<td><a href="/partners/\d+">{re.escape(ESCAPED)}</a></td><td>NGO</td>', page
    )
    assert MARKUP not in page


def test_the_weeks_visits_are_the_users_follow_ups(site: Site) -> None:
    site.sign_in()
    assert "Nothing is due this week" in site.client.get("/visits/week").text  # none assigned
    with Session(site.engine) as session, session.begin():
        monitor = session.scalar(select(User.id).where(User.username == "monitor"))
        assign_area_monitor(session, area_id=site.ids["area_a"], user_id=monitor, actor="admin")
    page = site.client.get("/visits/week")
    assert page.status_code == 200
    assert f'<a href="/children/{site.ids["child_a"]}#record-visit">child a</a>' in page.text
    assert "2026-04-20" in page.text
    assert "Overdue" in page.text
    assert "child b" not in page.text
    assert audit_actions(site)[-1] == "follow_up.week"

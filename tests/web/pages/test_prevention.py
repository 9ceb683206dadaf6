"""The prevention pages: the household's proposals on the child's page, the form that opens
an at-risk case (reason preselected from the rule, sent as left, wrong values beside the
field), the case then on the child's page with its history."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ipec.monitoring import Case, Sex
from ipec.monitoring.service import ChildInput, add_child
from tests.web.pages.conftest import Site, audit_actions, count, post


def _sister(site: Site) -> int:
    with Session(site.engine) as session, session.begin():
        return add_child(session, household_id=site.ids["household_a"], actor="admin",
                         child=ChildInput("sister a", Sex.FEMALE, date(2016, 2, 1))).id  # fmt: skip


def test_proposals_on_the_childs_page(site: Site) -> None:
    site.sign_in()
    child = site.ids["child_a"]
    page = site.client.get(f"/children/{child}").text
    assert f'hx-get="/children/{child}/at-risk/proposals"' in page
    none = site.client.get(f"/children/{child}/at-risk/proposals").text
    assert "The rule finds no other child of the household at risk." in none
    sister = _sister(site)
    section = site.client.get(f"/children/{child}/at-risk/proposals").text
    assert f'<a href="/children/{sister}">sister a</a>' in section
    assert "Sibling of a child in child labour" in section
    assert f'href="/children/{sister}/at-risk"' in section


def test_opening_an_at_risk_case(site: Site) -> None:
    token = site.sign_in()
    sister = _sister(site)
    form = site.client.get(f"/children/{sister}/at-risk").text
    assert '<option value="sibling_in_child_labour" selected>' in form
    before = count(site, Case)
    # the note empty with "other": refused beside the note
    path = f"/children/{sister}/at-risk"
    refused = post(site, path, {"csrf_token": token, "reason": "other", "note": " ",
                                "opened_on": "2026-06-02"})  # fmt: skip
    assert refused.status_code == 422
    assert 'id="note-error"' in refused.text
    assert "Say why the child is at risk." in refused.text
    # the reason select emptied and a date in the future
    refused = post(site, f"/children/{sister}/at-risk", {
        "csrf_token": token, "reason": "", "note": "", "opened_on": "2999-01-01"})  # fmt: skip
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text
    assert 'id="opened_on-error"' in refused.text
    # a reason the rule does not give
    refused = post(site, f"/children/{sister}/at-risk", {
        "csrf_token": token, "reason": "out_of_school", "opened_on": "2026-06-02"})  # fmt: skip
    assert refused.status_code == 422
    assert "The rule does not find this reason" in refused.text
    assert count(site, Case) == before
    opened = post(site, f"/children/{sister}/at-risk", {
        "csrf_token": token, "reason": "sibling_in_child_labour", "note": "",
        "opened_on": "2026-06-02"})  # fmt: skip
    assert opened.status_code == 303
    assert opened.headers["location"].startswith(f"/children/{sister}?saved=case#case-")
    page = site.client.get(opened.headers["location"]).text
    assert "At risk · At risk" in page
    assert "Opened: the child is at risk" in page
    assert "case.open" in audit_actions(site)
    again = site.client.get(f"/children/{sister}/at-risk").text
    assert "The child already has an open case" in again


def test_a_viewer_reads_but_does_not_open(site: Site) -> None:
    token = site.sign_in("viewer")
    sister = _sister(site)
    assert "Only case workers open a case." in site.client.get(f"/children/{sister}/at-risk").text
    refused = post(site, f"/children/{sister}/at-risk", {"csrf_token": token,
                   "reason": "sibling_in_child_labour", "opened_on": "2026-06-02"})  # fmt: skip
    assert refused.status_code == 403

"""The pages of a partner user (its referrals, its answers), what it cannot reach on any page,
and the staff's pages for consents, referrals and partner users."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, User
from ipec.monitoring.models import Consent, Referral, ReferralStatus
from ipec.web.pages.routes import PAGE_ROUTERS
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import Site

_NAMES = ("child a", "child b")
#: Path parameters that name a child's record (or a record of its case).
_CHILD_RECORDS = {"child_id", "household_id", "case_id", "follow_up_id", "referral_id",
                  "consent_id", "service_id", "visit_id"}  # fmt: skip


def _id_for(site: Site, name: str) -> str:
    """A world id for the path parameter ``name`` (district A's record of that kind)."""
    kind = name.removesuffix("_id")
    return str(site.ids.get(f"{kind}_a", site.ids["child_a"]))


def test_the_partner_reaches_no_page_but_its_referrals(site: Site) -> None:
    """Every page route: one with a child's record in its path is not found (the partner's
    own referrals aside); the administration is refused; the others are refused, or show no
    child."""
    site.sign_in("partner")
    start = site.client.get("/dashboard", follow_redirects=False)
    assert (start.status_code, start.headers["location"]) == (303, "/partner/referrals")
    for route in [route for router in PAGE_ROUTERS for route in router.routes]:
        path, methods = getattr(route, "path", ""), getattr(route, "methods", set())
        if "GET" not in methods or path.startswith("/partner/"):
            continue
        concrete = re.sub(r"\{(\w+)\}", lambda found: _id_for(site, found.group(1)), path)
        answer = site.client.get(concrete, follow_redirects=False)
        if path.startswith("/admin"):
            assert answer.status_code == 403, (path, answer.status_code)
        elif set(re.findall(r"\{(\w+)\}", path)) & _CHILD_RECORDS:
            assert answer.status_code == 404, (path, answer.status_code)
        elif answer.status_code == 200:  # a page of no child (a partner's, a programme's)
            assert not any(name in answer.text for name in _NAMES), path
            assert f"C-{site.ids['child_a']:07d}" not in answer.text, path
        else:
            assert answer.status_code in (303, 403, 404, 422), (path, answer.status_code)
    mine = site.client.get("/partner/referrals")
    assert mine.status_code == 200
    assert f"C-{site.ids['child_a']:07d}" in mine.text
    assert not any(name in mine.text for name in _NAMES)
    assert 'href="/cases"' not in mine.text  # the staff's menu is not shown


def test_the_partner_answers_on_its_page(site: Site) -> None:
    csrf = site.sign_in("partner")
    page = f"/partner/referrals/{site.ids['referral_a']}"
    shown = site.client.get(page)
    assert "phone of a" in shown.text
    post = f"{page}/answer"
    empty = site.client.post(post, data={"csrf_token": csrf, "status": "rejected", "note": " "})
    assert empty.status_code == 422
    assert "Say why the referral is rejected." in empty.text
    accepted = site.client.post(post, data={"csrf_token": csrf, "status": "accepted"},
                                follow_redirects=False)  # fmt: skip
    assert accepted.status_code == 303
    done = site.client.post(post, data={"csrf_token": csrf, "status": "done", "note": "ok"})
    assert done.status_code == 200
    assert "Report the service done" not in done.text
    other = f"/partner/referrals/{site.ids['referral_a'] + 100}"
    assert site.client.get(other).status_code == 404
    with Session(site.engine) as session:
        referral = session.get(Referral, site.ids["referral_a"])
        assert referral is not None
        assert (referral.status, referral.answered_by) == (ReferralStatus.DONE, "partner")


def test_consents_on_the_childs_page(site: Site) -> None:
    csrf = site.sign_in("monitor")
    child = site.ids["child_a"]
    missing = site.client.post(f"/children/{child}/consents", data={
        "csrf_token": csrf, "purpose": "referral", "given_by": "",
        "given_on": "2026-02-01"})  # fmt: skip
    assert missing.status_code == 422
    assert "Choose who gave the consent." in missing.text
    assert "Choose the partner the family agreed to." in missing.text
    given = site.client.post(f"/children/{child}/consents", data={
        "csrf_token": csrf, "purpose": "data_sharing", "given_by": "caregiver",
        "given_on": "2026-02-01", "giver_name": "Aunt"}, follow_redirects=False)  # fmt: skip
    assert given.status_code == 303
    consent = site.ids["consent_a"]
    withdrawn = site.client.post(f"/consents/{consent}/withdraw", data={
        "csrf_token": csrf, "withdrawn_on": "2026-03-01", "reason": "moved away"})  # fmt: skip
    assert withdrawn.status_code == 200
    assert "Withdrawn on 2026-03-01" in withdrawn.text
    assert "Data sharing" in withdrawn.text
    # the referral to that partner is now refused, beside the partner field
    refused = site.client.post(f"/cases/{site.ids['case_a']}/referrals", data={
        "csrf_token": csrf, "partner_id": str(site.ids["partner"]), "reason": "again",
        "sent_on": "2026-03-02"})  # fmt: skip
    assert refused.status_code == 422
    assert "There is no consent for this partner" in refused.text
    outside = site.client.post(f"/consents/{site.ids['consent_b']}/withdraw", data={
        "csrf_token": csrf, "withdrawn_on": "2026-03-01"})  # fmt: skip
    assert outside.status_code == 404
    with Session(site.engine) as session:
        assert session.get(Consent, site.ids["consent_b"]).withdrawn_on is None  # type: ignore[union-attr]


def test_rejecting_on_the_childs_page_needs_a_reason(site: Site) -> None:
    csrf = site.sign_in("monitor")
    path = f"/referrals/{site.ids['referral_a']}/status"
    empty = site.client.post(path, data={"csrf_token": csrf, "status": "rejected"})
    assert empty.status_code == 422
    assert "Say why the referral is rejected." in empty.text
    given = site.client.post(path, data={"csrf_token": csrf, "status": "rejected",
                                         "note": "no place"})  # fmt: skip
    assert given.status_code == 200
    assert "Answer from monitor: no place" in given.text


def test_an_administrator_adds_a_partner_user(site: Site) -> None:
    csrf = site.sign_in("admin")
    form = {"csrf_token": csrf, "username": "inspector2", "display_name": "Inspector",
            "password": PASSWORD, "role": "partner", "partner_id": ""}  # fmt: skip
    missing = site.client.post("/admin/users", data=form)
    assert missing.status_code == 422
    assert "Choose the partner of a partner user." in missing.text
    added = site.client.post("/admin/users", data={**form, "partner_id": str(site.ids["partner"])},
                             follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    listed = site.client.get("/admin")
    assert "Referrals to Labour Inspectorate" in listed.text
    with Session(site.engine) as session:
        user = session.scalar(select(User).where(User.username == "inspector2"))
        assert user is not None
        assert (user.role, user.partner_id, user.area_id) == (Role.PARTNER, site.ids["partner"],
                                                              None)  # fmt: skip
        shown = site.client.get(f"/admin/users/{user.id}")
    assert "A partner user of Labour Inspectorate" in shown.text

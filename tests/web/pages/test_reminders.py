"""The "What needs me" page: empty, then a monitor's overdue follow-up; the digest form sent
as left (the box ticked without an address, then a wrong address, then right)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.monitoring.service import assign_area_monitor
from tests.web.pages.conftest import Site, post
from tests.web.pages.test_week import user_id


def test_what_needs_a_monitor(site: Site) -> None:
    site.sign_in()
    empty = site.client.get("/reminders").text
    assert "<h1>What needs me</h1>" in empty
    assert "Nothing needs you today." in empty
    assert 'href="/reminders" aria-current="page"' in empty
    assert "This server sends no e-mail yet" in empty
    with Session(site.engine) as session, session.begin():
        assign_area_monitor(session, area_id=site.ids["area_a"],
                            user_id=user_id(site.engine, "monitor"), actor="admin")  # fmt: skip
    page = site.client.get("/reminders").text
    assert "Things that need you: 1." in page
    overdue = page.split('id="h-r-overdue"')[1]
    assert "2026-04-20" in overdue
    assert f'href="/children/{site.ids["child_a"]}#record-visit">child a</a>' in overdue


def test_choosing_the_digest(site: Site) -> None:
    token = site.sign_in()
    refused = post(site, "/reminders/digest", {"csrf_token": token, "email": "", "enabled": "1"})
    assert refused.status_code == 422
    assert 'id="email-error"' in refused.text
    assert "Give the address the digest goes to." in refused.text
    refused = post(site, "/reminders/digest", {"csrf_token": token, "email": "me at home"})
    assert refused.status_code == 422
    assert "Enter an e-mail address (name@example.org)." in refused.text
    saved = post(site, "/reminders/digest", {"csrf_token": token, "email": "me@example.org",
                                             "enabled": "1"})  # fmt: skip
    assert saved.status_code == 303
    page = site.client.get(saved.headers["location"]).text
    assert 'value="me@example.org"' in page
    assert 'name="enabled" value="1" checked' in page
    with Session(site.engine) as session:
        user = session.query(User).filter(User.username == "monitor").one()
        assert (user.email, user.email_digest) == ("me@example.org", True)
    # unticked: off, the address kept
    off = post(site, "/reminders/digest", {"csrf_token": token, "email": "me@example.org"})
    assert off.status_code == 303
    with Session(site.engine) as session:
        user = session.query(User).filter(User.username == "monitor").one()
        assert (user.email, user.email_digest) == ("me@example.org", False)

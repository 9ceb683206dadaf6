"""The week, a follow-up's page and the areas' monitors through the pages: what each role sees,
the forms sent as a user leaves them (empty selects and dates), errors beside the fields,
scope and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ipec.auth import Role, User, create_user
from ipec.monitoring import AuditEntry, Visit
from ipec.monitoring.models import AreaMonitor, FollowUp
from ipec.monitoring.service import assign_area_monitor
from ipec.web.api.common import today
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import Site, audit_actions, post


def add_user(engine: Engine, name: str, role: Role, area_id: int) -> int:
    """A user of ``area_id`` (display name "<name> name"): their id."""
    with Session(engine) as session, session.begin():
        return create_user(session, username=name, display_name=f"{name} name",
                           password=PASSWORD, role=role, area_id=area_id).id  # fmt: skip


def user_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        return session.scalars(select(User.id).where(User.username == name)).one()


def soon_follow_up(engine: Engine, case_id: int, days: int = 10) -> int:
    """A follow-up of the case due ``days`` from today: its id."""
    with Session(engine) as session, session.begin():
        made = FollowUp(case_id=case_id, due_on=today() + timedelta(days=days))
        session.add(made)
        session.flush()
        return made.id


def test_a_monitor_sees_their_week_each_child_once(site: Site) -> None:
    site.sign_in()
    child, area = site.ids["child_a"], site.ids["area_a"]
    empty = site.client.get("/visits/week").text
    assert "Nothing is due this week, and nothing is overdue." in empty
    assert 'name="monitor_id"' not in empty  # a monitor has no filter
    soon = soon_follow_up(site.engine, site.ids["case_a"], days=5)
    with Session(site.engine) as session, session.begin():
        assign_area_monitor(session, area_id=area, user_id=user_id(site.engine, "monitor"),
                            actor="admin")  # fmt: skip
    page = site.client.get("/visits/week").text
    assert "<h1>My visits this week</h1>" in page
    assert page.count(f'href="/children/{child}#record-visit"') == 1  # one row for the child
    assert "Other follow-ups: 1" in page  # the one due in 5 days, beside the most urgent
    overdue = page.split('id="h-overdue"')[1]
    assert "2026-04-20" in overdue
    assert str((today() - today().replace(2026, 4, 20)).days) in overdue
    assert f'href="/follow-ups/{site.ids["follow_up_a"]}"' in page
    assert f'href="/follow-ups/{soon}"' not in page
    assert "Due this week" not in page
    assert audit_actions(site)[-1] == "follow_up.week"


def test_a_supervisor_filters_the_teams_week_by_monitor(site: Site) -> None:
    add_user(site.engine, "sup", Role.SUPERVISOR, site.ids["area_a"])
    site.sign_in("sup")
    page = site.client.get("/visits/week").text
    assert "<h1>My team's visits this week</h1>" in page
    assert re.search(r'<option value="\d+">monitor</option>', page)
    assert '<option value="">Everyone in my team</option>' in page
    assert "child a" in page
    assert "child b" not in page
    assert '<span class="tag warn">Nobody</span>' in page
    assert 'href="/assignments"' in page
    everyone = site.client.get("/visits/week?monitor_id=")  # the select left as it is
    assert everyone.status_code == 200
    assert "child a" in everyone.text
    mine = site.client.get(f"/visits/week?monitor_id={user_id(site.engine, 'monitor')}").text
    assert "Nothing is due this week" in mine
    viewer = user_id(site.engine, "viewer")
    assert site.client.get(f"/visits/week?monitor_id={viewer}").status_code == 404


def test_a_follow_up_is_moved_on_its_page_within_the_bounds(site: Site) -> None:
    csrf = site.sign_in()
    soon = soon_follow_up(site.engine, site.ids["case_a"])
    page = site.client.get(f"/follow-ups/{soon}").text
    rule, last = today() + timedelta(days=10), today() + timedelta(days=38)
    assert f"from {today().isoformat()} to {last.isoformat()}: up to 4 weeks" in page
    assert 'action="/follow-ups/' in page
    assert "Who does it" not in page  # a monitor does not assign
    empty = post(site, f"/follow-ups/{soon}/due", {"csrf_token": csrf, "due_on": ""})
    assert empty.status_code == 422
    assert 'id="due_on-error">Enter a date (year-month-day).' in empty.text
    far = (last + timedelta(days=1)).isoformat()
    refused = post(site, f"/follow-ups/{soon}/due", {"csrf_token": csrf, "due_on": far})
    assert refused.status_code == 422
    assert (f'id="due_on-error">Choose a day from {today().isoformat()} to {last.isoformat()}.'
            in refused.text)  # fmt: skip
    assert f'value="{far}"' in refused.text  # what was typed is kept
    kept = post(site, f"/follow-ups/{soon}/due", {"csrf_token": csrf, "due_on": rule.isoformat()})
    assert kept.status_code == 303  # the date left as it was is a date within the bounds
    moved = post(site, f"/follow-ups/{soon}/due", {"csrf_token": csrf, "due_on": last.isoformat()})
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/follow-ups/{soon}?saved=follow_up"
    with Session(site.engine) as session:
        follow_up = session.get(FollowUp, soon)
        assert follow_up is not None
        assert (follow_up.due_on, follow_up.rule_due_on) == (last, rule)
    assert audit_actions(site).count("follow_up.move") == 2
    assignee = post(site, f"/follow-ups/{soon}/assignee", {"csrf_token": csrf, "user_id": ""})
    assert assignee.status_code == 403  # a monitor does not assign
    late = site.client.get(f"/follow-ups/{site.ids['follow_up_a']}").text
    assert "It can no longer be moved (the last day was 2026-05-18): record the visit." in late
    assert site.client.get(f"/follow-ups/{site.ids['follow_up_b']}").status_code == 404


def test_a_supervisor_reassigns_a_follow_up_on_its_page(site: Site) -> None:
    sup = add_user(site.engine, "sup", Role.SUPERVISOR, site.ids["area_a"])
    add_user(site.engine, "mb", Role.MONITOR, site.ids["area_b"])
    csrf = site.sign_in("sup")
    follow_up = site.ids["follow_up_a"]
    page = site.client.get(f"/follow-ups/{follow_up}").text
    assert "The area's monitor (there is none yet)" in page
    assert re.search(r'<option value="\d+">monitor</option>', page)
    assert ">mb name<" not in page  # a monitor of district B is not offered
    path = f"/follow-ups/{follow_up}/assignee"
    given = post(site, path, {"csrf_token": csrf, "user_id": str(sup)})
    assert given.status_code == 303
    shown = site.client.get(f"/follow-ups/{follow_up}").text
    assert 'sup name <span class="muted">(assigned to this follow-up)</span>' in shown
    assert re.search(rf'<option value="{sup}" selected>sup name</option>', shown)
    back = post(site, path, {"csrf_token": csrf, "user_id": ""})  # the select's first choice
    assert back.status_code == 303
    with Session(site.engine) as session:
        assert session.get(FollowUp, follow_up).assignee_id is None  # type: ignore[union-attr]
    stranger = post(site, path, {"csrf_token": csrf, "user_id": str(user_id(site.engine, "mb"))})
    assert stranger.status_code == 422
    assert 'id="user_id-error">Choose someone from the list' in stranger.text
    assert post(site, path, {"csrf_token": csrf, "user_id": "x1"}).status_code == 422
    assert audit_actions(site, "sup").count("follow_up.assign") == 2


def test_the_areas_monitors_page(site: Site) -> None:
    csrf = site.sign_in()
    assert site.client.get("/assignments").status_code == 403
    area = site.ids["area_a"]
    assert (
        post(site, f"/assignments/areas/{area}", {"csrf_token": csrf, "user_id": ""}).status_code
        == 403
    )
    add_user(site.engine, "sup", Role.SUPERVISOR, area)
    csrf = site.sign_in("sup")
    page = site.client.get("/assignments").text
    assert f'id="area-{area}"' in page
    assert f'id="area-{site.ids["area_b"]}"' not in page
    monitor = user_id(site.engine, "monitor")
    chosen = post(site, f"/assignments/areas/{area}", {"csrf_token": csrf, "user_id": str(monitor),
                                                       "shown": str(area)})  # fmt: skip
    assert chosen.status_code == 303
    assert chosen.headers["location"] == f"/assignments?area_id={area}&saved=monitor#area-{area}"
    shown = site.client.get(f"/assignments?area_id={area}").text
    assert re.search(rf'<option value="{monitor}" selected>monitor</option>', shown)
    assert "Its follow-ups go to:\n      monitor" in shown or "Its follow-ups go to:" in shown
    cleared = post(site, f"/assignments/areas/{area}", {"csrf_token": csrf, "user_id": ""})
    assert cleared.status_code == 303
    with Session(site.engine) as session:
        assert session.get(AreaMonitor, area) is None
    for above_or_beside in (site.ids["country"], site.ids["area_b"]):  # outside the scope
        form = {"csrf_token": csrf, "user_id": str(monitor)}
        assert post(site, f"/assignments/areas/{above_or_beside}", form).status_code == 404
    with Session(site.engine) as session:
        rows = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "area.monitor")
                               .order_by(AuditEntry.id)).all()  # fmt: skip
    assert rows == [{"from": None, "to": monitor}, {"from": monitor, "to": None}]


def test_the_visit_form_records_the_signed_in_user(site: Site) -> None:
    csrf = site.sign_in()
    child = site.ids["child_a"]
    form = site.client.get(f"/children/{child}").text
    assert 'name="monitor"' not in form
    assert "Visited by monitor (you: the visit is recorded as yours)" in form
    data = {"csrf_token": csrf, "visit_date": "2026-05-01", "consent": "yes",
            "monitor": "somebody else"}  # fmt: skip
    assert post(site, f"/children/{child}/visits", data).status_code == 303
    with Session(site.engine) as session:
        assert session.scalars(select(Visit.monitor)).all() == ["monitor"]

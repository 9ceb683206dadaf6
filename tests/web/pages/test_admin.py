"""The administration pages: users, areas, profile and audit log, with the granting rules,
errors beside the fields, the anti-forgery check and audit rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth import Role, User, create_user
from ipec.monitoring import AuditEntry
from ipec.monitoring.models import Area
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import Site


def _user(site: Site, username: str) -> User | None:
    with Session(site.engine) as session:
        return session.scalar(select(User).where(User.username == username))


def _audit(site: Site, action: str, actor: str = "admin") -> list[AuditEntry]:
    with Session(site.engine) as session:
        query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor == actor)
        return list(session.scalars(query.order_by(AuditEntry.id)))


def _manager_of_a(site: Site) -> None:
    with Session(site.engine) as session, session.begin():
        create_user(session, username="manager", display_name="Manager of A", password=PASSWORD,
                    role=Role.PROGRAMME_MANAGER, area_id=site.ids["area_a"])  # fmt: skip


def _new_user(site: Site, csrf: str, **fields: str) -> Any:
    form = {
        "csrf_token": csrf,
        "username": "sup",
        "display_name": "Supervisor",
        "password": PASSWORD,
        "role": "supervisor",
        "area_id": str(site.ids["area_a"]),
    }
    return site.client.post("/admin/users", data={**form, **fields}, follow_redirects=False)


def test_an_administrator_adds_a_user(site: Site) -> None:
    csrf = site.sign_in("admin")
    answer = _new_user(site, csrf, display_name="<b>Boss</b>")
    assert answer.status_code == 303
    user = _user(site, "sup")
    assert user is not None
    assert (user.role, user.area_id, user.active) == (Role.SUPERVISOR, site.ids["area_a"], True)
    [entry] = _audit(site, "user.create")
    assert entry.entity_id == user.id
    assert entry.detail == {"role": "supervisor", "area": site.ids["area_a"]}
    listing = site.client.get("/admin")
    assert "&lt;b&gt;Boss&lt;/b&gt;" in listing.text
    assert "<b>Boss</b>" not in listing.text
    assert _audit(site, "user.list")


def test_errors_appear_beside_the_fields(site: Site) -> None:
    csrf = site.sign_in("admin")
    empty = site.client.post("/admin/users", data={"csrf_token": csrf})
    assert empty.status_code == 422
    for field in ("role", "area_id"):
        assert f'aria-describedby="{field}-error"' in empty.text
        assert f'id="{field}-error"' in empty.text
    short = _new_user(site, csrf, password="short", username="kept.name")
    assert short.status_code == 422
    assert 'id="password-error"' in short.text
    assert 'value="kept.name"' in short.text
    taken = _new_user(site, csrf, username="monitor")
    assert "This username is already taken." in taken.text
    bad = _new_user(site, csrf, username="Not A Name!")
    assert 'id="username-error"' in bad.text
    assert _user(site, "kept.name") is None
    assert not _audit(site, "user.create")


def test_without_the_anti_forgery_token_nothing_is_written(site: Site) -> None:
    site.sign_in("admin")
    answer = _new_user(site, "forged")
    assert answer.status_code == 403
    without = site.client.post(
        "/admin/areas", data={"name": "X", "level": "village", "parent_id": str(site.ids["area_a"])}
    )
    assert without.status_code == 403
    assert _user(site, "sup") is None
    with Session(site.engine) as session:
        assert session.scalar(select(func.count()).where(Area.name == "X")) == 0
    assert not _audit(site, "user.create")


def test_a_programme_manager_stays_within_their_scope_and_rights(site: Site) -> None:
    _manager_of_a(site)
    csrf = site.sign_in("manager")
    listing = site.client.get("/admin")
    assert listing.status_code == 200
    assert ">monitor<" in listing.text
    assert ">admin<" not in listing.text  # the administrator's scope is the whole country
    assert 'value="admin"' not in listing.text  # the role is not offered
    admin_role = _new_user(site, csrf, role="admin")
    assert "Only an administrator may give the administrator role." in admin_role.text
    elsewhere = _new_user(site, csrf, area_id=str(site.ids["area_b"]))
    assert "This area is not one of your areas." in elsewhere.text
    assert _user(site, "sup") is None
    admin_id = _user(site, "admin").id  # type: ignore[union-attr]
    assert site.client.get(f"/admin/users/{admin_id}").status_code == 404
    assert site.client.get("/admin/audit").status_code == 403
    assert site.client.post("/admin/areas", data={"csrf_token": csrf, "name": "X",
                                                  "level": "village",
                                                  "parent_id": str(site.ids["area_a"])}
                            ).status_code == 403  # fmt: skip


def test_changing_role_and_scope_and_deactivating(site: Site) -> None:
    csrf = site.sign_in("admin")
    monitor = _user(site, "monitor")
    assert monitor is not None
    changed = site.client.post(f"/admin/users/{monitor.id}", data={
        "csrf_token": csrf, "role": "supervisor", "area_id": str(site.ids["area_b"])},
        follow_redirects=False)  # fmt: skip
    assert changed.status_code == 303
    off = site.client.post(
        f"/admin/users/{monitor.id}",
        data={"csrf_token": csrf, "active": "false"},
        follow_redirects=False,
    )
    assert off.status_code == 303
    after = _user(site, "monitor")
    assert after is not None
    assert (after.role, after.area_id, after.active) == (Role.SUPERVISOR, site.ids["area_b"], False)
    changes = [entry.detail["changes"] for entry in _audit(site, "user.update")]
    assert changes == [
        {"role": {"from": "monitor", "to": "supervisor"},
         "area": {"from": site.ids["area_a"], "to": site.ids["area_b"]}},
        {"active": {"from": True, "to": False}},
    ]  # fmt: skip
    page = site.client.get(f"/admin/users/{monitor.id}")
    assert "Reactivate" in page.text
    admin = _user(site, "admin")
    assert admin is not None
    myself = site.client.post(f"/admin/users/{admin.id}", data={"csrf_token": csrf,
                                                                "active": "false"})  # fmt: skip
    assert myself.status_code == 422
    assert 'id="active-error"' in myself.text
    assert _user(site, "admin").active  # type: ignore[union-attr]


def test_a_deactivated_user_cannot_sign_in(site: Site) -> None:
    csrf = site.sign_in("admin")
    viewer = _user(site, "viewer")
    assert viewer is not None
    site.client.post(f"/admin/users/{viewer.id}", data={"csrf_token": csrf, "active": "false"})
    site.client.cookies.clear()
    token = site.token("/login", "login_token")
    refused = site.client.post("/login", data={"username": "viewer", "password": PASSWORD,
                                               "login_token": token})  # fmt: skip
    assert refused.status_code == 401


def test_areas(site: Site) -> None:
    csrf = site.sign_in("admin")
    form = {"csrf_token": csrf, "name": "<i>Village</i>", "level": "village",
            "parent_id": str(site.ids["area_a"])}  # fmt: skip
    assert site.client.post("/admin/areas", data=form, follow_redirects=False).status_code == 303
    page = site.client.get("/admin/areas")
    assert "&lt;i&gt;Village&lt;/i&gt;" in page.text
    assert "<i>Village</i>" not in page.text
    [entry] = _audit(site, "area.create")
    assert entry.detail == {"parent": site.ids["area_a"], "name": "<i>Village</i>"}
    again = site.client.post("/admin/areas", data=form)
    assert again.status_code == 422
    assert 'id="name-error"' in again.text
    empty = site.client.post("/admin/areas", data={"csrf_token": csrf})
    for field in ("name", "level", "parent_id"):
        assert f'id="{field}-error"' in empty.text


def test_profile_and_audit_log(site: Site) -> None:
    site.sign_in("admin")
    profile = site.client.get("/admin/profile")
    assert profile.status_code == 200
    assert "<code>sdg-8.7.1</code>" in profile.text
    assert "IPEC_PROFILE" in profile.text
    assert "The minimum age for work is 15." in profile.text
    site.client.get("/admin")
    log = site.client.get("/admin/audit?actor=admin&entity=user")
    assert log.status_code == 200
    assert "user.list" in log.text
    assert "child.create" not in log.text  # another entity
    assert _audit(site, "audit.read")


def test_other_roles_are_refused(site: Site) -> None:
    csrf = site.sign_in("viewer")
    for path in ("/admin", "/admin/areas", "/admin/profile", "/admin/audit", "/admin/users/1"):
        assert site.client.get(path).status_code == 403, path
    assert _new_user(site, csrf).status_code == 403
    site.sign_in("monitor")
    assert site.client.get("/admin").status_code == 403
    assert "Administration" not in site.client.get("/dashboard").text

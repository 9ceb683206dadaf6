"""The case list page: scope, filters, markup rendered inert, exports of the same list."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry, Child
from tests.web.pages.conftest import Site

HOSTILE = '<script>alert("x")</script><b onmouseover="alert(1)">bold</b>'


def test_lists_only_the_users_district_and_audits_it(site: Site) -> None:
    site.sign_in("monitor")
    page = site.client.get("/cases")
    assert f'href="/children/{site.ids["child_a"]}"' in page.text
    assert f'href="/children/{site.ids["child_b"]}"' not in page.text
    outside = site.client.get(f"/cases?area_id={site.ids['area_b']}")
    assert outside.status_code == 404
    with Session(site.engine) as session:
        listed = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "case.list")
        ).all()
    assert {"children": [site.ids["child_a"]], "page": 1} in listed


def test_the_administrator_sees_both_and_filters_narrow(site: Site) -> None:
    site.sign_in("admin")
    both = site.client.get("/cases").text
    assert "child a" in both
    assert "child b" in both
    only_b = site.client.get(f"/cases?area_id={site.ids['area_b']}").text
    assert "child a" not in only_b
    assert "child b" in only_b
    boys = site.client.get("/cases?sex=male").text
    assert "No case matches these filters." in boys
    closed = site.client.get("/cases?status=closed").text
    assert "No case matches these filters." in closed
    oldest = site.client.get("/cases?age=15-17").text
    assert "No case matches these filters." in oldest
    searched = site.client.get("/cases?q=child+b").text
    assert "child a" not in searched
    assert "child b" in searched
    assert "search=child+b" in searched


def test_markup_in_a_name_renders_inert(site: Site) -> None:
    with Session(site.engine) as session, session.begin():
        child = session.get(Child, site.ids["child_a"])
        assert child is not None
        child.name = HOSTILE
    site.sign_in("monitor")
    page = site.client.get("/cases", params={"q": "<script>"})
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "<b onmouseover" not in page.text
    assert 'value="&lt;script&gt;"' in page.text


def test_export_links_carry_the_filters_and_stay_in_scope(site: Site) -> None:
    site.sign_in("monitor")
    page = site.client.get("/cases?priority=girls&overdue=true").text
    assert "/api/v1/exports/cases.csv?open_only=true&amp;sex=female&amp;overdue=true" in page
    export = site.client.get("/api/v1/exports/cases.csv?open_only=true&sex=female&overdue=true")
    assert export.status_code == 200
    with Session(site.engine) as session:
        pseudonym_a = session.scalar(select(Child.pseudonym).where(Child.id == site.ids["child_a"]))
        pseudonym_b = session.scalar(select(Child.pseudonym).where(Child.id == site.ids["child_b"]))
        exports = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.export")
        )
    assert pseudonym_a in export.text
    assert pseudonym_b not in export.text
    assert exports == 1


def test_pages_of_the_list_link_to_each_other(site: Site) -> None:
    site.sign_in("admin")
    first = site.client.get("/cases?sex=female").text
    assert 'rel="next"' not in first
    assert "Page 1" in first
    beyond = site.client.get("/cases?sex=female&page=3").text
    assert 'href="?sex=female&amp;page=2"' in beyond

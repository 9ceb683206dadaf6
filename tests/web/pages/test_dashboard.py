"""The dashboard over the small world (districts A and B, a child with a case in each), with
one visit per child: its numbers are the metrics' numbers for the same scope and period."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry
from ipec.monitoring.metrics import (
    Period,
    follow_up_compliance,
    identification_rate,
    outcome_counts,
    support_rate,
)
from ipec.monitoring.models import Area
from ipec.monitoring.service import create_area, record_visit
from ipec.standards import load_profile
from ipec.web.api.common import today
from ipec.web.pages.figures import default_period
from tests.web.pages.conftest import Site

_CARD = re.compile(r'<span class="value">([^<]*)</span> <span class="label">([^<]*)</span>')
WORKING = {"econ_any": True, "econ_hours": 30}


def _cards(html: str) -> dict[str, str]:
    """Each card's label (first words) -> its value."""
    return {label.split(" (")[0]: value for value, label in _CARD.findall(html)}


@pytest.fixture
def visited(site: Site) -> Site:
    """Both children (12 years old) found working 30 hours a week a month ago: child labour."""
    with Session(site.engine) as session, session.begin():
        for key in ("a", "b"):
            record_visit(session, child_id=site.ids[f"child_{key}"],
                         visit_date=today() - timedelta(days=30), monitor="monitor",
                         consent=True, record=WORKING, profile=load_profile("sdg-8.7.1"),
                         actor="monitor")  # fmt: skip
    return site


def _path(site: Site, key: str) -> str:
    with Session(site.engine) as session:
        area = session.get(Area, site.ids[key])
        assert area is not None
        return area.path


def _expected(site: Site, key: str) -> dict[str, str]:
    """The cards computed by the metrics themselves for the area and the default period."""
    period, path = default_period(today()), _path(site, key)
    with Session(site.engine) as session:
        identified = identification_rate(session, area_path=path, period=period)[0]
        supported = support_rate(session, area_path=path, period=period)[0]
        outcomes = outcome_counts(session, area_path=path, period=period, minimum_age=15)[0]
        due = follow_up_compliance(session, area_path=path, period=period)[0]
    return {
        "Children monitored": str(identified.denominator),
        "Identified in child labour": str(identified.numerator),
        "In remediation": str(supported.numerator),
        "Withdrawn from child labour": str(outcomes.withdrawn),
        "Prevented": str(outcomes.prevented),
        "Overdue follow-ups": str(due.denominator - due.numerator),
    }


def test_the_whole_programme_for_an_administrator(visited: Site) -> None:
    visited.sign_in("admin")
    page = visited.client.get("/dashboard")
    assert page.status_code == 200
    cards = _cards(page.text)
    expected = _expected(visited, "country")
    assert {key: cards[key] for key in expected} == expected
    # By hand: both children visited and found in child labour; both cases opened on
    # 2 January with a school kit; nobody verified twice; both follow-ups (due 20 April) undone.
    assert expected == {
        "Children monitored": "2",
        "Identified in child labour": "2",
        "In remediation": "2",
        "Withdrawn from child labour": "0",
        "Prevented": "0",
        "Overdue follow-ups": "2",
    }
    assert cards["Effectiveness: 0 of 0 followed children out of child labour"] == "\N{EN DASH}"
    # The districts are offered for drilling down, and charted.
    for key in ("area_a", "area_b"):
        assert f'href="/dashboard?area_id={visited.ids[key]}&amp;' in page.text
    assert page.text.count('<figure class="chart"') == 5
    assert page.text.count('role="img"') == 5


def test_a_monitor_of_a_sees_only_a(visited: Site) -> None:
    visited.sign_in("monitor")
    page = visited.client.get("/dashboard")
    assert page.status_code == 200
    cards = _cards(page.text)
    expected = _expected(visited, "area_a")
    assert {key: cards[key] for key in expected} == expected
    assert expected["Children monitored"] == expected["Identified in child labour"] == "1"
    assert expected["Overdue follow-ups"] == "1"
    assert "Dashboard: A" in page.text
    assert f"area_id={visited.ids['area_b']}" not in page.text
    assert f"area_id={visited.ids['country']}" not in page.text  # no breadcrumb above scope


def test_drilling_down_and_out_of_scope(visited: Site) -> None:
    visited.sign_in("admin")
    page = visited.client.get(f"/dashboard?area_id={visited.ids['area_b']}")
    assert _cards(page.text)["Children monitored"] == "1"
    assert f'<a href="/dashboard?area_id={visited.ids["country"]}&amp;' in page.text
    assert '<span aria-current="page">B</span>' in page.text
    visited.sign_in("monitor")
    for area_id in (visited.ids["area_b"], visited.ids["country"], 999_999):
        refused = visited.client.get(f"/dashboard?area_id={area_id}")
        assert refused.status_code == 404
        assert "Not found" in refused.text
        assert '<span class="value">' not in refused.text


def test_a_period_and_a_wrong_one(visited: Site) -> None:
    visited.sign_in("admin")
    # A period before the visits and the cases: nothing was seen then.
    old = visited.client.get("/dashboard?from=2025-01-01&to=2025-06-30")
    assert _cards(old.text)["Children monitored"] == "0"
    assert _cards(old.text)["In remediation"] == "0"
    assert 'value="2025-01-01"' in old.text
    backwards = visited.client.get("/dashboard?from=2026-06-30&to=2026-01-01")
    assert backwards.status_code == 200
    assert 'id="to-error"' in backwards.text
    assert 'aria-invalid="true" aria-describedby="to-error"' in backwards.text
    assert _cards(backwards.text)["Children monitored"] == "2"  # the default period instead
    assert visited.client.get("/dashboard?from=yesterday").status_code == 422


def test_the_reading_is_audit_logged(visited: Site) -> None:
    visited.sign_in("monitor")
    visited.client.get(f"/dashboard?area_id={visited.ids['area_a']}&from=2026-01-01&to=2026-03-31")
    with Session(visited.engine) as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.actor == "monitor", AuditEntry.action == "metrics.read")
            .order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None
    assert (entry.entity, entry.entity_id) == ("area", visited.ids["area_a"])
    assert entry.detail == {"view": "dashboard", "start": "2026-01-01", "end": "2026-03-31"}


def test_a_viewer_reads_the_dashboard_without_actions(visited: Site) -> None:
    visited.sign_in("viewer")
    page = visited.client.get("/dashboard")
    assert page.status_code == 200
    assert _cards(page.text)["Children monitored"] == "1"
    assert 'method="post"' not in page.text.split("<main")[1]  # sign-out is in the header
    assert visited.client.get("/admin").status_code == 403


def test_area_names_are_shown_inert(visited: Site) -> None:
    with Session(visited.engine) as session, session.begin():
        create_area(session, name='<img src=x onerror="alert(1)">', level="village",
                    parent_id=visited.ids["area_a"])  # fmt: skip
    visited.sign_in("monitor")
    page = visited.client.get("/dashboard")
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page.text


def _readings(site: Site) -> int:
    with Session(site.engine) as session:
        found = session.scalars(select(AuditEntry).where(AuditEntry.action == "metrics.read"))
        return len(found.all())


def test_a_second_view_reuses_the_figures_and_is_audit_logged(
    visited: Site, computed: list[tuple[str, Period]]
) -> None:
    visited.sign_in("monitor")
    first = visited.client.get("/dashboard")
    # A visit recorded after the first view is not counted until the figures expire.
    with Session(visited.engine) as session, session.begin():
        record_visit(session, child_id=visited.ids["child_a"], visit_date=today(),
                     monitor="monitor", consent=True, record={"econ_any": False},
                     profile=load_profile("sdg-8.7.1"), actor="monitor")  # fmt: skip
    readings = _readings(visited)
    second = visited.client.get("/dashboard")
    assert computed == [(_path(visited, "area_a"), default_period(today()))]
    assert _readings(visited) == readings + 1
    assert _cards(second.text) == _cards(first.text)
    fresh = _expected(visited, "area_a")
    assert {key: _cards(second.text)[key] for key in fresh} != fresh
    shown = re.search(r"Figures as of (\d\d:\d\d) UTC", second.text)
    assert shown is not None
    assert shown.group(1) in re.findall(r"\d\d:\d\d", first.text)


def test_another_area_or_period_is_computed_anew(
    visited: Site, computed: list[tuple[str, Period]]
) -> None:
    visited.sign_in("admin")
    visited.client.get("/dashboard")
    visited.client.get(f"/dashboard?area_id={visited.ids['area_b']}")
    visited.client.get("/dashboard?from=2025-01-01&to=2025-06-30")
    visited.client.get(f"/dashboard?area_id={visited.ids['area_b']}")
    assert [path for path, _period in computed] == [
        _path(visited, "country"),
        _path(visited, "area_b"),
        _path(visited, "country"),
    ]
    assert computed[2][1] == Period(date(2025, 1, 1), date(2025, 6, 30))


def test_a_user_never_gets_the_figures_of_another_area(
    visited: Site, computed: list[tuple[str, Period]]
) -> None:
    """The figures of the country and of B are kept first; the monitor of A still gets A's
    numbers for the same request, and nothing of B."""
    visited.sign_in("admin")
    assert _cards(visited.client.get("/dashboard").text)["Children monitored"] == "2"
    visited.client.get(f"/dashboard?area_id={visited.ids['area_b']}")
    visited.sign_in("monitor")
    assert _cards(visited.client.get("/dashboard").text)["Children monitored"] == "1"
    refused = visited.client.get(f"/dashboard?area_id={visited.ids['area_b']}")
    assert refused.status_code == 404
    assert '<span class="value">' not in refused.text
    assert [path for path, _period in computed][-1] == _path(visited, "area_a")
    assert len(computed) == 3

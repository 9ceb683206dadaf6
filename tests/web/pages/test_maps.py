"""The map page over the small world (districts A and B under the country): the districts
shaded by the dashboard's figures, a table of the same values, the access check and audit of
the dashboard, and what an area without a boundary or an unknown figure shows."""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry
from ipec.monitoring.models import Area, Household
from ipec.monitoring.service import record_visit
from ipec.standards import load_profile
from ipec.web.api.common import today
from tests.web.pages.conftest import ESCAPED, MARKUP, Site

WORKING = {"econ_any": True, "econ_hours": 30}
NOT_WORKING = {"econ_any": False}


def square(west: float) -> str:
    ring = [[west, 6.0], [west + 1, 6.0], [west + 1, 7.0], [west, 7.0], [west, 6.0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture
def mapped(site: Site) -> Site:
    """Both districts have boundaries; A's child found in child labour, B's not."""
    with Session(site.engine) as session, session.begin():
        for key, west in (("a", -5.0), ("b", -4.0)):
            session.execute(update(Area).where(Area.id == site.ids[f"area_{key}"])
                            .values(boundary=square(west)))  # fmt: skip
        for key, record in (("a", WORKING), ("b", NOT_WORKING)):
            record_visit(session, child_id=site.ids[f"child_{key}"],
                         visit_date=today() - timedelta(days=30), monitor="monitor",
                         consent=True, record=record, profile=load_profile("sdg-8.7.1"),
                         actor="admin")  # fmt: skip
    return site


def _svg(html: str) -> ElementTree.Element:
    found = re.search(r"<svg xmlns=.*?</svg>", html, re.S)
    assert found is not None
    return ElementTree.fromstring(found.group(0))


def _table(html: str) -> list[tuple[str, str]]:
    body = html.split('id="map-table"', 1)[1]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a>.*?<td class="number">'
                      r"([^<]*)</td>", body)  # fmt: skip


def test_the_districts_are_shaded_by_their_identification_rate(mapped: Site) -> None:
    mapped.sign_in("admin")
    page = mapped.client.get("/maps")
    assert page.status_code == 200
    svg = _svg(page.text)
    paths = {p.get("data-code"): p for p in svg.iter("{http://www.w3.org/2000/svg}path")}
    a, b = str(mapped.ids["area_a"]), str(mapped.ids["area_b"])
    # A: 1 of 1 child visited identified (100%), B: 0 of 1 (0%): the ends of the ramp.
    assert paths[a].get("fill") == "#8f3410"
    assert paths[b].get("fill") == "#fde7c8"
    assert _table(page.text) == [("A", "100.0%"), ("B", "0.0%")]
    assert 'aria-current="page">Map<' in page.text
    counts = mapped.client.get("/maps?figure=visited")
    assert _table(counts.text) == [("A", "1"), ("B", "1")]


def test_an_area_is_opened_from_the_map_and_is_audited(mapped: Site) -> None:
    mapped.sign_in("admin")
    page = mapped.client.get("/maps?figure=identified")
    svg = _svg(page.text)
    links = [a.get("href") for a in svg.iter("{http://www.w3.org/2000/svg}a")]
    assert f"/maps?area_id={mapped.ids['area_a']}&figure=identified" in links[0]
    inside = mapped.client.get(links[0] or "")
    assert inside.status_code == 200
    assert "There is no area under A." in inside.text
    with Session(mapped.engine) as session:
        views = [e.detail for e in session.query(AuditEntry).filter_by(action="metrics.read")]
    assert [view["view"] for view in views if view] == ["map", "map"]


def test_a_monitor_sees_only_their_district(mapped: Site) -> None:
    mapped.sign_in("monitor")
    assert mapped.client.get(f"/maps?area_id={mapped.ids['area_b']}").status_code == 404
    own = mapped.client.get("/maps")
    assert own.status_code == 200
    assert "Map: A" in own.text


def test_without_boundaries_the_values_are_still_a_table(site: Site) -> None:
    site.sign_in("admin")
    page = site.client.get("/maps")
    assert 'id="no-boundaries"' in page.text
    assert "<path" not in page.text
    assert _table(page.text) == [("A", "\u2013"), ("B", "\u2013")]


def test_an_unknown_figure_is_said_beside_its_field(mapped: Site) -> None:
    mapped.sign_in("admin")
    page = mapped.client.get("/maps?figure=nonsense")
    assert page.status_code == 200
    assert 'aria-invalid="true" aria-describedby="figure-error"' in page.text
    assert _table(page.text) == [("A", "100.0%"), ("B", "0.0%")]


def test_names_with_markup_are_text(mapped: Site) -> None:
    with Session(mapped.engine) as session, session.begin():
        session.execute(update(Area).where(Area.id == mapped.ids["area_a"]).values(name=MARKUP))
    mapped.sign_in("admin")
    page = mapped.client.get("/maps")
    assert MARKUP not in page.text
    assert ESCAPED in page.text
    _svg(page.text)  # still well-formed


def test_the_page_is_in_french(mapped: Site) -> None:
    mapped.sign_in("admin")
    page = mapped.client.get("/maps", headers={"accept-language": "fr"})
    assert "Carte" in page.text
    assert ("B", "0,0\u00a0%") in _table(page.text)


def _keep_estimates(site: Site) -> None:
    """District A: 40 children estimated in child labour (RMSE 10), B: 25 (RMSE 5)."""
    import polars as pl

    from ipec.need.estimates import import_estimates

    frame = pl.DataFrame({"area": ["A", "B"], "kind": ["eblup", "synthetic"],
                          "estimate": [0.04, 0.025], "ci_low": [0.02, 0.015],
                          "ci_high": [0.06, 0.035], "population": [1000.0, 1000.0],
                          "count": [40.0, 25.0], "count_rmse": [10.0, 5.0],
                          "indicator": ["child_labour"] * 2,
                          "profile": ["sdg-8.7.1"] * 2})  # fmt: skip
    with Session(site.engine) as session, session.begin():
        for key in ("a", "b"):
            session.execute(update(Area).where(Area.id == site.ids[f"area_{key}"])
                            .values(code=key.upper()))  # fmt: skip
        import_estimates(session, frame, source="districts.csv", actor="admin")


def test_coverage_of_need_is_mapped_and_tabled(mapped: Site) -> None:
    _keep_estimates(mapped)
    mapped.sign_in("admin")
    page = mapped.client.get("/maps?figure=coverage")
    # A: 1 identified of 40 estimated = 2.5%; B: 0 of 25 = 0%.
    assert _table(page.text) == [("A", "2.5%"), ("B", "0.0%")]
    svg = _svg(page.text)
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    # 1 / (40 + 1.96 x 10) = 1.7%, 1 / (40 - 19.6) = 4.9%.
    assert "A: 2.5% (1.7%\u20134.9%)" in titles
    need = page.text.split('id="need-table"', 1)[1]
    cells = re.findall(r'<td class="number" data-label="[^"]*">(.*?)</td>', need)
    # The country: 1 identified of 65 (RMSE sqrt(125) = 11.18: 43.1 to 86.9), 1.5% (1.15%-2.3%).
    assert cells[:4] == ["1", '65 <span class="muted">(43\u201387)</span>',
                         '1.5% <span class="muted">(1.2%\u20132.3%)</span>', "2"]  # fmt: skip
    assert 'href="/api/v1/metrics/need_coverage.csv?start=' in page.text
    estimated = mapped.client.get("/maps?figure=estimated")
    assert _table(estimated.text) == [("A", "40"), ("B", "25")]


def test_without_estimates_there_is_no_coverage_table(mapped: Site) -> None:
    mapped.sign_in("admin")
    page = mapped.client.get("/maps?figure=coverage")
    assert 'id="need-table"' not in page.text
    assert _table(page.text) == [("A", "\u2013"), ("B", "\u2013")]
    assert "no estimate" in page.text


def test_overdue_follow_ups_and_caseload_by_district(site: Site) -> None:
    """Each district has one case opened on 2026-01-02 and one follow-up due on 2026-04-20,
    not done: in the first half of 2026, one overdue and one open case each; the districts'
    overdue add up to the dashboard's card for the country."""
    site.sign_in("admin")
    period = "from=2026-01-01&to=2026-06-30"
    overdue = site.client.get(f"/maps?figure=overdue&{period}")
    assert _table(overdue.text) == [("A", "1"), ("B", "1")]
    dashboard = site.client.get(f"/dashboard?{period}")
    card = re.search(
        r'<span class="value">([^<]*)</span> <span class="label">Overdue', dashboard.text
    )
    assert card is not None
    assert card.group(1) == "2"
    caseload = site.client.get(f"/maps?figure=open_cases&{period}")
    assert _table(caseload.text) == [("A", "1"), ("B", "1")]
    # Before the follow-ups were due, and before the cases were opened: none.
    early = site.client.get("/maps?figure=overdue&from=2025-01-01&to=2025-12-31")
    assert _table(early.text) == [("A", "0"), ("B", "0")]
    none_open = site.client.get("/maps?figure=open_cases&from=2025-01-01&to=2025-12-31")
    assert _table(none_open.text) == [("A", "0"), ("B", "0")]


def test_the_dashboard_shows_the_coverage_of_need_and_links_to_the_map(mapped: Site) -> None:
    mapped.sign_in("admin")
    before = mapped.client.get("/dashboard")
    assert 'id="need-card"' not in before.text
    assert "See these areas on a map" in before.text
    _keep_estimates(mapped)
    page = mapped.client.get("/dashboard")
    card = page.text.split('id="need-card"', 1)[1].split("</li>", 1)[0]
    # 1 child identified in the country of 40 + 25 estimated: 1.5%.
    assert '<span class="value">1.5%</span>' in card
    assert "1 children identified of about 65 estimated in child labour by the survey" in card
    assert "figure=coverage" in card


def test_households_with_a_gps_point_are_dots_when_asked(mapped: Site) -> None:
    with Session(mapped.engine) as session, session.begin():
        session.execute(update(Household).where(Household.id == mapped.ids["household_a"])
                        .values(latitude=6.5, longitude=-4.5))  # fmt: skip
    mapped.sign_in("admin")
    plain = mapped.client.get("/maps")
    assert "<circle" not in plain.text
    page = mapped.client.get("/maps?points=true")
    svg = _svg(page.text)
    dots = list(svg.iter("{http://www.w3.org/2000/svg}circle"))
    # A and B are squares from -5 to -3 east, 6 to 7 north: 2 cos(6.5 deg) degrees wide, 1
    # tall, so 600 units wide (scale 600 / (2 cos 6.5 deg) units a degree). The point
    # (-4.5, 6.5) is half a degree from the west and from the north.
    scale = 600 / (2 * math.cos(math.radians(6.5)))
    assert len(dots) == 1
    assert float(dots[0].get("cy") or 0) == pytest.approx(0.5 * scale, abs=0.1)
    assert float(dots[0].get("cx") or 0) == pytest.approx(150, abs=0.1)
    assert "Dots: 1 households with a GPS point." in page.text
    links = [a.get("href") or "" for a in svg.iter("{http://www.w3.org/2000/svg}a")]
    assert all(link.endswith("&points=true") for link in links)

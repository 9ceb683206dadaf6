"""Choropleths: classes on round bounds, shades from light to dark, every area named and
valued in the markup and the table, no value said so, everything escaped."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest

from ipec.maps import MapArea, choropleth, class_breaks
from ipec.maps.choropleth import NO_VALUE_FILL, SHADES


def square(west: float, south: float) -> str:
    ring = [[west, south], [west + 1, south], [west + 1, south + 1], [west, south + 1],
            [west, south]]  # fmt: skip
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


@pytest.mark.parametrize(
    ("values", "bounds"),
    [
        ([0.03, 0.12, 0.41], [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]),
        ([12.0, 480.0], [0.0, 100.0, 200.0, 300.0, 400.0, 500.0]),
        ([0.25, 0.26], [0.25, 0.252, 0.254, 0.256, 0.258, 0.26]),
        ([3.0, 9.0], [2.0, 4.0, 6.0, 8.0, 10.0]),
        ([0.5, 0.5], [0.5, 0.5]),
        ([], []),
    ],
)
def test_class_bounds_are_round_and_cover_the_values(
    values: list[float], bounds: list[float]
) -> None:
    assert class_breaks(values) == pytest.approx(bounds)
    found = class_breaks(values)
    if values:
        assert found[0] <= min(values)
        assert found[-1] >= max(values)
        assert len(found) - 1 <= 5


def test_shades_get_darker() -> None:
    def lightness(colour: str) -> float:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    assert [lightness(c) for c in SHADES] == sorted((lightness(c) for c in SHADES), reverse=True)


def test_each_area_is_shaded_by_its_class_and_named() -> None:
    areas = [
        MapArea("1", "Low", 0.05, square(0, 0), link="/maps?area_id=1"),
        MapArea("2", "High", 0.41, square(1, 0), low=0.3, high=0.52),
        MapArea("3", "None", None, square(2, 0)),
        MapArea("4", "No shape", 0.2),
    ]
    drawn = choropleth(areas, title="Rate", format_value=percent, legend_inside=True)
    svg = ElementTree.fromstring(drawn.svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    paths = {p.get("data-code"): p for p in svg.iter("{http://www.w3.org/2000/svg}path")}
    assert set(paths) == {"1", "2", "3"}
    assert paths["1"].get("fill") == SHADES[0]
    assert paths["2"].get("fill") == SHADES[4]
    assert paths["3"].get("fill") == NO_VALUE_FILL
    assert paths["2"].findtext("s:title", namespaces=ns) == "High: 41% (30%\u201352%)"
    link = svg.find("s:a", ns)
    assert link is not None
    assert link.get("href") == "/maps?area_id=1"
    focusable = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("tabindex") == "0"]
    assert len(focusable) == 2
    assert [e.label for e in drawn.legend] == ["0% to 10%", "10% to 20%", "20% to 30%",
                                               "30% to 40%", "40% to 50%", "no value"]  # fmt: skip
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [e.label for e in drawn.legend]
    assert drawn.undrawn == ("4",)
    assert [(r.name, r.value, r.interval, r.drawn) for r in drawn.rows] == [
        ("Low", "5%", "", True), ("High", "41%", "30%\u201352%", True), ("None", "", "", True),
        ("No shape", "20%", "", False)]  # fmt: skip


def test_names_are_escaped() -> None:
    name = "<script>alert(1)</script>&"
    drawn = choropleth([MapArea("x", name, 1.0, square(0, 0), link='/m?a=1&b="2"')],
                       title="<b>t</b>", format_value=str)  # fmt: skip
    assert "<script>" not in drawn.svg
    assert "<b>" not in drawn.svg
    svg = ElementTree.fromstring(drawn.svg)  # well-formed, the text kept as text
    assert "&lt;script&gt;" in drawn.svg
    link = svg.find("{http://www.w3.org/2000/svg}a")
    assert link is not None
    assert link.get("href") == '/m?a=1&b="2"'
    assert link.get("aria-label") == f"{name}: 1.0"


def test_no_boundary_at_all_draws_nothing_but_keeps_the_table() -> None:
    drawn = choropleth([MapArea("a", "A", 3.0), MapArea("b", "B", 4.0)], title="t",
                       format_value=str)  # fmt: skip
    assert not drawn.drawn
    assert re.findall("<path", drawn.svg) == []
    assert [row.value for row in drawn.rows] == ["3.0", "4.0"]

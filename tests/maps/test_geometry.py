"""Boundaries: refused with the reason named, projected with their proportions kept,
simplified below a pixel."""

from __future__ import annotations

import json
import math
import re

import pytest

from ipec.errors import DataError
from ipec.maps import boundary_problem, parse_boundary
from ipec.maps.geometry import MAP_HEIGHT, MAP_WIDTH, draw_shapes


def square(west: float, south: float, side: float = 1.0) -> dict[str, object]:
    ring = [[west, south], [west + side, south], [west + side, south + side],
            [west, south + side], [west, south]]  # fmt: skip
    return {"type": "Polygon", "coordinates": [ring]}


def points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path)]


def test_a_valid_boundary_in_degrees_has_no_problem() -> None:
    assert boundary_problem(square(-5.0, 6.0)) is None
    assert parse_boundary(json.dumps(square(-5.0, 6.0))).area == pytest.approx(1.0)


def test_a_ring_crossing_itself_is_refused_with_where() -> None:
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    problem = boundary_problem(bow_tie)
    assert problem is not None
    assert "invalid" in problem
    assert "Self-intersection" in problem
    assert "0.5 0.5" in problem


def test_projected_coordinates_are_refused_as_another_projection() -> None:
    # UTM zone 30N metres (Abidjan is near x 390000, y 590000): not degrees.
    utm = square(390_000.0, 590_000.0, 1000.0)
    problem = boundary_problem(utm)
    assert problem is not None
    assert "another projection" in problem
    assert "EPSG:4326" in problem
    with pytest.raises(DataError, match="another projection"):
        parse_boundary(json.dumps(utm))


def test_unreadable_and_wrong_kinds_are_refused() -> None:
    assert "cannot be read" in (boundary_problem({"type": "Polygon", "coordinates": "x"}) or "")
    point = {"type": "Point", "coordinates": [1.0, 2.0]}
    assert "is a Point" in (boundary_problem(point) or "")


def test_the_projection_keeps_proportions_at_the_middle_latitude() -> None:
    # One degree of longitude at latitude 60 is half a degree of latitude long (cos 60 = 0.5),
    # so a 1 x 1 degree square there is drawn twice as tall as wide.
    shapes, projection = draw_shapes([("N", json.dumps(square(10.0, 59.5)))])
    xs, ys = zip(*points(shapes[0].path), strict=True)
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    assert width / height == pytest.approx(math.cos(math.radians(60.0)), rel=1e-3)
    assert height == pytest.approx(MAP_HEIGHT, abs=0.1)
    assert projection.width <= MAP_WIDTH


def test_north_is_up_and_neighbours_fit_together() -> None:
    boundaries = [("S", json.dumps(square(0.0, 0.0))), ("N", json.dumps(square(0.0, 1.0)))]
    shapes, projection = draw_shapes(boundaries)
    south, north = (points(shape.path) for shape in shapes)
    assert max(y for _x, y in north) == pytest.approx(min(y for _x, y in south))
    assert projection.height == pytest.approx(MAP_HEIGHT, abs=0.1)


def test_a_dense_boundary_is_simplified_below_half_a_unit() -> None:
    # A circle of 20,000 points is drawn with far fewer, none off the circle by a unit.
    ring = [[math.cos(t), math.sin(t)] for t in (2 * math.pi * i / 20_000 for i in range(20_000))]
    circle = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    shapes, projection = draw_shapes([("C", json.dumps(circle))])
    drawn = points(shapes[0].path)
    assert 20 < len(drawn) < 500
    centre_x, centre_y = projection.width / 2, projection.height / 2
    radius = projection.height / 2
    for x, y in drawn:
        assert math.hypot(x - centre_x, y - centre_y) == pytest.approx(radius, abs=0.6)


def test_a_stored_boundary_in_another_projection_names_its_area() -> None:
    with pytest.raises(DataError, match=r"area D7 .*another projection"):
        draw_shapes([("D7", json.dumps(square(390_000.0, 590_000.0, 1000.0)))])

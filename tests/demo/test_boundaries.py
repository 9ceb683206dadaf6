"""The demo's invented boundaries: every one importable (valid, in degrees), each area the
exact union of the areas under it, neighbours sharing edges without overlap."""

from __future__ import annotations

import json

import pytest
import shapely

from ipec.demo.boundaries import with_boundaries
from ipec.demo.country import Ids, areas
from ipec.demo.size import DemoSize
from ipec.maps import boundary_problem


def test_every_area_has_a_valid_boundary_made_of_its_parts() -> None:
    size = DemoSize(regions=3, districts_per_region=4, communities_per_district=6)
    frame = with_boundaries(areas(size, Ids({"areas": 1})).frame, size)
    assert frame.height == 1 + 3 + 3 * 4 + 3 * 4 * 6
    assert [boundary_problem(json.loads(b)) for b in frame["boundary"]] == [None] * frame.height
    shapes = {row["id"]: shapely.from_geojson(row["boundary"])
              for row in frame.iter_rows(named=True)}  # fmt: skip
    for row in frame.iter_rows(named=True):
        parts = [shapes[i] for i in frame.filter(frame["parent_id"] == row["id"])["id"]]
        if not parts:
            continue
        whole = shapes[row["id"]]
        assert shapely.union_all(parts).symmetric_difference(whole).area < 1e-9 * whole.area
        assert sum(part.area for part in parts) == pytest.approx(whole.area)  # no overlap

"""Invented boundaries for the demo's areas, so its map page draws a country.

The country is a lattice of community cells: the regions in rows, each a block of districts,
each a block of communities. The lattice's points are shifted at random (seeded)
by under a quarter of a cell, so the shapes look drawn by hand, and every area's ring walks
the same shifted points: a district is exactly the union of its communities, neighbours
share their edges, and every ring is valid. Longitude and latitude degrees, near West
Africa's cocoa belt (an invented place, like the rest of the demo).
"""

from __future__ import annotations

import json
import math

import numpy as np
import numpy.typing as npt
import polars as pl
import shapely

from ipec.demo.size import DemoSize

__all__ = ["with_boundaries"]

_WEST, _SOUTH, _SPAN = -8.4, 4.6, 6.0
_JITTER = 0.22


def _grid(count: int) -> tuple[int, int]:
    """Columns and rows of a block of ``count`` cells: the most square factorisation."""
    columns = max(c for c in range(1, math.isqrt(count) + 1) if count % c == 0)
    return columns, count // columns


def _ring(points: npt.NDArray[np.float64], x0: int, y0: int, x1: int, y1: int) -> str:
    """The GeoJSON polygon around lattice cells [x0, x1) x [y0, y1), through every lattice
    point on its edges, anticlockwise."""
    walk = [(x, y0) for x in range(x0, x1)] + [(x1, y) for y in range(y0, y1)]
    walk += [(x, y1) for x in range(x1, x0, -1)] + [(x0, y) for y in range(y1, y0, -1)]
    ring = [[round(float(points[x, y, 0]), 5), round(float(points[x, y, 1]), 5)] for x, y in walk]
    return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                      separators=(",", ":"))  # fmt: skip


def with_boundaries(frame: pl.DataFrame, size: DemoSize, *, seed: int = 23) -> pl.DataFrame:
    """The areas' frame (its rows in the order :func:`ipec.demo.country.areas` makes them:
    the country, then each region followed by its districts, each followed by its
    communities) with a ``boundary`` column.

    Regions are laid out in rows (the last row may be short, which gives the country a notch
    like a real border); a region is a block of districts, a district one of communities,
    the communities' block turned across the districts' so that regions come out squarish.
    """
    region_columns = math.ceil(math.sqrt(size.regions))
    region_rows = math.ceil(size.regions / region_columns)
    district_columns, district_rows = _grid(size.districts_per_region)
    community_rows, community_columns = _grid(size.communities_per_district)
    region_width = district_columns * community_columns
    region_height = district_rows * community_rows
    columns, rows = region_columns * region_width, region_rows * region_height
    cell = _SPAN / max(columns, rows)
    rng = np.random.default_rng(seed)
    xs, ys = np.meshgrid(np.arange(columns + 1), np.arange(rows + 1), indexing="ij")
    points = np.stack([_WEST + xs * cell, _SOUTH + ys * cell], axis=-1)
    points += rng.uniform(-_JITTER, _JITTER, points.shape) * cell
    regions: list[str] = []
    below: list[str] = []
    for region in range(size.regions):
        rx = (region % region_columns) * region_width
        ry = (region_rows - 1 - region // region_columns) * region_height  # the first at the top
        regions.append(_ring(points, rx, ry, rx + region_width, ry + region_height))
        below.append(regions[-1])
        for district in range(size.districts_per_region):
            dx = rx + (district % district_columns) * community_columns
            dy = ry + (district // district_columns) * community_rows
            below.append(_ring(points, dx, dy, dx + community_columns, dy + community_rows))
            for community in range(size.communities_per_district):
                cx = dx + community % community_columns
                cy = dy + community // community_columns
                below.append(_ring(points, cx, cy, cx + 1, cy + 1))
    whole = shapely.union_all([shapely.from_geojson(text) for text in regions])
    country = shapely.to_geojson(shapely.set_precision(whole, 1e-5))
    return frame.with_columns(pl.Series("boundary", [country, *below], dtype=pl.String))

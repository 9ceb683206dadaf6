"""Drawing a district choropleth: the time to check, project, simplify and write as SVG.

Run: python benchmarks/maps_choropleth.py [--districts 1000] [--points 2000] [--seed 23]

A synthetic country of ``--districts`` districts on a grid (about 8 by 5 degrees, as a West
African country), each a wobbly ring of ``--points`` points (a real district boundary from
an administrative file has hundreds to thousands), shaded by a random prevalence with an
interval. Times ``ipec.maps.choropleth`` whole (GeoJSON parsing, validity, projection,
simplification, classes, SVG text), best of 5, and reports the points drawn and the SVG size.
Target (issue 23): a district choropleth in <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from ipec.maps import MapArea, choropleth


def _district(row: int, column: int, size: float, points: int, rng: np.random.Generator) -> str:
    centre_x, centre_y = -8.5 + (column + 0.5) * size, 4.5 + (row + 0.5) * size
    angles = np.linspace(0, 2 * math.pi, points, endpoint=False)
    radius = size / 2 * (0.85 + 0.1 * np.sin(7 * angles) + 0.02 * rng.random(points))
    ring = np.column_stack([centre_x + radius * np.cos(angles),
                            centre_y + radius * np.sin(angles)]).tolist()  # fmt: skip
    return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=1000)
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    columns = math.ceil(math.sqrt(args.districts * 8 / 5))
    size = 8.0 / columns
    areas = []
    for index in range(args.districts):
        value = float(rng.uniform(0.05, 0.5))
        areas.append(MapArea(f"D{index:04d}", f"District {index}", value,
                             _district(index // columns, index % columns, size, args.points, rng),
                             low=value * 0.8, high=value * 1.2))  # fmt: skip
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        drawn = choropleth(areas, title="Child labour by district", legend_inside=True,
                           format_value=lambda v: f"{v * 100:.1f}%")  # fmt: skip
        best = min(best, time.perf_counter() - start)
    drawn_points = drawn.svg.count(",")
    print(f"{args.districts} districts of {args.points} points: drawn in {best:.3f} s (best of "
          f"5), {drawn_points:,} points drawn, SVG {len(drawn.svg) / 1e6:.2f} MB")  # fmt: skip


if __name__ == "__main__":
    main()

"""The report's map: child labour by region as an inline SVG choropleth (:mod:`ipec.maps`),
each region's estimate and interval in its name, drawn when the report is given the regions'
boundaries (``ipec survey report --boundaries``).

Regions are matched to the boundary file's features by the feature's ``code`` property:
the region as the report names it (the map's label, else the code). Regions without a
boundary are named in a note under the map; features that are no region are drawn white.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import polars as pl

from ipec.maps import MapArea, choropleth
from ipec.survey.report.i18n import Text

__all__ = ["region_map_chart"]


def _finite(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def region_map_chart(
    by_region: pl.DataFrame, boundaries: Mapping[str, str], text: Text
) -> dict[str, str]:
    """The chart entry of the report (id, title, description, svg, note, empty) for the rows
    of child labour by region (columns ``level``, ``estimate``, ``ci_low``, ``ci_high``)."""
    areas = []
    for row in by_region.iter_rows(named=True):
        code = str(row["level"])
        areas.append(MapArea(code, text.level(code), _finite(row["estimate"]),
                             boundaries.get(code), low=_finite(row["ci_low"]),
                             high=_finite(row["ci_high"])))  # fmt: skip
    named = {area.code for area in areas}
    areas += [MapArea(code, code, None, shape) for code, shape in boundaries.items()
              if code not in named]  # fmt: skip
    drawn = choropleth(areas, title=text("chart_region_map"), legend_inside=True,
                       format_value=lambda value: f"{value * 100:.1f}%",
                       no_value=text("map_no_value"), to=text("map_to"),
                       element_id="region-map")  # fmt: skip
    missing = [area.name for area in areas if area.code in drawn.undrawn]
    return {
        "id": "region-map",
        "title": text("chart_region_map"),
        "description": text("chart_region_map_desc"),
        "svg": drawn.svg if drawn.drawn else "",
        "note": text("map_no_boundary", regions=", ".join(missing)) if missing else "",
        "empty": text("no_data"),
    }

"""The report's map: child labour by region as an inline SVG choropleth (:mod:`ipec.maps`),
each region's estimate and interval in its name, drawn when the report is given the regions'
boundaries (``ipec survey report --boundaries``).

Regions are matched to the boundary file's features by the feature's ``code`` property:
the region as the report names it (the map's label, else the code). Regions without a
boundary are named in a note under the map; features that are no region are drawn white.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ipec.maps import MapArea, choropleth, finite, on_boundaries
from ipec.survey.report.i18n import Text

__all__ = ["region_map_chart"]


def region_map_chart(
    by_region: pl.DataFrame, boundaries: Mapping[str, str], text: Text
) -> dict[str, str]:
    """The chart entry of the report (id, title, description, svg, note, empty) for the rows
    of child labour by region (columns ``level``, ``estimate``, ``ci_low``, ``ci_high``)."""
    areas = on_boundaries(
        [
            MapArea(
                str(row["level"]),
                text.level(str(row["level"])),
                finite(row["estimate"]),
                low=finite(row["ci_low"]),
                high=finite(row["ci_high"]),
            )
            for row in by_region.iter_rows(named=True)
        ],
        boundaries,
    )
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

"""The map of small-area estimates: each area shaded by its estimate (EBLUP, or synthetic
where it had no sample), named with its interval, and the legend inside, as one SVG file.

Areas of the boundary file with no estimate are drawn white ("no estimate"); estimated areas
with no boundary are returned so the command can list them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from ipec.files import atomic_output
from ipec.maps import Choropleth, MapArea, choropleth, finite, on_boundaries

__all__ = ["estimates_map", "write_estimates_map"]


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def estimates_map(frame: pl.DataFrame, boundaries: Mapping[str, str], *, title: str) -> Choropleth:
    """The choropleth of a small-area result frame (columns ``area``, ``estimate``,
    ``ci_low``, ``ci_high``, ``kind``) over ``boundaries`` (code -> GeoJSON text); the
    estimate is a proportion, shown as a percentage."""
    areas = []
    for row in frame.iter_rows(named=True):
        code = str(row["area"])
        name = code if row["kind"] == "eblup" else f"{code} (synthetic)"
        areas.append(MapArea(code, name, finite(row["estimate"]), low=finite(row["ci_low"]),
                             high=finite(row["ci_high"])))  # fmt: skip
    return choropleth(on_boundaries(areas, boundaries), title=title, format_value=_percent,
                      no_value="no estimate", legend_inside=True,
                      element_id="small-area-map")  # fmt: skip


def write_estimates_map(path: Path, drawn: Choropleth) -> None:
    """Write the map as a standalone SVG file (nothing written on error)."""
    with atomic_output(path) as temporary:
        temporary.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + drawn.svg + "\n",
                             encoding="utf-8")  # fmt: skip

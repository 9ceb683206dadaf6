"""Maps drawn offline: area boundaries checked and projected (:mod:`ipec.maps.geometry`),
choropleths as inline SVG with a legend and a table (:mod:`ipec.maps.choropleth`)."""

from ipec.maps.choropleth import (
    Choropleth,
    LegendEntry,
    MapArea,
    MapRow,
    choropleth,
    class_breaks,
    finite,
    on_boundaries,
)
from ipec.maps.files import read_boundaries
from ipec.maps.geometry import boundary_problem, parse_boundary

__all__ = [
    "Choropleth",
    "LegendEntry",
    "MapArea",
    "MapRow",
    "boundary_problem",
    "choropleth",
    "class_breaks",
    "finite",
    "on_boundaries",
    "parse_boundary",
    "read_boundaries",
]

"""Area boundaries as plane shapes: checked, projected and simplified for an inline SVG map.

Boundaries are stored as GeoJSON geometry text in longitude and latitude degrees (WGS 84, as
GeoJSON requires). A map of a country or a district is small enough for an equirectangular
projection at the map's middle latitude (x = longitude x cos(middle latitude), y = -latitude):
areas keep their shapes to within a few per cent over a country's span, which a choropleth
needs, and no projection library or data file is loaded. Shapes are then simplified to under
half a pixel of the drawn map (shapely's topology-preserving Douglas-Peucker), so a district
boundary of thousands of points is drawn with tens: neighbours are simplified one by one, so
their shared edge may differ by that half pixel, which the eye cannot see.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from ipec.errors import DataError

__all__ = ["DrawnShape", "Projection", "boundary_problem", "draw_shapes", "parse_boundary"]

#: Width of the drawn map in SVG units (the page scales it to the screen).
MAP_WIDTH = 600.0
#: The tallest a map is drawn, in the same units (a tall country is drawn narrower).
MAP_HEIGHT = 600.0
#: Shapes are simplified to this fraction of a map unit.
_TOLERANCE = 0.5
_REPROJECT_HINT = (
    "GeoJSON boundaries are longitude and latitude degrees (WGS 84, EPSG:4326): reproject the "
    "file, for example with ogr2ogr -t_srs EPSG:4326"
)


def parse_boundary(text: str) -> BaseGeometry:
    """The shape of a GeoJSON Polygon or MultiPolygon; a :class:`DataError` says why one is
    refused (see :func:`boundary_problem`)."""
    try:
        shape = shapely.from_geojson(text)
    except shapely.errors.GEOSException as error:
        raise DataError(f"the boundary is not a readable GeoJSON geometry ({error})") from None
    problem = _problem(shape)
    if problem is not None:
        raise DataError(f"the boundary {problem}", hint=_REPROJECT_HINT
                        if "degrees" in problem else None)  # fmt: skip
    return shape


def boundary_problem(geometry: Mapping[str, object]) -> str | None:
    """What is wrong with a GeoJSON Polygon or MultiPolygon as an area's boundary (it cannot
    be read, is invalid, as a ring that crosses itself, or is not in longitude and latitude
    degrees), or None when it can be drawn."""
    try:
        shape = shapely.from_geojson(json.dumps(geometry))
    except (shapely.errors.GEOSException, TypeError, ValueError) as error:
        return f"its geometry cannot be read ({error})"
    problem = _problem(shape)
    return None if problem is None else f"its geometry {problem}"


def _problem(shape: BaseGeometry) -> str | None:
    if shape.geom_type not in {"Polygon", "MultiPolygon"}:
        return f"is a {shape.geom_type}, not a Polygon or MultiPolygon"
    if shape.is_empty:
        return "is empty"
    west, south, east, north = shape.bounds
    if not all(map(math.isfinite, shape.bounds)):
        return "has coordinates that are not numbers"
    if west < -180 or east > 180 or south < -90 or north > 90:
        return (
            f"has coordinates outside longitude and latitude degrees (x {west:g} to {east:g}, "
            f"y {south:g} to {north:g}): it is in another projection; reproject it to WGS 84 "
            "(EPSG:4326)"
        )
    if not shape.is_valid:
        return f"is invalid: {shapely.is_valid_reason(shape)}"
    return None


@dataclass(frozen=True, slots=True)
class Projection:
    """From degrees to map units: equirectangular at ``middle`` latitude, scaled and moved so
    the shapes fill a ``width`` x ``height`` box."""

    west: float
    north: float
    stretch: float
    scale: float
    width: float
    height: float

    @classmethod
    def fitting(cls, bounds: tuple[float, float, float, float]) -> Projection:
        """The projection that fits ``bounds`` (west, south, east, north) in the map."""
        west, south, east, north = bounds
        stretch = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * stretch, 1e-9)
        span_y = max(north - south, 1e-9)
        scale = min(MAP_WIDTH / span_x, MAP_HEIGHT / span_y)
        return cls(west, north, stretch, scale, span_x * scale, span_y * scale)

    def point(self, longitude: float, latitude: float) -> tuple[float, float]:
        """A point (degrees) in map units."""
        return ((longitude - self.west) * self.stretch * self.scale,
                (self.north - latitude) * self.scale)  # fmt: skip

    def transform_all(self, shapes: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
        """The shapes in map units (y down, as SVG draws), all in one pass."""
        scale = np.array([self.stretch * self.scale, -self.scale])
        offset = np.array([self.west * self.stretch * self.scale, -self.north * self.scale])
        moved: npt.NDArray[np.object_] = shapely.transform(
            shapes, lambda points: points * scale - offset
        )
        return moved


@dataclass(frozen=True, slots=True)
class DrawnShape:
    """An area's outline as an SVG path (``d``) in map units."""

    code: str
    path: str


def _path(shape: BaseGeometry) -> str:
    """SVG path data of a polygon or multipolygon: one ``M ... Z`` per ring, whole or
    one-decimal coordinates (a tenth of a map unit is far below a pixel)."""
    parts: list[str] = []
    polygons = shape.geoms if shape.geom_type == "MultiPolygon" else [shape]
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            points = list(ring.coords)[:-1]
            if len(points) < 3:
                continue
            text = " ".join(f"{_short(x)},{_short(y)}" for x, y in points)
            parts.append(f"M{text}Z")
    return "".join(parts)


def _short(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def draw_shapes(boundaries: Sequence[tuple[str, str]]) -> tuple[list[DrawnShape], Projection]:
    """The outlines of areas given as (code, GeoJSON text), fitted together in one map, and
    the projection used. A boundary that cannot be read, or is not in degrees, raises
    :class:`DataError` naming its area.

    Every step works on all the shapes at once (shapely's array functions). Shapes are
    simplified by plain Douglas-Peucker (fast); only a simplified shape that came out
    invalid is simplified again preserving topology, and one still invalid (an invalid
    boundary stored before boundaries were checked) is repaired.
    """
    if not boundaries:
        return [], Projection(0.0, 0.0, 1.0, 1.0, MAP_WIDTH, 0.0)
    codes = [code for code, _text in boundaries]
    try:
        shapes = shapely.from_geojson([text for _code, text in boundaries])
    except shapely.errors.GEOSException:
        shapes = np.array([_read(code, text) for code, text in boundaries], dtype=object)
    bounds = shapely.bounds(shapes)
    for code, shape, (west, south, east, north) in zip(codes, shapes, bounds, strict=True):
        problem = None
        if shape is None or shape.geom_type not in {"Polygon", "MultiPolygon"}:
            problem = "is not a Polygon or MultiPolygon"
        elif west < -180 or east > 180 or south < -90 or north > 90:
            problem = "is in another projection (coordinates outside longitude and latitude)"
        if problem is not None:
            raise DataError(f"the boundary of area {code} {problem}", hint=_REPROJECT_HINT)
    projection = Projection.fitting(tuple(float(b) for b in shapely.total_bounds(shapes)))  # type: ignore[arg-type]
    planar = projection.transform_all(shapes)
    simple = shapely.simplify(planar, _TOLERANCE, preserve_topology=False)
    broken = ~shapely.is_valid(simple) | shapely.is_empty(simple)
    if broken.any():
        simple[broken] = shapely.simplify(planar[broken], _TOLERANCE, preserve_topology=True)
        still = ~shapely.is_valid(simple)
        simple[still] = shapely.make_valid(simple[still])
    drawn = []
    for code, shape in zip(codes, simple, strict=True):
        parts = shapely.get_parts(shape)
        kept = [part for part in parts if part.geom_type in {"Polygon", "MultiPolygon"}]
        drawn.append(DrawnShape(code, "".join(_path(part) for part in kept)))
    return drawn, projection


def _read(code: str, text: str) -> BaseGeometry:
    """One boundary read alone (to name the area whose boundary cannot be read)."""
    try:
        shape: BaseGeometry = shapely.from_geojson(text)
    except shapely.errors.GEOSException as error:
        raise DataError(f"the boundary of area {code} cannot be read ({error})") from None
    return shape

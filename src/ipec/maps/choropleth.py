"""Choropleth maps drawn as inline SVG: areas shaded by a value in a few classes, a legend,
and the values as a table beside for anyone who cannot see the map.

Nothing is fetched to draw a map (no tiles, no scripts, no fonts): the outlines come from
the areas' stored boundaries (:mod:`ipec.maps.geometry`) and the markup is plain SVG with
presentation attributes only (the pages' content security policy allows no inline style).

Classes are equal intervals on rounded bounds (a step of 1, 2, 2.5 or 5 times a power of
ten), so that two maps of the same figure read alike and the legend's bounds are round
numbers; the shades are a sequential ramp from light to dark (darker is more), distinct in
grey and for the common colour-vision deficiencies because they differ in lightness. Areas
with no value are white with a grey outline and said so in the legend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape, quoteattr

from ipec.maps.geometry import DrawnShape, Projection, _short, draw_shapes

__all__ = [
    "NO_VALUE_FILL",
    "SHADES",
    "Choropleth",
    "LegendEntry",
    "MapArea",
    "MapRow",
    "choropleth",
    "class_breaks",
    "finite",
    "on_boundaries",
]

#: Light to dark: lightness falls steadily from class to class.
SHADES = ("#fde7c8", "#f9b77d", "#ee8345", "#cb5521", "#8f3410")
#: The fill of an area with no value.
NO_VALUE_FILL = "#ffffff"
_OUTLINE = "#4d4d4d"
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class MapArea:
    """One area to shade: its value (None when there is none), and optionally the interval
    of an estimate, a link (to the area's own page) and a boundary (GeoJSON text)."""

    code: str
    name: str
    value: float | None
    boundary: str | None = None
    low: float | None = None
    high: float | None = None
    link: str | None = None


def finite(value: object) -> float | None:
    """A number as a map's value or bound, or None when it is none (missing, NaN, infinite).

    >>> finite(0.25), finite(None), finite(float("nan"))
    (0.25, None, None)
    """
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def on_boundaries(areas: Sequence[MapArea], boundaries: Mapping[str, str]) -> list[MapArea]:
    """``areas`` each with its boundary from ``boundaries`` (by code, None when it has none),
    then the other areas of ``boundaries`` with no value (drawn white, named by code)."""
    named = {area.code for area in areas}
    return [replace(area, boundary=boundaries.get(area.code)) for area in areas] + [
        MapArea(code, code, None, shape) for code, shape in boundaries.items() if code not in named
    ]


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """A class of the legend: its shade and the range it stands for, as text."""

    fill: str
    label: str


@dataclass(frozen=True, slots=True)
class MapRow:
    """A row of the table beside the map (value and interval as text; "" when none)."""

    code: str
    name: str
    value: str
    interval: str
    fill: str
    drawn: bool
    link: str | None


@dataclass(frozen=True, slots=True)
class Choropleth:
    """A drawn map: the SVG markup, the legend, the table's rows and the areas that have no
    boundary (listed in the table, not drawn)."""

    svg: str
    legend: tuple[LegendEntry, ...]
    rows: tuple[MapRow, ...]
    undrawn: tuple[str, ...]
    width: float
    height: float

    @property
    def drawn(self) -> bool:
        """Whether any area has a shape."""
        return len(self.undrawn) < len(self.rows)


def _steps_from(raw: float) -> Iterator[float]:
    """Round steps (1, 2, 2.5 or 5 times a power of ten) from the first at least ``raw``."""
    power = 10.0 ** math.floor(math.log10(raw))
    while True:
        for step in _STEPS:
            if step * power >= raw * (1 - 1e-12):
                yield step * power
        power *= 10


def class_breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """The bounds of at most ``classes`` equal classes covering ``values``, on round numbers
    (one class when every value is the same).

    >>> class_breaks([0.03, 0.12, 0.41])
    [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    >>> class_breaks([0.5, 0.5])
    [0.5, 0.5]
    """
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [low, high]
    for step in _steps_from((high - low) / classes):
        start = math.floor(low / step + 1e-9) * step
        count = max(1, math.ceil((high - start) / step - 1e-9))
        if count <= classes:
            return [round(start + step * index, 12) for index in range(count + 1)]
    raise AssertionError("unreachable")  # pragma: no cover


def _class_of(value: float, bounds: Sequence[float]) -> int:
    """The class of a value: ``[b0, b1)``, ``[b1, b2)``, ... the last closed."""
    for index in range(len(bounds) - 1):
        if value < bounds[index + 1]:
            return index
    return len(bounds) - 2


def _shades(count: int) -> list[str]:
    """``count`` shades spread over the ramp (all five for five classes)."""
    if count >= len(SHADES):
        return list(SHADES)
    if count == 1:
        return [SHADES[2]]
    return [SHADES[round(index * (len(SHADES) - 1) / (count - 1))] for index in range(count)]


def choropleth(
    areas: Sequence[MapArea],
    *,
    title: str,
    format_value: Callable[[float], str],
    no_value: str = "no value",
    to: str = "to",
    interval_label: Callable[[str, str], str] | None = None,
    element_id: str = "map",
    legend_inside: bool = False,
    classes: int = 5,
    points: Sequence[tuple[float, float]] = (),
) -> Choropleth:
    """The map of ``areas`` shaded by value, its legend and table.

    ``format_value`` writes a value (a bound of the legend too), ``no_value`` and ``to`` are
    the legend's words (for the page's language); ``interval_label`` writes an interval
    from its two ends. Each drawn area is a link when it has one (so it is reached with the
    keyboard) and otherwise focusable, and is named by its name and value. With
    ``legend_inside`` the legend is drawn in the SVG too, for a map saved as a file.
    ``points`` (longitude, latitude) are drawn as dots over the shapes (those outside the
    shapes' extent are left out), hidden from screen readers: say their number beside.
    """
    values = [area.value for area in areas if area.value is not None and math.isfinite(area.value)]
    bounds = class_breaks(values, classes)
    fills = _shades(len(bounds) - 1) if bounds else []
    legend = [
        LegendEntry(fill, f"{format_value(bounds[i])} {to} {format_value(bounds[i + 1])}"
                    if bounds[i + 1] > bounds[i] else format_value(bounds[i]))
        for i, fill in enumerate(fills)
    ]  # fmt: skip

    def fill_of(value: float | None) -> str:
        if value is None or not math.isfinite(value) or not bounds:
            return NO_VALUE_FILL
        return fills[_class_of(value, bounds)]

    with_boundary = [(area.code, area.boundary) for area in areas if area.boundary]
    shapes, projection = draw_shapes(with_boundary)
    drawn = {shape.code: shape for shape in shapes}
    rows: list[MapRow] = []
    for area in areas:
        has_value = area.value is not None and math.isfinite(area.value)
        value = format_value(area.value) if has_value and area.value is not None else ""
        interval = ""
        if area.low is not None and area.high is not None:
            low, high = format_value(area.low), format_value(area.high)
            interval = interval_label(low, high) if interval_label else f"{low}\u2013{high}"
        rows.append(MapRow(area.code, area.name, value, interval, fill_of(area.value),
                           area.code in drawn, area.link))  # fmt: skip
    if any(not row.value for row in rows):
        legend.append(LegendEntry(NO_VALUE_FILL, no_value))
    dots = [projection.point(lon, lat) for lon, lat in points] if drawn else []
    svg = _svg(rows, drawn=drawn, projection=projection, title=title, element_id=element_id,
               legend=legend if legend_inside else [], dots=dots)  # fmt: skip
    undrawn = tuple(row.code for row in rows if not row.drawn)
    return Choropleth(svg, tuple(legend), tuple(rows), undrawn, projection.width,
                      projection.height)  # fmt: skip


_LEGEND_ROW = 22.0


def _svg(
    rows: Sequence[MapRow],
    *,
    drawn: dict[str, DrawnShape],
    projection: Projection,
    title: str,
    element_id: str,
    legend: Sequence[LegendEntry],
    dots: Sequence[tuple[float, float]] = (),
) -> str:
    """The SVG element: a title, one path per drawn area (in a link when it has one), and
    the legend below the shapes when asked."""
    width = projection.width
    height = projection.height + (len(legend) * _LEGEND_ROW + 12 if legend else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 {width + 4:.0f} '
        f'{height + 4:.0f}" class="choropleth" role="group" '
        f'aria-labelledby="{element_id}-title">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
    ]
    for row in rows:
        shape = drawn.get(row.code)
        if shape is None or not shape.path:
            continue
        label = f"{row.name}: {row.value}" if row.value else row.name
        if row.interval:
            label += f" ({row.interval})"
        path = (
            f'<path d="{shape.path}" fill="{row.fill}" stroke="{_OUTLINE}" '
            f'stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd" '
            f"data-code={quoteattr(row.code)}><title>{escape(label)}</title></path>"
        )
        if row.link:
            parts.append(f"<a href={quoteattr(row.link)} aria-label={quoteattr(label)}>{path}</a>")
        else:
            parts.append(f'<g tabindex="0" role="img" aria-label={quoteattr(label)}>{path}</g>')
    inside = [(x, y) for x, y in dots
              if -1 <= x <= projection.width + 1 and -1 <= y <= projection.height + 1]  # fmt: skip
    if inside:
        circles = "".join(f'<circle cx="{_short(x)}" cy="{_short(y)}" r="2.5"/>' for x, y in inside)
        parts.append(f'<g class="points" aria-hidden="true" fill="#1b1f24" fill-opacity="0.75" '
                     f'stroke="#ffffff" stroke-width="0.6">{circles}</g>')  # fmt: skip
    top = projection.height + 12
    for index, entry in enumerate(legend):
        y = top + index * _LEGEND_ROW
        parts.append(
            f'<rect x="0" y="{y:.0f}" width="16" height="16" fill="{entry.fill}" '
            f'stroke="{_OUTLINE}" stroke-width="0.8"/><text x="24" y="{y + 13:.0f}" '
            f'font-size="14" font-family="sans-serif" fill="#1b1f24">{escape(entry.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

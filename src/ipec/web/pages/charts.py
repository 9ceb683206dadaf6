"""Bar charts drawn on the server as SVG geometry: no script, no style attribute, so they pass
the pages' content security policy and print as they are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SERIES_COLOURS", "Bar", "BarChart", "Row", "bar_chart"]

#: Fills of the series in order; each has at least 3:1 contrast with white (WCAG 1.4.11).
SERIES_COLOURS = ("#0b5cad", "#a4161a", "#1d6b33", "#7a4b00")
_WIDTH = 640
_LABEL_WIDTH = 180
_BAR_SPACE = 400
_BAR_HEIGHT = 12
_ROW_GAP = 10
_TOP = 8
_SHORT_LABEL = 26


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: where it starts and ends, its value and its fill."""

    y: int
    width: int
    value: int
    fill: str


@dataclass(frozen=True, slots=True)
class Row:
    """A row of grouped bars: its full label (for the table), a short one for the drawing."""

    label: str
    short: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True, slots=True)
class BarChart:
    """A horizontal grouped bar chart: rows, series names and colours, and the drawing's size."""

    rows: list[Row]
    series: list[tuple[str, str]]
    width: int
    height: int
    label_width: int


def _shorten(label: str) -> str:
    return label if len(label) <= _SHORT_LABEL else label[: _SHORT_LABEL - 1] + "…"


def bar_chart(series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]) -> BarChart:
    """A chart of ``rows`` (label, one value per series); bars are scaled to the largest
    value, and a zero is drawn as no bar (its number is still written)."""
    largest = max((value for _, values in rows for value in values), default=0) or 1
    row_height = len(series) * _BAR_HEIGHT + _ROW_GAP
    drawn = []
    for index, (label, values) in enumerate(rows):
        top = _TOP + index * row_height
        bars = [
            Bar(top + position * _BAR_HEIGHT, round(value * _BAR_SPACE / largest), value,
                SERIES_COLOURS[position % len(SERIES_COLOURS)])
            for position, value in enumerate(values)
        ]  # fmt: skip
        drawn.append(Row(label, _shorten(label), top, bars))
    named = [(name, SERIES_COLOURS[i % len(SERIES_COLOURS)]) for i, name in enumerate(series)]
    return BarChart(drawn, named, _WIDTH, _TOP * 2 + len(rows) * row_height, _LABEL_WIDTH)

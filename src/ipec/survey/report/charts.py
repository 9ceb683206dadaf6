"""The report's charts as inline SVG (matplotlib): no script, no font or file to fetch.

Text stays text in the SVG (readable, searchable, printable) and the palette is the
colour-blind-safe Okabe-Ito set. Each function returns the SVG markup, or "" when there is
nothing to draw.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from ipec.survey.report.content import HOURS_CAP
from ipec.survey.report.i18n import Text

__all__ = ["age_sex_chart", "bars_with_intervals", "hours_chart"]

#: At most this share of a bar chart's width goes to the bars' labels (longer ones wrap).
_LABEL_ROOM = 0.4
BLUE, ORANGE, GREEN, VERMILION, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#6b6b6b"
_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ipec",
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
}


def _svg(figure: Figure, title: str) -> str:
    """The figure as inline SVG markup with an accessible name."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    markup = buffer.getvalue()
    markup = markup[markup.index("<svg") :]
    markup = re.sub(r'\s(width|height)="[0-9.]+pt"', "", markup, count=2)
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return markup.replace("<svg ", f'<svg role="img" aria-label="{safe}" ', 1)


def _text_width(labels: Sequence[str], size: float) -> float:
    """Width in inches of the widest line of the labels at ``size`` points (the font's
    metrics)."""
    prop = FontProperties(family=_STYLE["font.family"], size=size)
    widths = [
        text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
        for label in labels
        for line in label.split("\n")
    ]
    return max(widths, default=0.0) / 72


def _fitted(label: str, size: float, room: float) -> str:
    """``label`` wrapped at spaces into lines of at most about ``room`` inches (a region's
    name comes from the data file, and may be long)."""
    width = _text_width([label], size)
    if width <= room:
        return label
    per_line = max(8, int(len(label) * room / width))
    return "\n".join(textwrap.wrap(label, per_line, break_long_words=True)) or label


def _place(
    figure: Figure, *, left: float, bottom: float, top: float = 0.15, gap: float = 0.0
) -> None:
    """Fixed margins in inches (0.2 on the right; ``gap`` between stacked panels).

    Why not matplotlib's constrained layout: it measures every tick label of every panel
    twice per chart, half the time of drawing a report's charts; the margins here are known
    from the labels the chart prints.
    """
    width, height = figure.get_size_inches()
    panels = len(figure.axes)
    inner = height - top - bottom - gap * (panels - 1)
    figure.subplots_adjust(
        left=left / width,
        right=1 - 0.2 / width,
        top=1 - top / height,
        bottom=bottom / height,
        hspace=gap / (inner / panels) if panels > 1 else 0.0,
    )


def _percent(values: pl.Series) -> list[float]:
    return [100 * float(v) if v is not None else float("nan") for v in values]


def age_sex_chart(frame: pl.DataFrame, text: Text, title: str) -> str:
    """Prevalence at each single year of age, a line per sex (or one for all), with bands."""
    if frame.is_empty():
        return ""
    with mpl.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(7, 3.6))
        _place(figure, left=0.65, bottom=0.55)
        crossed = frame.filter(pl.col("by") == "age_year*sex")
        series: list[tuple[str, pl.DataFrame, str]] = []
        if crossed.height:
            parts = crossed["level"].str.split_exact("*", 1).struct.rename_fields(["age", "sex"])
            crossed = crossed.with_columns(parts.alias("_p")).unnest("_p")
            for sex, colour in zip(
                crossed["sex"].unique(maintain_order=True), (BLUE, VERMILION), strict=False
            ):
                series.append((text.level(sex), crossed.filter(pl.col("sex") == sex), colour))
        else:
            alone = frame.filter(pl.col("by") == "age_year").with_columns(
                pl.col("level").alias("age")
            )
            series.append((text("total"), alone, BLUE))
        for label, part, colour in series:
            ages = [int(a) for a in part["age"]]
            axes.plot(ages, _percent(part["estimate"]), marker="o", color=colour, label=label)
            axes.fill_between(
                ages,
                _percent(part["ci_low"]),
                _percent(part["ci_high"]),
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
        axes.set_xlabel(text("axis_age"))
        axes.set_ylabel(text("axis_share"))
        axes.set_xticks(range(5, 18))
        axes.set_ylim(bottom=0)
        axes.legend(frameon=False)
        return _svg(figure, title)


def bars_with_intervals(
    groups: Sequence[tuple[str, pl.DataFrame]], text: Text, title: str, axis: str
) -> str:
    """Horizontal bars, largest first, with interval whiskers; one panel per group."""
    groups = [(name, frame) for name, frame in groups if not frame.is_empty()]
    if not groups:
        return ""
    sizes = [frame.height for _, frame in groups]
    with mpl.rc_context(_STYLE):
        figure, panels = plt.subplots(
            len(groups),
            1,
            figsize=(7, 0.9 + 0.32 * sum(sizes) + 0.5 * len(groups)),
            gridspec_kw={"height_ratios": sizes},
            squeeze=False,
        )
        room = _LABEL_ROOM * figure.get_size_inches()[0]  # the labels' share of the width

        # each level's label, fitted once (fitting measures the text)
        fitted = {v: _fitted(text.level(str(v)), 10, room)
                  for _, frame in groups for v in frame["level"]}  # fmt: skip
        titled = any(name for name, _ in groups)
        _place(figure, left=min(_text_width(list(fitted.values()), 10), room) + 0.25, bottom=0.55,
               top=0.4 if titled else 0.15, gap=0.55)  # fmt: skip
        for (name, frame), axes in zip(groups, panels[:, 0], strict=True):
            ordered = frame.sort("estimate", descending=False, nulls_last=False)
            labels = [fitted[v] for v in ordered["level"]]
            values = _percent(ordered["estimate"])
            low = [v - lo for v, lo in zip(values, _percent(ordered["ci_low"]), strict=True)]
            high = [hi - v for v, hi in zip(values, _percent(ordered["ci_high"]), strict=True)]
            axes.barh(labels, values, color=BLUE, alpha=0.85, height=0.6)
            axes.errorbar(
                values,
                labels,
                xerr=[low, high],
                fmt="none",
                ecolor="#222222",
                elinewidth=1,
                capsize=3,
            )
            axes.set_title(name, loc="left", fontsize=10, fontweight="bold")
            axes.grid(axis="y", visible=False)
            axes.set_xlim(left=0)
        panels[-1, 0].set_xlabel(axis)
        return _svg(figure, title)


def hours_chart(
    frame: pl.DataFrame, thresholds: Mapping[str, list[float]], text: Text, title: str
) -> str:
    """Weighted distribution of weekly hours per age group, thresholds dashed."""
    if frame.is_empty():
        return ""
    groups = [g for g in ("5-11", "12-14", "15-17") if g in set(frame["age_group"])]
    with mpl.rc_context(_STYLE):
        figure, panels = plt.subplots(
            len(groups),
            1,
            figsize=(7, 1.7 * len(groups) + 0.6),
            sharex=True,
            squeeze=False,
        )
        _place(figure, left=0.6, bottom=0.55, top=0.4, gap=0.45)
        for group, axes in zip(groups, panels[:, 0], strict=True):
            part = frame.filter(pl.col("age_group") == group)
            shares = dict(zip(part["hours"].to_list(), _percent(part["share"]), strict=True))
            heights = [shares.get(hour, 0.0) for hour in range(HOURS_CAP + 1)]
            edges = [hour - 0.5 for hour in range(HOURS_CAP + 2)]
            axes.stairs(heights, edges, fill=True, color=GREEN)
            for mark in thresholds.get(group, []):
                axes.axvline(mark, color=VERMILION, linestyle="--", linewidth=1.2)
                axes.annotate(
                    f"{mark:g} h",
                    (mark, 1),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, -10),
                    textcoords="offset points",
                    color=VERMILION,
                    fontsize=8,
                )
            axes.set_title(group, loc="left", fontsize=10, fontweight="bold")
            axes.set_ylabel("%")
        panels[-1, 0].set_xlabel(text("axis_hours"))
        panels[-1, 0].set_xlim(-0.5, HOURS_CAP + 0.5)
        ticks = list(range(0, HOURS_CAP + 1, 10))
        panels[-1, 0].set_xticks(ticks, [*(str(t) for t in ticks[:-1]), f"{HOURS_CAP}+"])
        return _svg(figure, title)

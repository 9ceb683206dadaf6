"""Bar charts keep room for their bars whatever the labels the data file brings."""

from __future__ import annotations

import polars as pl

from ipec.survey.report.charts import bars_with_intervals
from ipec.survey.report.i18n import text_for

LONG = "Région administrative du Nord-Ouest et des hauts plateaux frontaliers " * 2


def _frame(levels: list[str]) -> pl.DataFrame:
    n = len(levels)
    return pl.DataFrame({
        "level": levels, "estimate": [0.2] * n, "ci_low": [0.1] * n, "ci_high": [0.3] * n,
    })  # fmt: skip


def test_a_very_long_label_is_wrapped_not_fatal() -> None:
    """A 140-character region name would leave no room for the bars: it is wrapped on
    several lines, every word kept, and the chart is drawn."""
    svg = bars_with_intervals([("Region", _frame([LONG.strip(), "North"]))], text_for("fr"),
                              "title", "axis")  # fmt: skip
    assert svg.startswith("<svg")
    shown = " ".join(svg.split())
    for word in ("administrative", "frontaliers", "North"):
        assert word in shown
    # the long name is drawn on more than one line: it is never one text of 140 characters
    assert LONG.strip() not in shown


def test_short_labels_stay_on_one_line() -> None:
    svg = bars_with_intervals([("", _frame(["North", "South"]))], text_for("en"), "t", "a")
    assert ">North<" in svg
    assert ">South<" in svg

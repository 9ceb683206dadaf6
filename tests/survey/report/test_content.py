"""The numbers behind the report equal the engine's, and the hours charts add up."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.standards import load_profile
from ipec.survey.analysis import estimate_survey
from ipec.survey.pipeline import open_mapped
from ipec.survey.report.content import build_content, hours_thresholds


def test_headline_and_charts_data(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    profile = load_profile("mics6-2017")
    content = build_content(mapped, profile, compare=[load_profile("ilo-global-estimates")])
    direct = estimate_survey(mapped, load_profile("sdg-8.7.1"), indicators=["child_labour"])
    headline = content.headline.filter(
        (pl.col("profile") == "sdg-8.7.1") & (pl.col("by") == "total")
    )
    assert headline["estimate"].to_list() == pytest.approx(direct["estimate"].to_list(), rel=1e-13)
    assert set(content.headline["profile"]) == {"sdg-8.7.1", "sdg-8.7.1-econ", "mics6-2017"}
    assert set(content.comparison["profile"]) == {
        "mics6-2017",
        "ilo-global-estimates",
        "sdg-8.7.1",
        "sdg-8.7.1-econ",
    }
    shares = content.economic_hours.group_by("age_group").agg(pl.col("share").sum())
    assert shares["share"].to_list() == pytest.approx([1.0] * shares.height)
    assert content.by_region.height == 10
    assert set(content.hazards["indicator"]) >= {"heavy_loads", "heights"}
    assert content.design["strata"] == 20


def test_thresholds_per_age_group() -> None:
    sdg = hours_thresholds(load_profile("sdg-8.7.1"))
    assert sdg["economic"] == {"5-11": [1.0, 43.0], "12-14": [14.0, 43.0], "15-17": [43.0]}
    assert sdg["chores"] == {"5-11": [21.0], "12-14": [21.0], "15-17": []}
    ilo = hours_thresholds(load_profile("ilo-global-estimates"))
    assert ilo["economic"]["5-11"] == [43.0]
    assert ilo["chores"]["15-17"] == []

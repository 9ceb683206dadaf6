"""The numbers behind the report equal the engine's, and the hours charts add up."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.standards import load_profile
from ipec.survey.analysis import estimate_survey
from ipec.survey.mapping import AGE_GROUPS
from ipec.survey.pipeline import open_mapped
from ipec.survey.report.content import (
    HOURS_CAP,
    build_content,
    hours_distribution,
    hours_thresholds,
)


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
    design = mapped.design
    pairs = mapped.frame.lazy().select(pl.struct([design.strata, design.psu]).n_unique())
    assert content.design["psus"] == pairs.collect().item()


def test_hours_distribution_equals_a_plain_group_by() -> None:
    """The bincount sums against Polars' own group-by of the same rows (nulls, zero weights,
    fractions, hours past the cap and children not active left out or clipped alike)."""
    frame = pl.DataFrame(
        {
            "age_group": [0, 0, 1, 1, 2, 2, None, 0],  # level numbers of AGE_GROUPS
            "hours": [3.7, 3.2, 80.0, 14.0, None, 43.5, 10.0, 3.0],
            "active": [True, True, True, True, True, None, True, True],
            "_weight": [1.5, 2.0, 0.5, 1.0, 3.0, 2.0, 1.0, 0.0],
        },
        schema_overrides={"age_group": pl.UInt16},
    )
    kept = frame.filter(
        pl.col("active").fill_null(value=False) & pl.col("hours").is_not_null()
        & (pl.col("_weight") > 0) & pl.col("age_group").is_not_null()
    )  # fmt: skip
    reference = (
        kept.with_columns(pl.col("hours").floor().clip(0, HOURS_CAP).cast(pl.Int32))
        .group_by("age_group", "hours")
        .agg(pl.col("_weight").sum())
        .with_columns(share=pl.col("_weight") / pl.col("_weight").sum().over("age_group"))
    )
    expected = sorted((AGE_GROUPS[group], hour, share) for group, hour, _w, share in
                      reference.rows())  # fmt: skip
    found = hours_distribution(frame, "hours", "active")
    assert [row[:2] for row in found.rows()] == [row[:2] for row in expected]
    assert found["share"].to_list() == pytest.approx([row[2] for row in expected], rel=1e-15)
    # By hand: 5-11 has 3.7 and 3.2 hours (both hour 3); 12-14 has 14 hours (weight 1) and
    # 80 hours, capped (weight 0.5).
    assert found.rows() == [
        ("12-14", 14, pytest.approx(2 / 3)),
        ("12-14", HOURS_CAP, pytest.approx(1 / 3)),
        ("5-11", 3, 1.0),
    ]


def test_thresholds_per_age_group() -> None:
    sdg = hours_thresholds(load_profile("sdg-8.7.1"))
    assert sdg["economic"] == {"5-11": [1.0, 43.0], "12-14": [14.0, 43.0], "15-17": [43.0]}
    assert sdg["chores"] == {"5-11": [21.0], "12-14": [21.0], "15-17": []}
    ilo = hours_thresholds(load_profile("ilo-global-estimates"))
    assert ilo["economic"]["5-11"] == [43.0]
    assert ilo["chores"]["15-17"] == []

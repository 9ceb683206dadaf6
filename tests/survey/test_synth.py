"""The synthetic MICS6-shaped survey: deterministic, a valid design, plausible patterns."""

from __future__ import annotations

import polars as pl
import pytest

from ipec.errors import DataError
from ipec.survey.synth import SynthDesign, synthetic_mics6


def test_deterministic_for_a_seed() -> None:
    design = SynthDesign.for_size(2_000, seed=3)
    assert synthetic_mics6(design).equals(synthetic_mics6(design))
    assert not synthetic_mics6(design).equals(synthetic_mics6(SynthDesign.for_size(2_000, seed=4)))


def test_design_has_at_least_two_clusters_per_stratum() -> None:
    frame = synthetic_mics6(SynthDesign.for_size(50_000))
    per_stratum = frame.group_by("stratum").agg(pl.col("PSU").n_unique())
    assert per_stratum["PSU"].min() >= 2
    assert frame["PSU"].n_unique() == 500
    assert frame.filter(pl.col("FS17") != 1)["fsweight"].max() == 0


def test_questionnaire_skips() -> None:
    frame = synthetic_mics6(SynthDesign.for_size(10_000)).filter(pl.col("FS17") == 1)
    working = pl.any_horizontal(pl.col(c) == 1 for c in ("CL1A", "CL1B", "CL1C", "CL1X"))
    assert frame.filter(~working)["CL4"].null_count() == frame.filter(~working).height
    assert frame.filter(working)["CL3"].null_count() == 0


def test_patterns_are_plausible() -> None:
    frame = synthetic_mics6(SynthDesign.for_size(100_000)).filter(pl.col("FS17") == 1)
    working = pl.any_horizontal(pl.col(c) == 1 for c in ("CL1A", "CL1B", "CL1C", "CL1X"))
    share = frame.group_by("HH6").agg(working.mean()).sort("HH6")["CL1A"].to_list()
    assert share[1] > share[0]  # rural above urban
    chores = frame.group_by("HL4").agg(pl.col("CL13").mean()).sort("HL4")["CL13"].to_list()
    assert chores[1] > chores[0]  # girls above boys


def test_too_small() -> None:
    with pytest.raises(DataError, match="at least 100 children"):
        SynthDesign.for_size(50)

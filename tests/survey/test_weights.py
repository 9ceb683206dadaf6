"""Normalised weights: the factor that makes the weights sum to the number of cases."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.survey.pipeline import open_mapped
from ipec.survey.weights import count_scale, scale_counts


def test_count_scale(synth_file: Path, synth_survey: pl.DataFrame) -> None:
    mapped = open_mapped(synth_file, "mics6")
    used = synth_survey.filter((pl.col("FS17") == 1) & (pl.col("fsweight") > 0))
    cases, factor = count_scale(mapped)
    assert cases == used.height == mapped.report.rows_used
    assert factor == pytest.approx(used.height / used["fsweight"].sum(), rel=1e-14)
    assert (used["fsweight"] * factor).sum() == pytest.approx(cases, rel=1e-12)


def test_scale_counts_changes_only_the_weighted_counts() -> None:
    frame = pl.DataFrame({"estimate": [0.2], "n_unweighted": [10], "n_weighted": [250.0]})
    scaled = scale_counts(frame, 0.04)
    assert scaled.row(0) == (0.2, 10, 10.0)
    assert scale_counts(frame, 1.0) is frame

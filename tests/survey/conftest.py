"""Shared loaders for the R reference files in tests/survey/reference/."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def r_results() -> pl.DataFrame:
    """R's results: case, by, level, indicator, stat, value (17 significant digits)."""
    return pl.read_csv(
        REF / "results.csv",
        schema_overrides={"level": pl.String, "by": pl.String, "indicator": pl.String},
    ).with_columns(
        pl.col("by", "level", "indicator").fill_null(""),
        pl.col("value").str.strip_chars().cast(pl.Float64),
    )


@pytest.fixture(scope="session")
def synth_survey(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """A small synthetic MICS6-shaped survey (4,000 children, 40 clusters, 20 strata)."""
    from ipec.survey.synth import SynthDesign, synthetic_mics6

    return synthetic_mics6(SynthDesign.for_size(4_000, seed=5))


@pytest.fixture
def synth_file(tmp_path: Path, synth_survey: pl.DataFrame) -> Path:
    """The synthetic survey as a Parquet file."""
    path = tmp_path / "survey.parquet"
    synth_survey.write_parquet(path)
    return path

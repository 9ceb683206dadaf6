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

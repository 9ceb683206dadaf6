"""Shared loaders for the R reference files in tests/survey/reference/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

REF = Path(__file__).parent / "reference"


def _read_r_results(path: Path) -> pl.DataFrame:
    """A results file of the R scripts (case, by, level, ..., stat, value with 17 significant
    digits): every column as text (missing as "") but ``value``, a float (R's NA: null)."""
    frame = pl.read_csv(path, infer_schema=False)
    return frame.with_columns(
        pl.exclude("value").fill_null(""),
        pl.col("value").str.strip_chars().cast(pl.Float64, strict=False),
    )


@pytest.fixture(scope="session")
def read_r_results() -> Callable[[Path], pl.DataFrame]:
    """The reader of the R scripts' results files, for the tests of each reference folder."""
    return _read_r_results


@pytest.fixture(scope="session")
def r_results() -> pl.DataFrame:
    """R's results of ``reference/make_reference.R``."""
    return _read_r_results(REF / "results.csv")


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

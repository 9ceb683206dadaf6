"""NaN in a numeric variable of a survey file is a missing value, as R's ``is.na()`` and
Stata's missing treat it, not a number out of range (issue 22)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.errors import DataError
from ipec.standards import load_profile
from ipec.survey.analysis import estimate_survey, parse_by
from ipec.survey.pipeline import open_mapped

#: Hours, a yes/no flag, a domain and a background variable.
BLANKED = ("CL3", "CL1A", "HH7", "CB7")


def _blanked(frame: pl.DataFrame, fill: float | None) -> pl.DataFrame:
    """Every 7th row's BLANKED variables as ``fill`` (NaN or null), as floats."""
    hit = pl.int_range(pl.len()) % 7 == 0
    return frame.with_columns(
        pl.when(hit).then(pl.lit(fill, dtype=pl.Float64)).otherwise(pl.col(c).cast(pl.Float64))
        .alias(c)
        for c in BLANKED
    )  # fmt: skip


def _estimates(path: Path) -> pl.DataFrame:
    mapped = open_mapped(path, "mics6")
    by = parse_by("sex,region,school_attendance", list(mapped.domains))
    return estimate_survey(mapped, load_profile("sdg-8.7.1"), by=by)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_nan_is_read_as_missing(tmp_path: Path, synth_survey: pl.DataFrame, suffix: str) -> None:
    frame = synth_survey
    paths = {}
    for name, fill in (("nan", float("nan")), ("null", None)):
        paths[name] = tmp_path / f"{name}{suffix}"
        data = _blanked(frame, fill)
        if suffix == ".csv":
            data.write_csv(paths[name])  # NaN written as "NaN", null as an empty cell
        else:
            data.write_parquet(paths[name])
    nan_frame = pl.read_parquet(paths["nan"]) if suffix == ".parquet" else None
    if nan_frame is not None:
        assert nan_frame["CL3"].is_nan().sum() > 0  # the file really holds NaN
    with_nan = _estimates(paths["nan"])  # before: "hours must lie between 0 and 168"
    assert with_nan.equals(_estimates(paths["null"]))
    assert with_nan.filter(pl.col("by") == "region").height > 0


def test_a_nan_weight_is_a_missing_weight(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    frame = synth_survey.head(500).with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(float("nan")).otherwise(pl.col("fsweight"))
        .alias("fsweight")
    )  # fmt: skip
    path = tmp_path / "survey.parquet"
    frame.write_parquet(path)
    with pytest.raises(DataError, match="weight is missing"):
        open_mapped(path, "mics6")

"""Surveys that ship replicate weights: a map's [design].replicates drives the estimate."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.errors import DataError
from ipec.standards import load_profile
from ipec.survey import ReplicateDesign, estimate
from ipec.survey.analysis import classify_survey, estimate_survey
from ipec.survey.indicators import Proportion
from ipec.survey.pipeline import open_mapped

EXAMPLES = Path(__file__).parents[2] / "examples"


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture
def jackknife_survey(tmp_path: Path) -> tuple[Path, Path]:
    """The example labour force sample with delete-one-EA (JK1) replicate weights."""
    frame = pl.read_csv(EXAMPLES / "lfs-sample.csv", infer_schema_length=None)
    areas = sorted(frame["ea"].unique().to_list())
    n = len(areas)
    frame = frame.with_columns(
        pl.when(pl.col("ea") == area).then(0.0).otherwise(pl.col("wgt") * n / (n - 1))
        .alias(f"REPWT{i}")
        for i, area in enumerate(areas, start=1)
    )  # fmt: skip
    data = tmp_path / "lfs.parquet"
    frame.write_parquet(data)
    text = (EXAMPLES / "maps" / "lfs-example.toml").read_text(encoding="utf-8")
    text = _replace_once(text, 'psu = "ea"', "")
    replicates = 'replicates = { prefix = "repwt", type = "JK1" }'
    text = _replace_once(text, 'strata = "strat"', replicates)
    survey_map = tmp_path / "lfs-jk1.toml"
    survey_map.write_text(text, encoding="utf-8")
    return data, survey_map


def test_replicate_design_from_the_map(jackknife_survey: tuple[Path, Path]) -> None:
    data, survey_map = jackknife_survey
    mapped = open_mapped(data, str(survey_map))
    assert isinstance(mapped.design, ReplicateDesign)
    assert len(mapped.design.replicates) == 60
    profile = load_profile("national-template")
    ours = estimate_survey(mapped, profile, by=[("sex",)], indicators=["child_labour"])
    frame = classify_survey(mapped, profile).collect()
    core = estimate(frame, mapped.design, Proportion("child_labour")).to_polars()
    assert ours["estimate"][0] == pytest.approx(core["estimate"][0], rel=1e-13)
    assert ours["se"][0] == pytest.approx(core["se"][0], rel=1e-13)
    assert ours["df"][0] == 59
    taylor = open_mapped(data, str(EXAMPLES / "maps" / "lfs-example.toml"))
    linearised = estimate_survey(taylor, profile, indicators=["child_labour"])
    assert ours["estimate"][0] == pytest.approx(linearised["estimate"][0], rel=1e-12)
    assert 0.7 < ours["se"][0] / linearised["se"][0] < 1.4


def test_missing_replicate_columns(tmp_path: Path, jackknife_survey: tuple[Path, Path]) -> None:
    _, survey_map = jackknife_survey
    plain = tmp_path / "plain.csv"
    plain.write_bytes((EXAMPLES / "lfs-sample.csv").read_bytes())
    with pytest.raises(DataError, match=r"replicate weights repwt1, repwt2, \.\.\. not found"):
        open_mapped(plain, str(survey_map))

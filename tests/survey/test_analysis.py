"""Classifying a survey and estimating: scope, breakdowns, agreement with the core estimator."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.errors import DataError
from ipec.standards import load_profile
from ipec.survey import Proportion, estimate
from ipec.survey.analysis import (
    DEFAULT_INDICATORS,
    EstimateOptions,
    classify_survey,
    estimate_survey,
    parse_by,
)
from ipec.survey.pipeline import open_mapped

SDG = load_profile("sdg-8.7.1")


def test_parse_by() -> None:
    domains = ["sex", "age_group", "area"]
    assert parse_by("sex, age_group,sex*area", domains) == [
        ("sex",),
        ("age_group",),
        ("sex", "area"),
    ]
    assert parse_by("total", domains) == []
    with pytest.raises(DataError, match="unknown breakdown colour"):
        parse_by("sex,colour", domains)


def test_tidy_columns_and_order(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    result = estimate_survey(mapped, SDG, by=[("sex",), ("age_group",)])
    for column in ("by", "level", "indicator", "estimate", "se", "ci_low", "ci_high", "df",
                   "deff", "cv", "n_unweighted", "n_weighted", "flag", "profile"):  # fmt: skip
        assert column in result.columns
    firsts = result.unique("by", maintain_order=True)["by"].to_list()
    assert firsts == ["total", "sex", "age_group"]
    ages = result.filter(pl.col("by") == "age_group").unique("level", maintain_order=True)
    assert ages["level"].to_list() == ["5-11", "12-14", "15-17"]
    assert set(result["indicator"]) == set(DEFAULT_INDICATORS)
    assert result.filter(pl.col("estimate").is_not_nan())["estimate"].is_between(0, 1).all()


def test_equals_the_core_estimator_on_the_classified_frame(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    ours = estimate_survey(mapped, SDG, by=[("sex",)], indicators=["child_labour"])
    frame = classify_survey(mapped, SDG)
    core = estimate(frame, mapped.design, Proportion("child_labour"), by="sex").to_polars()
    labels = {str(i): label for i, label in enumerate(mapped.domains["sex"])} | {"total": "total"}
    core = core.with_columns(pl.col("level").replace_strict(labels))
    joined = ours.join(core, on=["by", "level"], suffix="_core")
    assert joined.height == 3
    assert joined["estimate"].to_list() == joined["estimate_core"].to_list()
    assert joined["se"].to_list() == joined["se_core"].to_list()


def test_children_out_of_scope_stay_in_the_design(
    tmp_path: Path, synth_survey: pl.DataFrame
) -> None:
    """A 4-year-old is out of scope: excluded from every estimate, but the PSU stays."""
    frame = synth_survey.with_columns(
        pl.when(pl.col("PSU") == 1).then(4).otherwise(pl.col("CB3")).cast(pl.Int16).alias("CB3")
    )
    path = tmp_path / "s.parquet"
    frame.write_parquet(path)
    mapped = open_mapped(path, "mics6")
    result = estimate_survey(mapped, SDG, indicators=["child_labour"])
    in_scope = frame.filter((pl.col("FS17") == 1) & (pl.col("PSU") != 1))
    assert result["n_unweighted"][0] == in_scope.height
    design = mapped.frame.collect()
    psus, strata = design["_psu"].n_unique(), design["_stratum"].n_unique()
    # R: degf(subset(design, in_scope)) counts the PSUs left with weight, minus their strata
    assert result["df"][0] == (psus - 1) - strata


def test_options_reach_the_estimator(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    logit = estimate_survey(mapped, SDG, indicators=["child_labour"])
    mics = estimate_survey(
        mapped, SDG, indicators=["child_labour"], options=EstimateOptions(ci="mics", df="design")
    )
    row = mics.row(0, named=True)
    assert row["ci_low"] == pytest.approx(row["estimate"] - 2 * row["se"], rel=1e-14)
    assert logit["ci_low"][0] != row["ci_low"]


def test_unknown_indicator(synth_file: Path) -> None:
    with pytest.raises(DataError, match="unknown indicator"):
        estimate_survey(open_mapped(synth_file, "mics6"), SDG, indicators=["wellbeing"])


def test_unknown_hours_are_neither_below_nor_above(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    frame = classify_survey(mapped, SDG).collect().filter(pl.col("in_scope"))
    unknown_econ = frame.filter(pl.col("in_economic_activity") & pl.col("economic_hours").is_null())
    assert unknown_econ.height > 0
    assert not unknown_econ["economic_below_threshold"].any()
    assert not unknown_econ["economic_above_threshold"].any()
    known = frame.filter(pl.col("in_economic_activity") & pl.col("economic_hours").is_not_null())
    both = known["economic_below_threshold"].cast(pl.Int8) + known["economic_above_threshold"].cast(
        pl.Int8
    )
    assert (both == 1).all()
    unknown_chores = frame.filter(pl.col("in_chores") & pl.col("chores_hours_total").is_null())
    assert unknown_chores.height > 0
    assert not unknown_chores["chores_below_threshold"].any()

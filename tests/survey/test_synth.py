"""The synthetic MICS6-shaped survey: deterministic, a valid design, plausible patterns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.errors import DataError
from ipec.survey.readers import open_survey
from ipec.survey.synth import SYNTH_LABELS, SynthDesign, synthetic_mics5, synthetic_mics6


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


@pytest.mark.parametrize("suffix", [".dta", ".sav"])
def test_stata_and_spss_files_carry_value_labels(tmp_path: Path, suffix: str) -> None:
    """``ipec survey synth`` writes the labels of regions and education levels, which the
    tables then show (no bare region 1 or education 0)."""
    path = tmp_path / f"s{suffix}"
    assert run(["survey", "synth", "-n", "500", "-o", str(path)]) == 0
    labels = {
        name: {int(code): text for code, text in codes.items()}
        for name, codes in open_survey(path).value_labels.items()
    }
    assert labels["HH7"][1] == "Capital"
    assert len(labels["HH7"]) == 10
    assert labels["melevel"] == {
        0: "None or pre-primary",
        1: "Primary",
        2: "Lower secondary",
        3: "Upper secondary or higher",
    }
    assert labels["CL1A"] == {1: "Yes", 2: "No", 9: "No response"}
    assert set(labels) <= set(SYNTH_LABELS.values)


def test_mics5_layout() -> None:
    """A MICS5 household members file: households of an adult and children 5-17, one weight
    and one wealth quintile per household, the child labour module for children only."""
    design = SynthDesign.for_size(2_000, seed=3)
    people = synthetic_mics5(design)
    assert people.equals(synthetic_mics5(design))
    children = synthetic_mics6(design).filter(pl.col("FS17") == 1)
    assert people.filter(pl.col("HL1") > 1).height == children.height
    keys = ["HH1", "HH2"]
    per_household = people.group_by(keys).agg(
        pl.col("hhweight", "windex5").n_unique(), (pl.col("HL1") == 1).sum().alias("adults")
    )
    assert per_household["hhweight"].max() == 1
    assert per_household["windex5"].max() == 1
    assert per_household["adults"].min() == 1
    adults = people.filter(pl.col("HL1") == 1)
    assert adults["HL6"].min() >= 18
    assert adults["CL2A"].null_count() == adults.height
    kids = people.filter(pl.col("HL1") > 1)
    assert kids["HL6"].is_between(5, 17).all()
    working = pl.any_horizontal(pl.col(f"CL2{item}") == 1 for item in "ABCD")
    assert kids.filter(working)["CL4"].null_count() == 0
    assert {"CL1A", "CL3", "CL13", "fsweight", "stratum"}.isdisjoint(people.columns)

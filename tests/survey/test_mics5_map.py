"""The shipped mics5 map on a synthetic MICS5 household members file, through the command line:
the estimate equals a proportion computed by hand from the raw MICS5 variables."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.survey.synth import SynthDesign, synthetic_mics5
from ipec.survey.writers import write_survey

UNKNOWN = [97, 98, 99]


@pytest.fixture(scope="module")
def hl() -> pl.DataFrame:
    return synthetic_mics5(SynthDesign.for_size(4_000, seed=11))


def _hours(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_in(UNKNOWN)).then(None).otherwise(pl.col(column))


def _any_yes(columns: list[str]) -> pl.Expr:
    return pl.any_horizontal(pl.col(c) == 1 for c in columns).fill_null(value=False)


def _by_hand(hl: pl.DataFrame) -> pl.DataFrame:
    """MICS4-5 child labour from the MICS5 variables, written out: economic activity (CL2A-D)
    of 1 h at 5-11, 14 h at 12-14, 43 h at 15-17 (CL4); chores (CL10A-G, CL12) with water or
    firewood (CL8, CL9) of 28 h at 5-14 and 43 h at 15-17, the known hours summed; unknown
    hours (97-99) reach no threshold."""
    age = pl.col("HL6")
    econ, hours = _any_yes(["CL2A", "CL2B", "CL2C", "CL2D"]), _hours("CL4")
    economic = econ & (
        (age.is_between(5, 11) & (hours >= 1))
        | (age.is_between(12, 14) & (hours >= 14))
        | (age.is_between(15, 17) & (hours >= 43))
    ).fill_null(value=False)
    chores = _any_yes([f"CL10{item}" for item in "ABCDEFG"])
    water = _any_yes(["CL8"])
    chores_h, water_h = _hours("CL12"), _hours("CL9")
    known = (chores & chores_h.is_not_null()) | (water & water_h.is_not_null())
    total = pl.when(chores).then(chores_h.fill_null(0)).otherwise(0) + pl.when(water).then(
        water_h.fill_null(0)
    ).otherwise(0)
    household = known & (
        (age.is_between(5, 14) & (total >= 28)) | (age.is_between(15, 17) & (total >= 43))
    )
    return hl.filter(age.is_between(5, 17) & (pl.col("hhweight") > 0)).with_columns(
        (economic | household).alias("child_labour"), econ.alias("in_economic_activity")
    )


def _share(frame: pl.DataFrame, column: str) -> float:
    weight = frame["hhweight"]
    return float((weight * frame[column].cast(pl.Float64)).sum() / weight.sum())


def test_estimate_with_the_mics5_map(hl: pl.DataFrame, tmp_path: Path) -> None:
    source = tmp_path / "hl.sav"
    write_survey(hl, source)
    output = tmp_path / "out.csv"
    code = run(["survey", "estimate", str(source), "--map", "mics5", "-p", "mics4-5",
                "--by", "sex", "--indicators", "child_labour,in_economic_activity",
                "-o", str(output)])  # fmt: skip
    assert code == 0
    result = pl.read_csv(output)
    children = _by_hand(hl)
    assert result["n_unweighted"][0] == children.height  # adults are out of scope
    for indicator in ("child_labour", "in_economic_activity"):
        total = result.filter((pl.col("by") == "total") & (pl.col("indicator") == indicator))
        assert total["estimate"][0] == pytest.approx(_share(children, indicator), rel=1e-12)
        for code_, level in ((1, "male"), (2, "female")):
            row = result.filter((pl.col("level") == level) & (pl.col("indicator") == indicator))
            mine = children.filter(pl.col("HL4") == code_)
            assert row["estimate"][0] == pytest.approx(_share(mine, indicator), rel=1e-12)
    # the design: clusters HH1 in strata HH7 (the file has no stratum variable)
    design_df = hl["HH1"].n_unique() - hl["HH7"].n_unique()
    assert result.filter(pl.col("by") == "total")["df"].to_list() == [design_df, design_df]
    assert 0.05 < _share(children, "child_labour") < 0.6

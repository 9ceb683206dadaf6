"""A household file joined to the child file by the map's [join]: the same estimates as a file
that holds the household variables itself, and clear errors for keys that do not match."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ipec.cli.main import run
from ipec.errors import DataError
from ipec.standards import load_profile
from ipec.survey.analysis import estimate_survey
from ipec.survey.pipeline import open_mapped
from ipec.survey.synth import SynthDesign, synthetic_mics5
from ipec.survey.writers import write_survey

MAP = Path(__file__).parents[2] / "src/ipec/survey/maps/mics5.toml"
HOUSEHOLD = ["windex5", "HH6"]


@pytest.fixture(scope="module")
def hl() -> pl.DataFrame:
    return synthetic_mics5(SynthDesign.for_size(3_000, seed=21))


def _joined_map(folder: Path, join: str = 'file = "hh.sav"\nkeys = ["HH1", "HH2"]') -> Path:
    text = MAP.read_text(encoding="utf-8").replace('id = "mics5"', 'id = "mics5-hh"')
    path = folder / "mics5-hh.toml"
    path.write_text(f"{text}\n[join]\n{join}\n", encoding="utf-8")
    return path


def _files(folder: Path, hl: pl.DataFrame, household: pl.DataFrame | None = None) -> Path:
    """The child file without the household variables, and the household file (hh.sav)."""
    if household is None:
        household = hl.group_by("HH1", "HH2", maintain_order=True).agg(pl.col(HOUSEHOLD).first())
    write_survey(household, folder / "hh.sav")
    child = folder / "hl.sav"
    write_survey(hl.drop(HOUSEHOLD), child)
    return child


def test_joined_estimates_equal_those_of_one_file(hl: pl.DataFrame, tmp_path: Path) -> None:
    one = tmp_path / "one.sav"
    write_survey(hl, one)
    child = _files(tmp_path, hl)
    profile = load_profile("mics4-5")
    by = [("wealth_quintile",), ("area",), ("sex", "area")]
    joined = open_mapped(child, str(_joined_map(tmp_path)))
    assert joined.domains["wealth_quintile"] == ("poorest", "second", "middle", "fourth", "richest")
    expected = estimate_survey(open_mapped(one, "mics5"), profile, by=by)
    joined_estimates = estimate_survey(joined, profile, by=by)
    # the same sums, added in an order the threads choose: equal to the last bits or so
    assert_frame_equal(joined_estimates, expected, check_exact=False, rel_tol=1e-12, abs_tol=0)


def test_the_command_line_reads_the_joined_file(hl: pl.DataFrame, tmp_path: Path) -> None:
    child = _files(tmp_path, hl)
    output = tmp_path / "out.csv"
    code = run(["survey", "estimate", str(child), "--map", str(_joined_map(tmp_path)),
                "-p", "mics4-5", "--by", "wealth_quintile", "-o", str(output)])  # fmt: skip
    assert code == 0
    levels = pl.read_csv(output).filter(pl.col("by") == "wealth_quintile")["level"].unique()
    assert set(levels) == {"poorest", "second", "middle", "fourth", "richest"}
    assert run(["survey", "inspect", str(child), "--map", str(_joined_map(tmp_path))]) == 0


def test_named_variables_replace_the_childs_own(hl: pl.DataFrame, tmp_path: Path) -> None:
    """``variables`` takes the household's value even where the child file has its own."""
    household = hl.group_by("HH1", "HH2", maintain_order=True).agg(
        (6 - pl.col("windex5").first()).alias("windex5")  # the quintiles reversed
    )
    write_survey(household, tmp_path / "hh.sav")
    child = tmp_path / "hl.sav"
    write_survey(hl, child)
    path = _joined_map(tmp_path, 'file = "hh.sav"\nkeys = ["HH1", "HH2"]\nvariables = "windex5"')
    joined = open_mapped(child, str(path))
    own = open_mapped(child, "mics5")
    profile = load_profile("mics4-5")
    mine = estimate_survey(joined, profile, by=[("wealth_quintile",)], indicators=["child_labour"])
    theirs = estimate_survey(own, profile, by=[("wealth_quintile",)], indicators=["child_labour"])
    assert mine["estimate"].to_list()[1:] == pytest.approx(
        theirs["estimate"].to_list()[:0:-1], rel=1e-12
    )


def _error(hl: pl.DataFrame, folder: Path, household: pl.DataFrame, join: str | None = None) -> str:
    child = _files(folder, hl, household)
    path = _joined_map(folder) if join is None else _joined_map(folder, join)
    with pytest.raises(DataError) as caught:
        open_mapped(child, str(path))
    return caught.value.one_line()


def test_a_household_listed_twice_is_named(hl: pl.DataFrame, tmp_path: Path) -> None:
    household = hl.group_by("HH1", "HH2", maintain_order=True).agg(pl.col(HOUSEHOLD).first())
    twice = pl.concat([household, household.filter((pl.col("HH1") == 3) & (pl.col("HH2") == 2))])
    message = _error(hl, tmp_path, twice)
    assert "the household file lists 1 household(s) more than once (HH1=3, HH2=2)" in message
    assert str(tmp_path / "hh.sav") in message


def test_rows_without_a_household_are_named(hl: pl.DataFrame, tmp_path: Path) -> None:
    household = hl.group_by("HH1", "HH2", maintain_order=True).agg(pl.col(HOUSEHOLD).first())
    missing = household.filter(~((pl.col("HH1") == 2) & (pl.col("HH2") == 1)))
    message = _error(hl, tmp_path, missing)
    lost = hl.filter((pl.col("HH1") == 2) & (pl.col("HH2") == 1)).height
    assert f"{lost} row(s) have no household in hh.sav (HH1=2, HH2=1" in message
    assert str(tmp_path / "hl.sav") in message


@pytest.mark.parametrize(
    ("join", "message"),
    [
        ('file = "hh.sav"\nkeys = ["HH1", "HH9"]', "join key HH9 not found in the survey file"),
        ('file = "absent.sav"\nkeys = ["HH1"]', "no such file"),
        ('file = "hh.sav"\nkeys = ["HH1", "HH2"]\nvariables = ["hc1a"]',
         "variable hc1a ([join].variables) not found in the household file"),
    ],
)  # fmt: skip
def test_bad_join(hl: pl.DataFrame, tmp_path: Path, join: str, message: str) -> None:
    household = hl.group_by("HH1", "HH2", maintain_order=True).agg(pl.col(HOUSEHOLD).first())
    assert message in _error(hl, tmp_path, household, join)


def test_a_key_missing_from_the_household_file(hl: pl.DataFrame, tmp_path: Path) -> None:
    household = hl.group_by("HH1", "HH2", maintain_order=True).agg(pl.col(HOUSEHOLD).first())
    message = _error(hl, tmp_path, household.drop("HH2"))
    assert "join key HH2 not found in the household file" in message
    assert str(tmp_path / "hh.sav") in message

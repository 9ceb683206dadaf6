"""``ipec survey replicate`` through the real entry point: replicate weights written back to
the survey file, read again through a map, and agreeing with the library and the Taylor design."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import polars as pl
import pyreadstat
import pytest

from ipec.cli.main import run
from ipec.survey import ReplicateDesign, SurveyDesign, Total, estimate, replicate_weights
from ipec.survey.pipeline import open_mapped


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "mics.dta"
    assert run(["survey", "synth", "-n", "2000", "--seed", "5", "-o", str(path)]) == 0
    return path


def _replicate(survey: Path, output: Path, *extra: str) -> int:
    return run(["survey", "replicate", str(survey), "--map", "mics6", "-o", str(output), *extra])


def _replicate_map(tmp_path: Path, hint: str) -> Path:
    """The mics6 map with the printed [design.replicates] lines in place of psu and strata."""
    shipped = Path(__file__).parents[2] / "src" / "ipec" / "survey" / "maps" / "mics6.toml"
    text = shipped.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(psu|strata) = .*\n", "", text)
    text = text.replace('id = "mics6"', 'id = "mics6-replicates"')
    lines = [line.strip() for line in hint.splitlines() if line.startswith("  ")]
    text = text.replace("\n[child]", "\n" + "\n".join(lines) + "\n\n[child]", 1)
    path = tmp_path / "rep.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_jkn_written_to_stata(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "with_reps.dta"
    assert _replicate(survey, output, "--type", "JKn") == 0
    err = capsys.readouterr().err
    assert "JKn replicate weights repw1.." in err
    assert "[design.replicates]" in err
    assert 'prefix = "repw"' in err

    before, meta_before = pyreadstat.read_dta(str(survey), output_format="polars")
    after, meta_after = pyreadstat.read_dta(str(output), output_format="polars")
    reps = [c for c in after.columns if c.startswith("repw")]
    # the file's own columns, unchanged, then the replicate weights
    assert after.columns == [*before.columns, *reps]
    assert after.select(before.columns).equals(before)
    assert meta_after.variable_value_labels == meta_before.variable_value_labels

    # the used rows carry the library's weights; the others 0
    mapped = open_mapped(survey, "mics6")
    assert isinstance(mapped.design, SurveyDesign)
    frame = mapped.frame.select("_file_row", *mapped.design.columns).collect()
    lib, design = replicate_weights(frame, mapped.design, "JKn")
    assert len(reps) == len(design.replicates)
    used = lib["_file_row"].to_numpy()
    written = after.select(reps).to_numpy()
    np.testing.assert_array_equal(written[used], lib.select(design.replicates).to_numpy())
    unused = np.setdiff1d(np.arange(after.height), used)
    assert unused.size
    assert (written[unused] == 0).all()

    # read back through a map: the jackknife SE of a total equals the linearised one (JKn is
    # exact for linear estimators without fpc)
    rep_mapped = open_mapped(output, str(_replicate_map(tmp_path, err)))
    assert isinstance(rep_mapped.design, ReplicateDesign)
    assert rep_mapped.design.design_df == design.design_df
    data = rep_mapped.frame.with_columns(one=pl.lit(1.0))
    jkn = estimate(data, rep_mapped.design, Total("one")).to_polars()
    taylor = estimate(mapped.frame.with_columns(one=pl.lit(1.0)), mapped.design, Total("one"))
    assert math.isclose(jkn["se"][0], taylor.to_polars()["se"][0], rel_tol=1e-9)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".sav"])
def test_bootstrap_other_formats(survey: Path, tmp_path: Path, suffix: str) -> None:
    output = tmp_path / f"boot{suffix}"
    args = ("--type", "bootstrap", "--replicates", "20", "--seed", "4", "--prefix", "bw")
    assert _replicate(survey, output, *args) == 0
    frame = _read(output)
    assert [c for c in frame.columns if c.startswith("bw")] == [f"bw{i}" for i in range(1, 21)]
    # the same seed gives the same file, in every format
    again = tmp_path / f"again{suffix}"
    assert _replicate(survey, again, *args) == 0
    assert _read(again).equals(frame)


def _read(path: Path) -> pl.DataFrame:
    if path.suffix == ".csv":
        return pl.read_csv(path)
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    frame, _ = pyreadstat.read_sav(str(path), output_format="polars")
    assert isinstance(frame, pl.DataFrame)
    return frame


def test_refusals(survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _replicate(survey, survey, "--type", "JKn") == 1
    assert "overwrite the input" in capsys.readouterr().err
    assert _replicate(survey, tmp_path / "out.xlsx", "--type", "JKn") == 1
    assert "unsupported file type" in capsys.readouterr().err
    assert _replicate(survey, tmp_path / "out.dta", "--type", "jackknife") == 1
    assert "--type 'jackknife' is not one of" in capsys.readouterr().err
    first = tmp_path / "first.parquet"
    assert _replicate(survey, first, "--type", "JKn") == 0
    capsys.readouterr()
    assert _replicate(first, tmp_path / "second.parquet", "--type", "JKn") == 1
    err = capsys.readouterr().err
    assert "already has column(s) repw1" in err
    assert "--prefix" in err
    assert not (tmp_path / "second.parquet").exists()
    assert _replicate(survey, tmp_path / "jk1.parquet", "--type", "JK1") == 1
    assert "unstratified" in capsys.readouterr().err


def test_brr_totals_equal_taylor(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The synthetic survey has two clusters per stratum: BRR's variance of a total is the
    linearised one exactly (full orthogonal balance)."""
    output = tmp_path / "brr.parquet"
    assert _replicate(survey, output, "--type", "BRR", "--prefix", "brr") == 0
    rep_mapped = open_mapped(output, str(_replicate_map(tmp_path, capsys.readouterr().err)))
    assert isinstance(rep_mapped.design, ReplicateDesign)
    assert rep_mapped.design.type == "BRR"
    mapped = open_mapped(survey, "mics6")
    one = pl.lit(1.0).alias("one")
    brr = estimate(rep_mapped.frame.with_columns(one), rep_mapped.design, Total("one"))
    taylor = estimate(mapped.frame.with_columns(one), mapped.design, Total("one"))
    assert math.isclose(brr.to_polars()["se"][0], taylor.to_polars()["se"][0], rel_tol=1e-9)

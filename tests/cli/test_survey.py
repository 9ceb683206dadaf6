"""``ipec survey synth|inspect|estimate|tables`` through the real entry point."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ipec.cli.main import run


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "mics.dta"
    assert run(["survey", "synth", "-n", "3000", "--seed", "9", "-o", str(path)]) == 0
    return path


def test_synth_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for suffix in (".parquet", ".csv", ".sav"):
        path = tmp_path / f"s{suffix}"
        assert run(["survey", "synth", "-n", "500", "-o", str(path)]) == 0
        assert path.stat().st_size > 0
    assert "wrote 500 children in 40 clusters and 20 strata" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json", ".xlsx"])
def test_estimate_writes_every_format(survey: Path, tmp_path: Path, suffix: str) -> None:
    output = tmp_path / f"est{suffix}"
    code = run(["survey", "estimate", str(survey), "--map", "mics6", "--profile", "sdg-8.7.1",
                "--by", "sex,age_group,area", "-o", str(output)])  # fmt: skip
    assert code == 0
    assert output.exists()
    if suffix == ".csv":
        frame = pl.read_csv(output)
        assert frame.filter(pl.col("by") == "total").height == frame["indicator"].n_unique()
        for column in ("by", "level", "indicator", "estimate", "se", "ci_low", "ci_high", "df",
                       "deff", "cv", "n_unweighted", "n_weighted", "flag"):  # fmt: skip
            assert column in frame.columns


def test_tables_workbook(survey: Path, tmp_path: Path) -> None:
    output = tmp_path / "tables.xlsx"
    code = run(["survey", "tables", str(survey), "--map", "mics6", "--profile",
                "ilo-global-estimates", "-o", str(output)])  # fmt: skip
    assert code == 0
    book = openpyxl.load_workbook(output)
    assert book.sheetnames[:5] == ["SDG-8.7.1", "PR.3.1", "PR.3.2", "PR.3.3", "PR.3.4"]
    title = book["PR.3.3"]["A1"].value
    assert title.startswith("Table PR.3.3")


def test_inspect_report(survey: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["survey", "inspect", str(survey), "--map", "mics6"]) == 0
    out = capsys.readouterr().out
    assert "rows: 3,000 in the file" in out
    assert "CL3" in out
    assert "unknown econ_hours" in out
    assert "not in the file: ethnicity" in out


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unknown_profile_is_named_before_any_work(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.csv"
    assert run(["survey", "estimate", str(survey), "--map", "mics6", "-p", "sdg-9",
                "-o", str(output)]) == 1  # fmt: skip
    assert "unknown profile 'sdg-9'" in _error(capsys)
    assert not output.exists()


def test_lonely_psu_under_fail_names_the_strata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "s.parquet"
    assert run(["survey", "synth", "-n", "2000", "-o", str(source)]) == 0
    frame = pl.read_parquet(source)
    lonely = frame.filter((pl.col("stratum") != 3) | (pl.col("PSU") == frame.filter(
        pl.col("stratum") == 3)["PSU"].min()))  # fmt: skip
    lonely.write_parquet(source)
    output = tmp_path / "out.csv"
    args = ["survey", "estimate", str(source), "--map", "mics6", "-p", "sdg-8.7.1",
            "-o", str(output)]  # fmt: skip
    assert run(args) == 1
    line = _error(capsys)
    assert "single PSU" in line
    assert ": 3" in line
    assert not output.exists()
    assert run([*args, "--lonely-psu", "adjust"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "sex,colour"], "unknown breakdown colour"),
        (["--ci", "magic"], "--ci 'magic' is not one of logit, xlogit, beta, wald, mics"),
        (["--indicators", "joy"], "unknown indicator(s) joy"),
        (["--map", "dhs8"], "unknown variable map 'dhs8'"),
    ],
)
def test_bad_options(
    survey: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    output = tmp_path / "out.csv"
    base = ["survey", "estimate", str(survey), "--map", "mics6", "-p", "sdg-8.7.1",
            "-o", str(output)]  # fmt: skip
    assert run(base + args) == 1
    assert message in _error(capsys)
    assert not output.exists()


def test_unreadable_survey(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.dta"
    broken.write_bytes(b"\x00" * 50)
    output = tmp_path / "out.xlsx"
    assert run(["survey", "tables", str(broken), "--map", "mics6", "-p", "sdg-8.7.1",
                "-o", str(output)]) == 1  # fmt: skip
    assert f"{broken}: cannot read the stata file" in _error(capsys)
    assert list(tmp_path.iterdir()) == [broken]


def test_tables_with_normalised_weights(survey: Path, tmp_path: Path) -> None:
    """--normalise-weights: the numbers of children are sample counts (the total row's
    weighted N is its unweighted n), and every table says so."""
    output = tmp_path / "tables.xlsx"
    code = run(["survey", "tables", str(survey), "--map", "mics6", "--profile", "sdg-8.7.1",
                "--normalise-weights", "-o", str(output)])  # fmt: skip
    assert code == 0
    book = openpyxl.load_workbook(output)
    for name in book.sheetnames[:5]:
        rows = list(book[name].iter_rows(values_only=True))
        total = next(row for row in rows if row[0] == "Total")
        assert total[-1] == total[-2] > 0, name
        assert any(str(row[0]).startswith("Weights normalised") for row in rows), name
    assert "Capital" in {str(c.value).strip() for (c,) in book["PR.3.3"].iter_rows(max_col=1)}

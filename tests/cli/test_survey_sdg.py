"""``ipec survey sdg`` through the real entry point: SDMX-ML, SDMX-CSV and the SDG database CSV
from microdata or from estimates, and one clear error line for bad requests."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.survey.sdmx import read_sdmx_observations


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "mics.dta"
    assert run(["survey", "synth", "-n", "3000", "--seed", "9", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def tables(survey: Path) -> Path:
    path = survey.parent / "tables.csv"
    assert run(["survey", "tables", str(survey), "--map", "mics6", "-p", "sdg-8.7.1",
                "-o", str(path)]) == 0  # fmt: skip
    return path


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_microdata_to_sdmx_ml(
    survey: Path, tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "sdg.xml"
    code = run(["survey", "sdg", str(survey), "--map", "mics6", "--ref-area", "GHA",
                "--year", "2018", "--source", "Synthetic MICS6", "-o", str(output)])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "wrote 20 SDG 8.7.1 observations (SL_TLF_CHLDEC, SL_TLF_CHLDEA) for Ghana (288)" in err
    assert "left out: age 5-11: the SDG age code list (CL_AGE 1.12) has no code for it" in err
    read = read_sdmx_observations(output)
    assert set(read["REF_AREA"]) == {"288"}
    estimates = pl.read_csv(tables).filter(
        (pl.col("table") == "SDG-8.7.1") & (pl.col("by") == "total")
        & (pl.col("profile") == "sdg-8.7.1")
    )  # fmt: skip
    total = read.filter(
        (pl.col("SERIES") == "SL_TLF_CHLDEC") & (pl.col("SEX") == "_T") & (pl.col("AGE") == "Y5T17")
    )
    assert total["OBS_VALUE"][0] == pytest.approx(100 * estimates["estimate"][0], rel=1e-12)


def test_estimates_to_both_csv_layouts(tables: Path, tmp_path: Path) -> None:
    plain = tmp_path / "sdg.csv"
    assert run(["survey", "sdg", str(tables), "--ref-area", "716", "--time-period", "2019",
                "-o", str(plain)]) == 0  # fmt: skip
    frame = pl.read_csv(plain, infer_schema=False)
    assert frame.columns[:9] == ["Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription",
                                 "GeoAreaCode", "GeoAreaName", "TimePeriod", "Value"]  # fmt: skip
    assert set(frame["GeoAreaName"]) == {"Zimbabwe"}
    assert set(frame["SeriesCode"]) == {"SL_TLF_CHLDEC", "SL_TLF_CHLDEA"}
    sdmx_csv = tmp_path / "sdmx.csv"
    assert run(["survey", "sdg", str(tables), "--ref-area", "ZWE", "--year", "2019",
                "--format", "sdmx-csv", "-o", str(sdmx_csv)]) == 0  # fmt: skip
    assert read_sdmx_observations(sdmx_csv).height == frame.height


def test_unknown_area_is_one_error_line(
    tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "sdg.xml"
    assert run(["survey", "sdg", str(tables), "--ref-area", "Ghana", "--year", "2018",
                "-o", str(output)]) == 1  # fmt: skip
    assert "reference area 'Ghana' is not the M49 code or ISO alpha-3 code" in _error(capsys)
    assert not output.exists()


def test_missing_or_bad_year(
    tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "sdg.xml"
    assert run(["survey", "sdg", str(tables), "--ref-area", "GHA", "-o", str(output)]) == 2
    assert "Missing option '--time-period'" in capsys.readouterr().err
    assert run(["survey", "sdg", str(tables), "--ref-area", "GHA", "--year", "2018-19",
                "-o", str(output)]) == 1  # fmt: skip
    assert "time period '2018-19' is not a year" in _error(capsys)
    assert not output.exists()


def test_estimates_that_are_not_sdg(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    estimates = tmp_path / "est.csv"
    assert run(["survey", "estimate", str(survey), "--map", "mics6", "-p", "mics6-2017",
                "--by", "sex", "-o", str(estimates)]) == 0  # fmt: skip
    capsys.readouterr()
    output = tmp_path / "sdg.xml"
    assert run(["survey", "sdg", str(estimates), "--ref-area", "GHA", "--year", "2018",
                "-o", str(output)]) == 1  # fmt: skip
    assert "these estimates are not SDG 8.7.1 (profile mics6-2017" in _error(capsys)
    assert not output.exists()


def test_wrong_output_type(
    tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["survey", "sdg", str(tables), "--ref-area", "GHA", "--year", "2018",
                "-o", str(tmp_path / "sdg.json")]) == 1  # fmt: skip
    assert "unsupported file type '.json'" in _error(capsys)

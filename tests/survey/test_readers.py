"""Reading Stata, SPSS, CSV and Parquet files, and what happens when they are broken."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyreadstat
import pytest

from ipec.errors import DataError
from ipec.survey.readers import open_survey

COLUMNS = ["HH1", "CB3", "CL3", "fsweight"]


@pytest.mark.parametrize("suffix", [".dta", ".sav", ".zsav", ".csv", ".parquet"])
def test_every_format_reads_the_same_values(
    tmp_path: Path, synth_survey: pl.DataFrame, suffix: str
) -> None:
    frame = synth_survey.select(COLUMNS).head(200)
    path = tmp_path / f"survey{suffix}"
    if suffix == ".dta":
        pyreadstat.write_dta(frame, str(path))
    elif suffix == ".sav":
        pyreadstat.write_sav(frame, str(path))
    elif suffix == ".zsav":
        pyreadstat.write_sav(frame, str(path), compress=True)
    elif suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    survey = open_survey(path)
    assert set(COLUMNS) <= set(survey.variables)
    read = survey.read(["CL3", "CB3"]).collect()
    assert read.columns == ["CL3", "CB3"]
    assert read["CB3"].cast(pl.Float64).to_list() == frame["CB3"].cast(pl.Float64).to_list()
    assert read["CL3"].cast(pl.Float64).to_list() == frame["CL3"].cast(pl.Float64).to_list()


def test_names_match_without_case(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    pl.DataFrame({"psu": [1], "Stratum": [2]}).write_csv(path)
    survey = open_survey(path)
    assert survey.find("PSU") == "psu"
    assert survey.find("stratum") == "Stratum"
    assert survey.find("HH1") is None


def test_exact_spelling_wins_and_ambiguity_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    pl.DataFrame({"PSU": [1], "psu": [2], "Stratum": [3], "STRATUM": [4]}).write_csv(path)
    survey = open_survey(path)
    assert survey.find("PSU") == "PSU"
    assert survey.find("psu") == "psu"
    with pytest.raises(DataError, match="Stratum, STRATUM differ only in case"):
        survey.find("stratum")


def test_value_labels_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "labelled.sav"
    frame = pl.DataFrame({"HH7": [1.0, 2.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"HH7": {1: "North", 2: "South"}})
    assert open_survey(path).value_labels["HH7"] == {1.0: "North", 2.0: "South"}


def test_code_columns_keep_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("isic,age\n0510,12\n4100,13\n", encoding="utf-8")
    read = open_survey(path).read(["isic", "age"], text=["isic"]).collect()
    assert read["isic"].to_list() == ["0510", "4100"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.xls", b"x", "unsupported survey file type '.xls'"),
        ("s.dta", b"not a stata file at all", "cannot read the stata file"),
        ("s.sav", b"$FL2 truncated", "cannot read the spss file"),
        ("s.parquet", b"PAR1 truncated", "cannot read the parquet file"),
    ],
)
def test_broken_files_are_named(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        open_survey(path)
    assert message in caught.value.one_line()
    assert str(path) in caught.value.one_line()


def test_truncated_stata_file(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    whole = tmp_path / "whole.dta"
    pyreadstat.write_dta(synth_survey.select(COLUMNS), str(whole))
    cut = tmp_path / "cut.dta"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataError, match="cannot read the stata file"):
        open_survey(cut).read(COLUMNS).collect()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        open_survey(tmp_path / "absent.dta")

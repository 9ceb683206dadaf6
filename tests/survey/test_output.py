"""Writing estimates: tidy machine formats, and a workbook with the MICS display rules."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ipec.errors import DataError
from ipec.survey.output import write_estimates

META = {"profile": "sdg-8.7.1", "flags": {"suppress": 25, "parenthesise": 50}}


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "by": ["total", "sex", "sex", "sex"],
            "level": ["total", "male", "female", "other"],
            "indicator": ["child_labour"] * 4,
            "estimate": [0.2013, 0.18623, 0.0512, float("nan")],
            "se": [0.0075, 0.0093, 0.02, float("nan")],
            "n_unweighted": [8946, 40, 12, 0],
            "n_weighted": [21871.2, 95.4, 30.1, 0.0],
            "flag": ["", "()", "*", "-"],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_machine_formats_keep_the_tidy_rows(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    write_estimates(_frame(), path, metadata=META)
    if suffix == ".csv":
        back = pl.read_csv(path)
    elif suffix == ".parquet":
        back = pl.read_parquet(path)
    else:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["metadata"]["profile"] == "sdg-8.7.1"
        back = pl.DataFrame(document["estimates"])
        assert document["estimates"][3]["estimate"] is None
    assert back["estimate"][0] == pytest.approx(0.2013)
    assert back["by"].to_list() == ["total", "sex", "sex", "sex"]


def test_workbook_applies_display_rules(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_estimates(_frame(), path, metadata=META, domain_labels={"sex": "Sex"})
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Estimates", "Data", "About"]
    rows = [list(r) for r in book["Estimates"].iter_rows(values_only=True)]
    as_text = {str(r[0]).strip(): r[1] for r in rows if r and r[0]}
    assert as_text["Total"] == "20.1"
    assert as_text["male"] == "(18.6)"
    assert as_text["female"] == "*"
    assert as_text["other"] == "-"
    assert "Sex" in as_text
    note = next(str(r[0]) for r in rows if r[0] and str(r[0]).startswith("Percentages"))
    assert "fewer than 25" in note
    assert "25-49" in note
    data = list(book["Data"].iter_rows(values_only=True))
    assert data[0][:4] == ("by", "level", "indicator", "estimate")
    assert math.isclose(data[1][3], 0.2013)


def test_unsupported_output_and_nothing_left_behind(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"unsupported file type '\.txt'"):
        write_estimates(_frame(), tmp_path / "out.txt", metadata=META)
    assert list(tmp_path.iterdir()) == []


def test_labels_never_become_formulas_or_links(tmp_path: Path) -> None:
    frame = _frame().with_columns(
        pl.Series("level", ["total", '=HYPERLINK("http://x.invalid","y")', "http://x.invalid", "o"])
    )
    path = tmp_path / "out.xlsx"
    write_estimates(frame, path, metadata=META)
    book = openpyxl.load_workbook(path)
    values = [cell.value for row in book["Data"].iter_rows() for cell in row]
    assert '=HYPERLINK("http://x.invalid","y")' in values
    formulas = [cell for row in book["Data"].iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    assert all(cell.hyperlink is None for row in book["Data"].iter_rows() for cell in row)


def test_output_that_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out.csv"
    folder.mkdir()
    with pytest.raises(DataError, match="the output is a folder, not a file"):
        write_estimates(_frame(), folder, metadata=META)

"""Writing estimates: tidy machine formats, and a workbook with the MICS display rules."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ipec.errors import DataError
from ipec.survey.output import display_grid, write_estimates

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


def test_workbook_shows_the_unweighted_n_beside_the_weighted_n(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_estimates(_frame(), path, metadata=META, domain_labels={"sex": "Sex"})
    rows = list(openpyxl.load_workbook(path)["Estimates"].iter_rows(values_only=True))
    header = next(r for r in rows if r[-1] and str(r[-1]).startswith("Number"))
    assert header[-2:] == ("Number of children (weighted)", "Number of children (unweighted)")
    counts = {str(r[0]).strip(): r[-2:] for r in rows if r[0] in {"Total", "  male", "  female"}}
    assert counts == {"Total": (21871, 8946), "male": (95, 40), "female": (30, 12)}


def _table(levels: dict[str, list[str]], columns: list[str]) -> pl.DataFrame:
    """A tidy table: every (by, level) of ``levels`` under each age column, two indicators."""
    rows = []
    for by, names in levels.items():
        for i, level in enumerate(names):
            for column in columns:
                for indicator, share in (
                    ("economic_below_threshold", 0.1),
                    ("economic_above_threshold", 0.2),
                ):
                    rows.append(
                        {
                            "table": "PR.3.1",
                            "title": "Children in economic activity",
                            "profile": "sdg-8.7.1",
                            "by": by,
                            "level": level,
                            "column": column,
                            "indicator": indicator,
                            "estimate": share + i / 100,
                            "se": 0.01,
                            "n_unweighted": 100 + i,
                            "n_weighted": 1000.4 + i,
                            "flag": "",
                            "note": "First note.\nSecond note.",
                        }
                    )
    return pl.DataFrame(rows)


def test_age_band_rows_join_the_age_groups() -> None:
    """15-17 is an age group and an age band: shown once, 5-14 under the age groups."""
    frame = _table(
        {
            "total": ["total"],
            "age_group": ["5-11", "12-14", "15-17"],
            "age_band": ["5-14", "15-17"],
        },
        ["5-17"],
    )
    grid = display_grid(frame)
    shown = [(row.by, row.level, row.heading) for row in grid.rows]
    assert shown == [
        ("total", "total", False),
        ("age_group", "", True),
        ("age_group", "5-11", False),
        ("age_group", "12-14", False),
        ("age_group", "15-17", False),
        ("age_group", "5-14", False),
    ]
    assert not grid.has_age_columns  # one column of ages (5-17): no row of age groups


def test_age_columns_are_a_header_row_over_the_indicators(tmp_path: Path) -> None:
    frame = _table({"total": ["total"], "sex": ["male", "female"]}, ["5-17", "5-11", "12-14"])
    path = tmp_path / "tables.xlsx"
    write_estimates(frame, path, metadata=META, domain_labels={"sex": "Sex"})
    sheet = openpyxl.load_workbook(path)["PR.3.1"]
    assert sheet["A1"].value == "Table PR.3.1: Children in economic activity"
    groups = [sheet.cell(3, column).value for column in range(2, 8)]
    assert groups == [
        "Children aged 5-11",
        None,
        "Children aged 12-14",
        None,
        "All children aged 5-17",
        None,
    ]
    assert {str(r) for r in sheet.merged_cells.ranges} >= {
        "B3:C3",
        "D3:E3",
        "F3:G3",
        "H3:H4",
        "I3:I4",
    }
    assert [sheet.cell(4, column).value for column in range(2, 4)] == [
        "Economic activity below the age-specific threshold",
        "Economic activity at or above the age-specific threshold",
    ]
    assert sheet["H3"].value == "Number of children (weighted)"
    assert sheet["I3"].value == "Number of children (unweighted)"
    total = [sheet.cell(5, column).value for column in range(1, 10)]
    assert total == ["Total", "10.0", "20.0", "10.0", "20.0", "10.0", "20.0", 1000, 100]
    notes = [c.value for (c,) in sheet.iter_rows(min_col=1, max_col=1) if c.font.italic]
    assert notes[:2] == ["First note.", "Second note."]
    assert notes[2].startswith("Percentages.")

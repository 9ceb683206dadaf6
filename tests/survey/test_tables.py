"""The standard table set: its tables, their rows and columns, and agreement with estimates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from ipec.standards import load_profile
from ipec.survey.analysis import estimate_survey
from ipec.survey.pipeline import open_mapped
from ipec.survey.tables import STANDARD_TABLES, standard_tables


def test_table_set(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    tables = standard_tables(mapped, load_profile("mics6-2017"))
    assert tables["table"].unique(maintain_order=True).to_list() == [t.id for t in STANDARD_TABLES]
    sdg = tables.filter(pl.col("table") == "SDG-8.7.1")
    assert set(sdg["profile"]) == {"sdg-8.7.1", "sdg-8.7.1-econ"}
    assert {"total", "sex", "age_group", "age_band", "sex*age_group"} == set(sdg["by"])
    assert set(sdg.filter(pl.col("by") == "age_band")["level"]) == {"5-14", "15-17"}
    pr31 = tables.filter(pl.col("table") == "PR.3.1")
    assert set(pr31["column"]) == {"5-11", "12-14", "15-17", "5-17"}
    assert set(pr31["profile"]) == {"mics6-2017"}
    assert {"sex", "area", "region", "wealth_quintile", "school_attendance"} <= set(pr31["by"])


def test_table_cells_equal_direct_estimates(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    profile = load_profile("sdg-8.7.1")
    tables = standard_tables(mapped, profile)
    direct = estimate_survey(
        mapped, profile, by=[("sex", "age_group")], indicators=["economic_above_threshold"]
    )
    cell = tables.filter(
        (pl.col("table") == "PR.3.1")
        & (pl.col("by") == "sex")
        & (pl.col("level") == "female")
        & (pl.col("column") == "12-14")
        & (pl.col("indicator") == "economic_above_threshold")
    )
    expected = direct.filter(pl.col("level") == "female*12-14")
    assert cell["estimate"].to_list() == pytest.approx(expected["estimate"].to_list(), rel=1e-13)
    assert cell["se"].to_list() == pytest.approx(expected["se"].to_list(), rel=1e-12)


def test_survey_without_chores(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    """A labour-force-like file with no chores module still gives its tables and report."""
    from ipec.survey.report import write_report

    chores = [c for c in synth_survey.columns if c.startswith("CL11")] + ["CL13"]
    path = tmp_path / "no-chores.parquet"
    synth_survey.drop(chores).write_parquet(path)
    mapped = open_mapped(path, "mics6")
    assert not mapped.has_chores
    assert any("no household chores variables" in w for w in mapped.report.warnings)
    tables = standard_tables(mapped, load_profile("sdg-8.7.1-econ"))
    assert "PR.3.2" not in set(tables["table"])
    assert set(tables.filter(pl.col("table") == "SDG-8.7.1")["profile"]) == {"sdg-8.7.1-econ"}
    report = tmp_path / "report.html"
    write_report(path, report, survey_map="mics6", profile="sdg-8.7.1-econ")
    assert "SL_TLF_CHLDEA" in report.read_text(encoding="utf-8")


# --- The tables a statistician signs: labels, counts, footnotes, no internal ids -----------


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory, synth_survey: pl.DataFrame) -> Path:
    """The synthetic survey as a Stata file with the value labels ``ipec survey synth`` writes."""
    from ipec.survey.synth import SYNTH_LABELS
    from ipec.survey.writers import write_survey

    path = tmp_path_factory.mktemp("labelled") / "fs.dta"
    write_survey(synth_survey, path, SYNTH_LABELS)
    return path


def _workbook(source: Path, folder: Path, profile: str, *, normalise: bool = False) -> Any:
    """Tables of ``source`` under ``profile`` written as a workbook, opened with openpyxl."""
    from ipec.survey.analysis import EstimateOptions
    from ipec.survey.output import write_estimates
    from ipec.survey.pipeline import run_metadata

    mapped = open_mapped(source, "mics6")
    rules = load_profile(profile)
    tables = standard_tables(mapped, rules, normalise=normalise)
    path = folder / f"{profile}-{normalise}.xlsx"
    write_estimates(
        tables,
        path,
        metadata=run_metadata(mapped, rules, EstimateOptions(), "mics6"),
        domain_labels=mapped.domain_labels,
    )
    return openpyxl.load_workbook(path)


def _column_a(sheet: Any) -> list[str]:
    return [str(row[0]).strip() for row in sheet.iter_rows(values_only=True) if row[0] is not None]


def _block(sheet: Any, heading: str) -> list[str]:
    """The row labels under ``heading`` in column A, up to the next heading (bold)."""
    labels, inside = [], False
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if cell.value is None:
            if inside:
                break
            continue
        if cell.font.bold:
            if inside:
                break
            inside = cell.value == heading
        elif inside:
            labels.append(str(cell.value).strip())
    return labels


@pytest.fixture(scope="module")
def sdg_book(labelled: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _workbook(labelled, tmp_path_factory.mktemp("book"), "sdg-8.7.1")


def test_breakdowns_show_the_files_value_labels(sdg_book: Any, labelled: Path) -> None:
    """Region and mother's education have no labels in the map: the Stata file's are shown."""
    from ipec.survey.readers import open_survey

    labels = open_survey(labelled).value_labels
    for table in ("PR.3.1", "PR.3.3", "PR.3.4"):
        sheet = sdg_book[table]
        assert _block(sheet, "Region") == [labels["HH7"][code] for code in range(1, 11)]
        assert _block(sheet, "Mother's education") == [
            "None or pre-primary",
            "Primary",
            "Lower secondary",
            "Upper secondary or higher",
        ]
        assert _block(sheet, "Wealth index quintile")[0] == "poorest"  # the map's codes win


def test_unweighted_n_beside_the_weighted_n(sdg_book: Any, labelled: Path) -> None:
    tidy = standard_tables(open_mapped(labelled, "mics6"), load_profile("sdg-8.7.1"))
    for table in ("SDG-8.7.1", "PR.3.3"):
        sheet = sdg_book[table]
        header = next(r for r in sheet.iter_rows(values_only=True) if r[-1] and "Number" in r[-1])
        assert header[-2:] == ("Number of children (weighted)", "Number of children (unweighted)")
        total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Total")
        row = tidy.filter((pl.col("table") == table) & (pl.col("by") == "total")).row(0, named=True)
        assert total[-2:] == (round(row["n_weighted"]), row["n_unweighted"])
        female = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "  female")
        cell = tidy.filter((pl.col("table") == table) & (pl.col("level") == "female")).row(
            0, named=True
        )
        assert female[-1] == cell["n_unweighted"]


def test_age_is_shown_once(sdg_book: Any) -> None:
    """The SDG table's 5-14/15-17 band joins the age groups: 15-17 is one row, not two."""
    sheet = sdg_book["SDG-8.7.1"]
    assert _block(sheet, "Age") == ["5-11", "12-14", "15-17", "5-14"]
    rows = _column_a(sheet)
    assert rows.count("15-17") == 1
    assert not any(label.startswith("Age (") for label in rows)
    for table in ("PR.3.3", "PR.3.4"):  # MICS order: sex, area, region, then age
        column = sdg_book[table].iter_rows(min_col=1, max_col=1)
        order = [c.value for (c,) in column if c.font.bold and c.value]
        assert order[1:5] == ["Sex", "Area", "Region", "Age"]


def test_titles_and_headers_are_for_people(sdg_book: Any) -> None:
    sheet = sdg_book["SDG-8.7.1"]
    assert sheet["A1"].value == (
        "Table SDG 8.7.1: Children aged 5-17 in child labour (both series), by sex and age"
    )
    assert sheet["B3"].value == "Child labour, SDG 8.7.1 with household chores (SL_TLF_CHLDEC)"
    assert sheet["C3"].value == "Child labour, SDG 8.7.1, economic activity only (SL_TLF_CHLDEA)"
    assert sdg_book["PR.3.4"]["A1"].value.startswith(
        "Table PR.3.4: Hazardous work: long hours, hazardous industries, occupations and "
        "conditions \u2014 SDG 8.7.1: child labour, economic activity and household chores"
    )
    pr31 = sdg_book["PR.3.1"]
    groups = [pr31.cell(3, column).value for column in range(2, 10)]
    assert groups[::2] == [
        "Children aged 5-11",
        "Children aged 12-14",
        "Children aged 15-17",
        "All children aged 5-17",
    ]
    assert pr31["B4"].value == "Economic activity below the age-specific threshold"
    assert pr31["C4"].value == "Economic activity at or above the age-specific threshold"
    internal = ("sdg-8.7.1", "child_labour", "economic_", "reason_", "_spec", "|", "LONG_HOURS")
    for table in ("SDG-8.7.1", "PR.3.1", "PR.3.2", "PR.3.3", "PR.3.4"):
        for row in sdg_book[table].iter_rows(values_only=True):
            for value in row:
                assert not any(word in str(value) for word in internal), (table, value)


def _notes(sheet: Any) -> list[str]:
    return [
        str(c.value) for (c,) in sheet.iter_rows(min_col=1, max_col=1) if c.font.italic and c.value
    ]


def test_a_column_the_profile_does_not_count_is_named(
    sdg_book: Any, labelled: Path, tmp_path: Path
) -> None:
    """SDG 8.7.1 lists no hazardous conditions: PR.3.3 and PR.3.4 say so under the table."""
    info = (
        "Working under hazardous conditions: shown for information, not counted as child "
        "labour (this definition lists no hazardous conditions)."
    )
    assert info in _notes(sdg_book["PR.3.3"])
    pr34 = _notes(sdg_book["PR.3.4"])
    assert info in pr34
    assert (
        "Hazardous conditions: not counted (this definition lists no hazardous conditions), "
        "so zero by definition."
    ) in pr34
    assert (
        "Hazardous industry: not counted (this definition lists no hazardous industries), so "
        "zero by definition."
    ) in pr34
    mics = _workbook(labelled, tmp_path, "mics6-2017")  # counts conditions
    assert not any("hazardous conditions" in note for note in _notes(mics["PR.3.4"]))
    ilo = _workbook(labelled, tmp_path, "ilo-global-estimates")  # lists industries: no variable
    assert (
        "Hazardous industry: not measured (the survey has no industry variable), so zero."
    ) in _notes(ilo["PR.3.4"])
    assert (
        "Household chores at or above the age-specific threshold: not counted (this definition "
        "does not count household chores), so zero by definition."
    ) in _notes(ilo["PR.3.2"])


def test_unknown_hours_are_counted_and_said(sdg_book: Any, synth_survey: pl.DataFrame) -> None:
    """The footnote's number is the children (completed, positive weight, 5-17) who reported
    an activity whose hours are a "don't know" code, counted here from the raw variables."""
    unknown = [97, 98, 99]

    def reported(flags: list[str], hours: str) -> pl.Expr:
        return pl.any_horizontal(pl.col(f) == 1 for f in flags) & pl.col(hours).is_in(unknown)

    chores = [f"CL11{item}" for item in "ABCDEFX"]
    used = synth_survey.filter((pl.col("FS17") == 1) & (pl.col("fsweight") > 0))
    expected = used.filter(
        pl.col("CB3").is_between(5, 17)
        & (
            reported(["CL1A", "CL1B", "CL1C", "CL1X"], "CL3")
            | reported(chores, "CL13")
            | reported(["CL7"], "CL8")
            | reported(["CL9"], "CL10")
        )
    ).height
    assert expected > 10
    sentence = (
        f"{expected:,} children reported an activity with unknown hours; counted as not "
        "reaching the threshold, as MICS does."
    )
    for table in ("SDG-8.7.1", "PR.3.1", "PR.3.2", "PR.3.3", "PR.3.4"):
        assert sentence in _notes(sdg_book[table]), table


def test_normalised_weights(labelled: Path, tmp_path: Path) -> None:
    """Weights scaled to sum to the cases: the numbers of children are sample counts, every
    share and standard error is unchanged, and each table says so."""
    mapped = open_mapped(labelled, "mics6")
    profile = load_profile("sdg-8.7.1")
    plain = standard_tables(mapped, profile)
    normalised = standard_tables(mapped, profile, normalise=True)
    for column in ("estimate", "se", "ci_low", "ci_high", "df", "deff", "n_unweighted"):
        assert normalised[column].to_list() == pytest.approx(
            plain[column].to_list(), rel=1e-12, nan_ok=True
        )
    cases = mapped.report.rows_used
    total = normalised.filter((pl.col("table") == "SDG-8.7.1") & (pl.col("by") == "total"))
    assert total["n_weighted"].to_list() == pytest.approx([cases] * total.height, rel=1e-12)
    scale = cases / plain.filter(pl.col("by") == "total")["n_weighted"][0]
    assert normalised["n_weighted"].to_list() == pytest.approx(
        (plain["n_weighted"] * scale).to_list(), rel=1e-12
    )
    book = _workbook(labelled, tmp_path, "sdg-8.7.1", normalise=True)
    sentence = (
        f"Weights normalised to sum to the number of cases ({cases:,}), as MICS tabulations do: "
        "the numbers of children are sample counts, not population totals."
    )
    assert sentence in _notes(book["PR.3.1"])
    total_row = next(r for r in book["PR.3.1"].iter_rows(values_only=True) if r[0] == "Total")
    assert total_row[-2:] == (cases, cases)
    plain_book = _workbook(labelled, tmp_path, "sdg-8.7.1")
    assert not any("normalised" in note for note in _notes(plain_book["PR.3.1"]))

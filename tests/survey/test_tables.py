"""The standard table set: its tables, their rows and columns, and agreement with estimates."""

from __future__ import annotations

from pathlib import Path

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

"""The mics6 map on synthetic MICS6 files: what it maps, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.errors import DataError
from ipec.survey.mapping import map_survey
from ipec.survey.maps import load_map
from ipec.survey.readers import open_survey


def _mapped(path: Path):  # type: ignore[no-untyped-def]
    return map_survey(open_survey(path), load_map("mics6"))


def _write(tmp_path: Path, frame: pl.DataFrame, name: str = "s.parquet") -> Path:
    path = tmp_path / name
    frame.write_parquet(path) if name.endswith(".parquet") else frame.write_csv(path)
    return path


def test_canonical_record_and_domains(synth_file: Path, synth_survey: pl.DataFrame) -> None:
    mapped = _mapped(synth_file)
    frame = mapped.frame.collect()
    completed = synth_survey.filter(pl.col("FS17") == 1)
    assert frame.height == completed.height
    assert mapped.report.rows_not_completed == synth_survey.height - completed.height
    assert mapped.domains["sex"] == ("male", "female")
    assert mapped.domains["age_group"] == ("5-11", "12-14", "15-17")
    assert mapped.domains["region"] == tuple(str(i) for i in range(1, 11))
    assert mapped.design.strata == "_stratum"
    econ = completed.select(
        pl.any_horizontal(pl.col(c) == 1 for c in ("CL1A", "CL1B", "CL1C", "CL1X")).fill_null(
            value=False
        )
    ).to_series()
    assert frame["econ_any"].to_list() == econ.to_list()
    unknown = completed["CL3"] == 98
    assert frame.filter(unknown.fill_null(value=False))["econ_hours"].null_count() == int(
        unknown.sum()
    )
    assert "ethnicity" in mapped.report.missing


def test_psu_found_under_either_spelling(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    frame = synth_survey.drop("PSU").rename({"stratum": "STRATUM"})
    mapped = _mapped(_write(tmp_path, frame))
    assert mapped.design.psu == "_psu"
    assert mapped.design.strata == "_stratum"


def test_absent_stratum_warns_and_uses_psus_only(
    tmp_path: Path, synth_survey: pl.DataFrame
) -> None:
    mapped = _mapped(_write(tmp_path, synth_survey.drop("stratum")))
    assert mapped.design.strata is None
    assert any("PSUs only" in warning for warning in mapped.report.warnings)


def test_zero_weights_are_excluded(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    frame = synth_survey.with_columns(
        pl.when(pl.int_range(pl.len()) < 10)
        .then(0.0)
        .otherwise(pl.col("fsweight"))
        .alias("fsweight")
    )
    mapped = _mapped(_write(tmp_path, frame))
    completed_zero = frame.head(10).filter(pl.col("FS17") == 1).height
    assert completed_zero > 0
    assert mapped.report.rows_zero_weight == completed_zero
    kept = mapped.frame.collect()
    assert kept.filter(pl.col("_file_row") < 10).height == 0
    assert kept.height == frame.filter(pl.col("FS17") == 1).height - completed_zero


def _broken(
    synth_survey: pl.DataFrame, column: str, value: object, rows: list[int]
) -> pl.DataFrame:
    index = pl.int_range(pl.len())
    return synth_survey.with_columns(FS17=pl.lit(1, dtype=pl.Int8)).with_columns(
        pl.when(index.is_in(rows)).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("CL3", -3, "hours must lie between 0 and 168"),
        ("CL13", 170, "hours must lie between 0 and 168"),
        ("fsweight", None, "weight is missing"),
        ("fsweight", -1.0, "weight is negative"),
        ("stratum", None, "PSU without stratum"),
        ("PSU", None, "PSU is missing"),
        ("CB3", None, "age is missing"),
        ("CB3", 7.5, "age is not a whole number"),
    ],
)
def test_bad_values_name_file_variable_and_rows(
    tmp_path: Path, synth_survey: pl.DataFrame, column: str, value: object, message: str
) -> None:
    path = _write(tmp_path, _broken(synth_survey, column, value, [3, 8]))
    with pytest.raises(DataError) as caught:
        _mapped(path)
    text = caught.value.one_line()
    assert text.startswith(f"{path}: column '{column}': rows 4, 9: {message}")
    assert "fix:" in text


def test_non_numeric_codes(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    frame = synth_survey.with_columns(
        pl.col("CL1A").cast(pl.String).fill_null("").replace({"1": "yes"})
    )
    path = _write(tmp_path, frame)
    with pytest.raises(DataError) as caught:
        _mapped(path)
    assert "column 'CL1A'" in caught.value.one_line()
    assert "codes must be numbers" in caught.value.one_line()


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("fsweight", "weight variable not found (looked for fsweight)"),
        ("CB3", "variable CB3 (age) not found"),
        ("CL3", "variable CL3 (econ_hours) not found"),
        ("FS17", "variable FS17 (completed interviews) not found"),
    ],
)
def test_missing_mapped_variable(
    tmp_path: Path, synth_survey: pl.DataFrame, drop: str, message: str
) -> None:
    path = _write(tmp_path, synth_survey.drop(drop))
    with pytest.raises(DataError) as caught:
        _mapped(path)
    assert caught.value.one_line().startswith(f"{path}: {message}")


def test_no_cluster_variable(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    path = _write(tmp_path, synth_survey.drop("PSU", "HH1"))
    with pytest.raises(DataError, match=r"cluster \(PSU\) variable not found"):
        _mapped(path)


def test_unlabelled_domain_codes_are_reported(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    frame = synth_survey.with_columns(
        pl.when(pl.int_range(pl.len()) < 5)
        .then(9)
        .otherwise(pl.col("HL4"))
        .cast(pl.Int8)
        .alias("HL4")
    )
    mapped = _mapped(_write(tmp_path, frame))
    unlabelled = frame.head(5).filter(pl.col("FS17") == 1).height
    assert f"sex: {unlabelled} rows of HL4 hold codes with no label" in " ".join(
        mapped.report.warnings
    )
    assert mapped.frame.collect()["sex"].null_count() == unlabelled


def test_flag_codes_outside_yes_no_and_no_response(
    tmp_path: Path, synth_survey: pl.DataFrame
) -> None:
    path = _write(tmp_path, _broken(synth_survey, "CL1A", 7, [2, 6]))
    with pytest.raises(DataError) as caught:
        _mapped(path)
    text = caught.value.one_line()
    assert text.startswith(f"{path}: column 'CL1A': rows 3, 7: codes other than 1, 2, 9")


def test_numeric_industry_codes_from_stata(tmp_path: Path) -> None:
    import pyreadstat

    from ipec.standards import load_profile
    from ipec.survey.analysis import classify_survey

    sample = Path(__file__).parents[2] / "examples" / "lfs-sample.csv"
    frame = pl.read_csv(sample, infer_schema_length=None)
    frame = frame.with_columns(pl.col("isic4").cast(pl.Int64))
    path = tmp_path / "lfs.dta"
    pyreadstat.write_dta(frame, str(path))
    survey_map = Path(__file__).parents[2] / "examples" / "maps" / "lfs-example.toml"
    mapped = map_survey(open_survey(path), load_map(str(survey_map)))
    classified = classify_survey(mapped, load_profile("ilo-global-estimates")).collect()
    mining = classified.filter(pl.col("isic") == "0510")
    assert mining.height > 0
    assert mining.filter(pl.col("in_scope"))["reason_haz_industry"].all()

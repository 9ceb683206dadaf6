"""``ipec survey estimate --variable/--ratio``: a file's own variables with the map's two-stage
design, against R survey 4.1.1 (``reference/designs/make_designs.R``, case
``twostage_variables``: svyciprop xlogit, svymean, svytotal, svyratio with na.rm)."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.errors import DataError
from ipec.survey.variables import parse_ratio, parse_variable

REF = Path(__file__).parent / "reference" / "designs"
MAP = (REF / "map.toml").read_text(encoding="utf-8") + (
    'psu = "psu"\nstrata = "stratum"\nfpc = "fpc1"\npsu2 = "ssu"\nfpc2 = "fpc2"\n'
)
# R's names of the same estimates
R_NAMES = {"attends=1": "attends=1", "hours": "hrs", "hours:total": "hrs:total",
           "hours/age": "hrs/age"}  # fmt: skip


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    folder = tmp_path_factory.mktemp("variables")
    survey_map = folder / "map.toml"
    survey_map.write_text(MAP, encoding="utf-8")
    out = folder / "out.csv"
    code = run(["survey", "estimate", str(REF / "twostage.csv"), "--map", str(survey_map),
                "--variable", "attends=1", "--variable", "hours", "--variable", "hours:total",
                "--ratio", "hours/age", "--missing", "99", "--by", "sex,region",
                "--ci", "xlogit", "-o", str(out)])  # fmt: skip
    assert code == 0
    return pl.read_csv(out, schema_overrides={"level": pl.String})


def test_file_variables_match_r(ours: pl.DataFrame) -> None:
    reference = pl.read_csv(REF / "results.csv", schema_overrides={"level": pl.String})
    expected = reference.filter(pl.col("case") == "twostage_variables").with_columns(
        pl.col("value").str.strip_chars().cast(pl.Float64)
    )
    column = {"estimate": "estimate", "se": "se", "df": "df", "xlogit_low": "ci_low",
              "xlogit_high": "ci_high", "wald_low": "ci_low", "wald_high": "ci_high"}  # fmt: skip
    checked = 0
    for ours_name, r_name in R_NAMES.items():
        for by, level, stat, value in (
            expected.filter(pl.col("indicator") == r_name)
            .select("by", "level", "stat", "value").rows()
        ):  # fmt: skip
            row = ours.filter(
                (pl.col("by") == by) & (pl.col("level") == level)
                & (pl.col("indicator") == ours_name)
            )  # fmt: skip
            got = row[column[stat]][0]
            if math.isnan(value):  # R gives no interval where df is 0
                assert math.isnan(got), (ours_name, by, level, stat)
            else:
                assert got == pytest.approx(value, rel=1e-12, abs=1e-14), (
                    ours_name, by, level, stat, got, value
                )  # fmt: skip
            checked += 1
    assert checked == 6 * (5 + 4 + 2 + 2)
    assert set(ours["kind"]) == {"proportion", "mean", "total", "ratio"}


def test_requests_are_parsed_or_refused() -> None:
    assert parse_variable("CB7=1").label == "CB7=1"
    assert parse_variable(" hours ").kind == "auto"
    assert parse_ratio("a/b").variables == ("a", "b")
    with pytest.raises(DataError, match="unknown kind 'median'"):
        parse_variable("hours:median")
    with pytest.raises(DataError, match="the code 'x' is not a number"):
        parse_variable("CB7=x")
    with pytest.raises(DataError, match="write NUMERATOR/DENOMINATOR"):
        parse_ratio("hours")
    with pytest.raises(DataError, match="names no variable"):
        parse_ratio("/age")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--variable", "nope"], "variable nope not found"),
        (["--variable", "hours:proportion"], "hours holds values other than 0 and 1"),
        (["--variable", "hours", "-p", "sdg-8.7.1"], "give one or the other"),
        ([], "give --profile (the child labour indicators) or --variable/--ratio"),
        (["--variable", "hours", "--missing", "9x"], "--missing '9x': give numbers"),
    ],
)
def test_bad_requests_are_refused(
    tmp_path: Path, options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    survey_map = tmp_path / "map.toml"
    survey_map.write_text(MAP, encoding="utf-8")
    out = tmp_path / "out.csv"
    code = run(["survey", "estimate", str(REF / "twostage.csv"), "--map", str(survey_map),
                "--by", "sex", "-o", str(out), *options])  # fmt: skip
    assert code != 0
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_zero_denominator_is_flagged(tmp_path: Path) -> None:
    data = pl.read_csv(REF / "twostage.csv").with_columns(
        pl.when(pl.col("region") == 3).then(0).otherwise(pl.col("age")).alias("age_or_zero")
    )
    path = tmp_path / "zero.csv"
    data.write_csv(path)
    survey_map = tmp_path / "map.toml"
    survey_map.write_text(MAP, encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run(["survey", "estimate", str(path), "--map", str(survey_map), "--ratio",
                "econ/age_or_zero", "--by", "region", "-o", str(out)]) == 0  # fmt: skip
    result = pl.read_csv(out, schema_overrides={"level": pl.String})
    region3 = result.filter(pl.col("level") == "3")
    assert "the denominator's total is zero in this domain" in region3["flag"][0]
    assert "zero" not in (result.filter(pl.col("level") == "1")["flag"][0] or "")


def test_quartiles_match_r(tmp_path: Path) -> None:
    """``NAME:quantiles`` against R svyquantile (interval.type "mean", qrule "math")."""
    survey_map = tmp_path / "map.toml"
    survey_map.write_text(MAP, encoding="utf-8")
    out = tmp_path / "q.csv"
    assert run(["survey", "estimate", str(REF / "twostage.csv"), "--map", str(survey_map),
                "--variable", "hours:quantiles", "--missing", "99", "--by", "sex",
                "-o", str(out)]) == 0  # fmt: skip
    ours = pl.read_csv(out, schema_overrides={"level": pl.String})
    reference = pl.read_csv(REF / "results.csv", schema_overrides={"level": pl.String})
    expected = reference.filter(pl.col("case") == "twostage_quantiles").with_columns(
        pl.col("value").str.strip_chars().cast(pl.Float64)
    )
    assert expected.height == 3 * 3 * 4
    for by, level, name, stat, value in expected.select(
        "by", "level", "indicator", "stat", "value"
    ).rows():
        row = ours.filter(
            (pl.col("by") == by) & (pl.col("level") == level) & (pl.col("indicator") == name)
        )
        got = row[stat][0]
        if math.isnan(value):
            assert math.isnan(got), (by, level, name, stat)
        else:
            assert got == pytest.approx(value, rel=1e-12), (by, level, name, stat, got, value)
    assert set(ours["kind"]) == {"quantile"}


def test_calibrated_estimates_from_the_command_line(tmp_path: Path) -> None:
    """--calibrate post-stratifies on one variable: the weighted count meets the population
    totals, and the estimates are the library's calibrated ones (checked against R's
    postStratify in test_calibrate.py)."""
    from ipec.survey import PostStratify, calibrated_estimate
    from ipec.survey.indicators import Mean
    from ipec.survey.pipeline import open_mapped

    survey_map = tmp_path / "map.toml"
    survey_map.write_text(MAP, encoding="utf-8")
    totals = tmp_path / "totals.csv"
    totals.write_text("variable,level,total\nsex,1,400\nsex,2,350\n", encoding="utf-8")
    out = tmp_path / "cal.csv"
    assert run(["survey", "estimate", str(REF / "twostage.csv"), "--map", str(survey_map),
                "--variable", "age", "--calibrate", str(totals), "--by", "sex",
                "-o", str(out)]) == 0  # fmt: skip
    ours = pl.read_csv(out, schema_overrides={"level": pl.String})
    assert ours["n_weighted"].to_list() == pytest.approx([750.0, 400.0, 350.0], rel=1e-12)
    mapped = open_mapped(REF / "twostage.csv", str(survey_map), variables=["age", "sex"])
    frame = mapped.frame.collect().with_columns(pl.col("var:sex").cast(pl.Int64))
    library = calibrated_estimate(
        frame, mapped.design, Mean("var:age"), calibration=PostStratify("var:sex", {1: 400, 2: 350})
    ).to_polars()
    assert ours["estimate"][0] == pytest.approx(library["estimate"][0], rel=1e-13)
    assert ours["se"][0] == pytest.approx(library["se"][0], rel=1e-13)
    plain = tmp_path / "plain.csv"
    assert run(["survey", "estimate", str(REF / "twostage.csv"), "--map", str(survey_map),
                "--variable", "age", "--by", "sex", "-o", str(plain)]) == 0  # fmt: skip
    assert pl.read_csv(plain)["se"][0] != pytest.approx(ours["se"][0], rel=1e-6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("variable,level\nsex,1\n", "the totals file has no column total"),
        ("variable,level,total\nsex,1.5,10\n", "line 2: needs a variable, a whole-number level"),
        ("variable,level,total\nsex,1,10\nsex,1,12\n", "line 3: sex level 1 is given twice"),
        ("variable,level,total\nsex,1,400\n", "sex"),
    ],
)
def test_bad_totals_are_refused(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    survey_map = tmp_path / "map.toml"
    survey_map.write_text(MAP, encoding="utf-8")
    totals = tmp_path / "totals.csv"
    totals.write_text(content, encoding="utf-8")
    out = tmp_path / "cal.csv"
    assert run(["survey", "estimate", str(REF / "twostage.csv"), "--map", str(survey_map),
                "--variable", "age", "--calibrate", str(totals), "--by", "sex",
                "-o", str(out)]) != 0  # fmt: skip
    assert message in capsys.readouterr().err
    assert not out.exists()

"""Several surveys pooled in one run: strata nested within survey, weights rescaled per
survey, estimates by survey and pooled, checked against R ``survey`` on the same pooled
design (``reference/pooled/make_pooled.R``: three countries sharing stratum and cluster
codes, weights on different scales); and what cannot be pooled is refused."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.errors import DataError
from ipec.survey.analysis import EstimateOptions
from ipec.survey.pipeline import open_mapped
from ipec.survey.pooling import Pooling, Rescale, parse_populations
from ipec.survey.variables import estimate_variables, parse_variable

REF = Path(__file__).parent / "reference" / "pooled"
DATA, MAP = REF / "pooled.csv", str(REF / "pooled.toml")
POPULATIONS = {"A": 2_500_000.0, "B": 800_000.0, "C": 1_200_000.0}
INDICATORS = {"worked_7d=1": "worked", "hrs_work:mean": "hrs_work"}


def _r(case: str) -> dict[tuple[str, str, str, str], float]:
    rows = pl.read_csv(REF / "results.csv").filter(pl.col("case") == case)
    return {
        (r["by"], r["level"], r["indicator"], r["stat"]): float(r["value"])
        for r in rows.iter_rows(named=True)
    }


def _pooled(case: Rescale, path: Path | str = DATA, *, streaming: bool = False) -> pl.DataFrame:
    pool = Pooling("country", case, POPULATIONS if case == "population" else {})
    requests = [parse_variable(text) for text in INDICATORS]
    mapped = open_mapped(path, MAP, variables=["worked_7d", "hrs_work"], pool=pool,
                         streaming=streaming)  # fmt: skip
    assert mapped.domains["survey"] == ("A", "B", "C")
    return estimate_variables(mapped, requests, by=[("survey",)], missing_codes=[9],
                              options=EstimateOptions(df="domain"))  # fmt: skip


@pytest.mark.parametrize("case", ["none", "sample", "population"])
def test_pooled_estimates_equal_r(case: Rescale) -> None:
    expected = _r(case)
    result = _pooled(case)
    assert result.height == 8  # (total + 3 surveys) x 2 indicators
    for row in result.iter_rows(named=True):
        name = next(short for text, short in INDICATORS.items() if row["indicator"] == text)
        key = (row["by"], row["level"], name)
        assert row["estimate"] == pytest.approx(expected[(*key, "estimate")], rel=1e-12)
        assert row["se"] == pytest.approx(expected[(*key, "se")], rel=1e-10)
        assert row["df"] == expected[(*key, "df")]


def test_rescaling_changes_the_pooled_figure_not_a_survey_s() -> None:
    figures = {case: _pooled(case) for case in ("none", "sample", "population")}
    share = {
        case: dict(zip(frame["level"], frame["estimate"], strict=True))
        for case, frame in figures.items()
    }
    for level in ("A", "B", "C"):
        assert share["none"][level] == pytest.approx(share["sample"][level], rel=1e-12)
    # C's weights are a thousand times B's: unscaled, C dominates the pooled share
    assert abs(share["none"]["total"] - share["sample"]["total"]) > 0.01


def test_pooled_streaming_equals_in_memory(tmp_path: Path) -> None:
    parquet = tmp_path / "pooled.parquet"
    pl.read_csv(DATA).write_parquet(parquet)
    whole = _pooled("population", parquet)
    assert _pooled("population", parquet, streaming=True).equals(whole)


def test_the_weights_are_rescaled_as_stated() -> None:
    pool = Pooling("country", "population", POPULATIONS)
    mapped = open_mapped(DATA, MAP, pool=pool)
    sums = mapped.frame.group_by("survey").agg(pl.col("_weight").sum()).collect()
    levels = mapped.domains["survey"]
    found = {levels[code]: total for code, total in sums.iter_rows()}
    assert found == pytest.approx(POPULATIONS, rel=1e-12)
    surveys = mapped.report.pooled["surveys"]
    assert surveys["B"]["rescaled_weights"] == pytest.approx(800_000.0)
    assert _r("population")[("total", "total", "weights", "sum")] == pytest.approx(
        sum(POPULATIONS.values())
    )


def test_the_command_line_pools(tmp_path: Path) -> None:
    out = tmp_path / "pooled.csv"
    code = run(["survey", "estimate", str(DATA), "--map", MAP, "--variable", "worked_7d=1",
                "--missing", "9", "--by", "survey", "--survey-id", "country",
                "--rescale-weights", "population", "--survey-population", "A=2500000",
                "--survey-population", "B=800000", "--survey-population", "C=1200000",
                "-o", str(out)])  # fmt: skip
    assert code == 0
    result = pl.read_csv(out)
    expected = _r("population")
    total = result.filter(pl.col("by") == "total")["estimate"].item()
    assert total == pytest.approx(expected[("total", "total", "worked", "estimate")], rel=1e-12)
    assert result.filter(pl.col("by") == "survey")["level"].to_list() == ["A", "B", "C"]


def test_the_tables_have_a_row_per_survey(tmp_path: Path) -> None:
    out = tmp_path / "tables.csv"
    code = run(["survey", "tables", str(DATA), "--map", MAP, "-p", "sdg-8.7.1-econ",
                "--survey-id", "country", "--rescale-weights", "sample", "-o", str(out),
                "--lonely-psu", "adjust"])  # fmt: skip
    assert code == 0
    tables = pl.read_csv(out)
    rows = tables.filter((pl.col("table") == "PR.3.3") & (pl.col("by") == "survey"))
    assert sorted(set(rows["level"])) == ["A", "B", "C"]


def test_what_cannot_be_pooled_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="variable nation not found"):
        open_mapped(DATA, MAP, pool=Pooling("nation"))
    blank = tmp_path / "blank.csv"
    pl.read_csv(DATA).with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("country"))
        .alias("country")
    ).write_csv(blank)  # fmt: skip
    with pytest.raises(DataError, match="survey identifier is missing"):
        open_mapped(blank, MAP, pool=Pooling("country"))
    with pytest.raises(DataError, match="no population for C; no survey D in the data"):
        open_mapped(DATA, MAP, pool=Pooling("country", "population",
                                            {"A": 1.0, "B": 2.0, "D": 3.0}))  # fmt: skip
    with pytest.raises(DataError, match="needs each survey's population"):
        Pooling("country", "population")
    with pytest.raises(DataError, match="give ID=N"):
        parse_populations(["A=-3"])


def test_pooling_options_need_a_survey_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["survey", "estimate", str(DATA), "--map", MAP, "--variable", "age",
                "--rescale-weights", "sample", "-o", str(tmp_path / "x.csv")])  # fmt: skip
    assert code == 1
    assert "go with --survey-id" in capsys.readouterr().err


def test_a_hive_dataset_of_surveys(tmp_path: Path) -> None:
    """``country=A/...``: the partition column is the survey identifier. Read as one survey,
    the clusters that share codes across partitions are merged, which a warning says."""
    data = pl.read_csv(DATA)
    for (country,), rows in data.group_by("country"):
        folder = tmp_path / "surveys" / f"country={country}"
        folder.mkdir(parents=True)
        rows.drop("country").write_parquet(folder / "part-0.parquet")
    dataset = tmp_path / "surveys"
    merged = open_mapped(dataset, MAP)
    assert any("pool them with --survey-id country" in w for w in merged.report.warnings)
    pooled = open_mapped(dataset, MAP, pool=Pooling("country"))
    assert not any("--survey-id" in w for w in pooled.report.warnings)
    assert _pooled("sample", dataset).equals(_pooled("sample"))

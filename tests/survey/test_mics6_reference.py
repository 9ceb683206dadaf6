"""Two real MICS6 files through the public CLI, against UNICEF's definitions run in R survey.

References: ../shared/reference/mics6/ref_{ghana,zimbabwe}.csv (UNICEF MICS6 definitions applied
per child, then R survey 4.1.1 svymean / svyciprop(method="logit") with design
ids=~PSU, strata=~stratum, weights=~fsweight over completed interviews with weight > 0).
The microdata (../shared/mics6) are public UNICEF files that may not be committed: these tests
skip with a reason when ../shared is absent.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run

# reference indicator -> (profile, ipec indicator)
INDICATORS = {
    "cl_sdg": ("sdg-8.7.1", "child_labour"),
    "cl_econ_only": ("sdg-8.7.1-econ", "child_labour"),
    "cl_mics6_2017": ("mics6-2017", "child_labour"),
    "ea_more": ("sdg-8.7.1", "economic_above_threshold"),
    "hhc_more": ("sdg-8.7.1", "chores_above_threshold"),
    "haz": ("mics6-2017", "any_hazardous_condition"),
}
LEVELS = {"sex": {"1": "male", "2": "female"}, "area": {"1": "urban", "2": "rural"}}
BY = {"total": "total", "sex": "sex", "area": "area", "agegrp": "age_group"}


def _relative(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return ((a - b).abs() / pl.max_horizontal(b.abs(), pl.lit(1e-300))).max()


@pytest.mark.parametrize("country", ["ghana", "zimbabwe"])
def test_every_reference_value_through_the_cli(country: str, shared: Path, tmp_path: Path) -> None:
    data = shared / "mics6" / f"fs_{country}.dta"
    reference = pl.read_csv(
        shared / "reference" / "mics6" / f"ref_{country}.csv", infer_schema_length=None
    ).with_columns(pl.col("level").cast(pl.String))
    produced = []
    for profile in sorted({p for p, _ in INDICATORS.values()}):
        output = tmp_path / f"{profile}.csv"
        wanted = sorted({ind for p, ind in INDICATORS.values() if p == profile})
        code = run(["survey", "estimate", str(data), "--map", "mics6", "--profile", profile,
                    "--by", "sex,age_group,area", "--indicators", ",".join(wanted),
                    "-o", str(output)])  # fmt: skip
        assert code == 0
        produced.append(pl.read_csv(output, infer_schema_length=None))
    ours = pl.concat(produced, how="vertical_relaxed")
    rows = []
    for name, (profile, indicator) in INDICATORS.items():
        part = reference.filter(pl.col("indicator") == name).with_columns(
            by=pl.col("domain").replace_strict(BY),
            level=pl.when(pl.col("domain") == "sex")
            .then(pl.col("level").replace(LEVELS["sex"]))
            .when(pl.col("domain") == "area")
            .then(pl.col("level").replace(LEVELS["area"]))
            .otherwise(pl.col("level")),
            profile=pl.lit(profile),
            ours_indicator=pl.lit(indicator),
        )
        rows.append(part)
    expected = pl.concat(rows)
    joined = expected.join(
        ours,
        left_on=["profile", "ours_indicator", "by", "level"],
        right_on=["profile", "indicator", "by", "level"],
        how="left",
        suffix="_ipec",
    )
    assert joined.height == reference.height == 48
    assert joined["estimate_ipec"].null_count() == 0
    nonzero = joined.filter(pl.col("estimate") > 0)
    summary = nonzero.select(
        _relative(pl.col("estimate_ipec"), pl.col("estimate")).alias("estimate"),
        _relative(pl.col("se_ipec"), pl.col("se")).alias("se"),
    ).row(0, named=True)
    assert summary["estimate"] < 1e-10
    assert summary["se"] < 1e-10
    zero = joined.filter(pl.col("estimate") == 0)
    assert (zero["estimate_ipec"] == 0).all()
    assert (zero["se_ipec"].abs() < 1e-15).all()
    assert (joined["df_ipec"] == joined["df"]).all()
    assert (joined["n_unweighted_ipec"] == joined["n_unweighted"]).all()
    assert (
        (joined["n_weighted_ipec"] - joined["n_weighted"]).abs() / joined["n_weighted"] < 1e-12
    ).all()
    interior = joined.filter(pl.col("estimate").is_between(0.001, 0.999))
    logit = interior.select(
        _relative(pl.col("ci_low"), pl.col("ci_logit_low")).alias("low"),
        _relative(pl.col("ci_high"), pl.col("ci_logit_high")).alias("high"),
    ).row(0, named=True)
    assert logit["low"] < 1e-6
    assert logit["high"] < 1e-6

"""Design-based quantiles against R survey 4.1.1 ``svyquantile`` (reference/quantiles/).

R's default interval (``interval.type = "mean"``, Woodruff) is closed form: a t interval for
the mean of ``x <= q`` inverted through the quantile rule, with no iteration, so estimates,
interval ends and SEs are all compared at rel 1e-12 (the SE, a difference of two interval ends
divided by 2 qt, loses a few digits to cancellation and still agrees to ~1e-13).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ipec.errors import DataError, DesignError
from ipec.survey import DomainSpec, Mean, ReplicateDesign, SurveyDesign, estimate, quantiles

REF_DIR = Path(__file__).parent / "reference" / "quantiles"
REL = 1e-12
PROBS = (0.1, 0.25, 0.5, 0.75, 0.9)
QRULES = ("math", "hf7", "school")
CASES = {
    "clus": ("sex", "grp", ("sex", "grp")),
    "strat": ("sex",),
    "rep_jkn": ("sex", "grp"),
    "rep_boot": ("sex", "grp"),
}
STATS = ("estimate", "ci_low", "ci_high", "se", "df", "n")


@pytest.fixture(scope="module")
def r_quantiles(read_r_results: Callable[[Path], pl.DataFrame]) -> pl.DataFrame:
    """R's results: case, by, level, qrule, quantile, stat, value (17 significant digits)."""
    return read_r_results(REF_DIR / "results.csv").with_columns(pl.col("quantile").cast(pl.Float64))


def _data(case: str) -> pl.DataFrame:
    return pl.read_csv(REF_DIR / f"{case}.csv", null_values=[""])


def _design(case: str, data: pl.DataFrame, r: pl.DataFrame) -> SurveyDesign | ReplicateDesign:
    if case == "clus":
        return SurveyDesign("w", strata="stratum", psu="psu", fpc="fpc")
    if case == "strat":
        return SurveyDesign("w", strata="stratum")
    meta = r.filter(pl.col("case") == case, pl.col("by") == "")
    stat = dict(zip(meta["stat"], meta["value"], strict=True))
    reps = [c for c in data.columns if c.startswith("rep")]
    return ReplicateDesign(
        "w",
        reps,
        "JKn" if case == "rep_jkn" else "bootstrap",
        scale=stat["scale"],
        rscales=[stat[f"rscale{i + 1}"] for i in range(len(reps))],
        mse=bool(stat["mse"]),
    )


@pytest.mark.parametrize("qrule", QRULES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_r_svyquantile(case: str, qrule: str, r_quantiles: pl.DataFrame) -> None:
    data = _data(case)
    design = _design(case, data, r_quantiles)
    ours = quantiles(data, design, "y", PROBS, by=list(CASES[case]), qrule=qrule)  # type: ignore[arg-type]
    ref = (
        r_quantiles.filter(pl.col("case") == case, pl.col("qrule") == qrule)
        .pivot("stat", index=["by", "level", "quantile"], values="value")
        .rename({s: f"r_{s}" for s in STATS})
    )
    if qrule == "hf7":  # R's hf7 stops on a one-row domain (approx() needs two points)
        assert ours.height - ref.height == (ours["n_unweighted"] == 1).sum()
        ours = ours.filter(pl.col("n_unweighted") > 1)
    joined = ref.join(ours, on=["by", "level", "quantile"], how="full", coalesce=True)
    # the same domains and probabilities on both sides
    assert joined.height == ref.height == ours.height
    ours_stats = {"n": "n_unweighted"}
    for stat in STATS:
        want = joined[f"r_{stat}"].to_numpy()
        got = joined[ours_stats.get(stat, stat)].to_numpy().astype(np.float64)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=stat)
        ok = ~np.isnan(want)
        if stat in ("df", "n"):
            np.testing.assert_array_equal(got[ok], want[ok], err_msg=stat)
        else:
            np.testing.assert_allclose(got[ok], want[ok], rtol=REL, atol=0, err_msg=stat)
    # the reference exercises what it should: finite intervals, and R's NaN ends
    assert np.isfinite(joined["ci_low"].to_numpy()).sum() >= 10
    if case == "clus":
        assert np.isnan(joined["ci_low"].to_numpy()).any()


def test_reference_covers_edge_cases(r_quantiles: pl.DataFrame) -> None:
    """The 2-row domain (40, 41) gets R's math-rule answer 41 at p = 0.1, where the weight of
    the first value alone exceeds p (R returns the second value), and the equal-weight design
    hits p * total exactly, where 'math' and 'school' part."""
    data = _data("clus")
    design = SurveyDesign("w", strata="stratum", psu="psu", fpc="fpc")
    tiny = quantiles(data, design, "y", (0.1,), by="grp", overall=False).filter(
        pl.col("level") == "tiny"
    )
    assert tiny["estimate"].to_list() == [41.0]
    assert tiny["df"].to_list() == [0.0]
    assert np.isnan(tiny["se"].to_numpy()).all()
    strat = _data("strat")
    sdesign = SurveyDesign("w", strata="stratum")
    math = quantiles(strat, sdesign, "y", PROBS, by="sex")["estimate"].to_numpy()
    school = quantiles(strat, sdesign, "y", PROBS, by="sex", qrule="school")["estimate"]
    assert (math != school.to_numpy()).any()


@pytest.mark.parametrize("case", ["clus", "rep_jkn"])
def test_domain_equals_zero_weight_subset(case: str, r_quantiles: pl.DataFrame) -> None:
    """A domain's row equals the whole-sample row of the same design with every weight outside
    the domain set to zero (R's subset(): the rows stay in the design)."""
    data = _data(case)
    design = _design(case, data, r_quantiles)
    weights = (
        [design.weight, *design.replicates]
        if isinstance(design, ReplicateDesign)
        else [design.weight]
    )
    for qrule in QRULES:
        by_sex = quantiles(data, design, "y", PROBS, by="sex", overall=False, qrule=qrule)  # type: ignore[arg-type]
        for level in ("female", "male"):
            inside = pl.col("sex") == level
            zeroed = data.with_columns(
                pl.when(inside).then(pl.col(w)).otherwise(0.0).alias(w) for w in weights
            )
            whole = quantiles(zeroed, design, "y", PROBS, qrule=qrule)  # type: ignore[arg-type]
            dom = by_sex.filter(pl.col("level") == level)
            for col in ("estimate", "se", "ci_low", "ci_high", "df"):
                np.testing.assert_allclose(
                    whole[col].to_numpy(), dom[col].to_numpy(), rtol=1e-12, err_msg=col
                )
            # n_unweighted counts the domain's rows with a value, zero weights or not
            assert (
                whole["n_unweighted"][0]
                == data.filter(inside)["y"].count() + data.filter(~inside)["y"].count()
            )


def test_levels_as_estimate_and_lazy_frames() -> None:
    """Domain labels (integer, boolean and crossed columns) are those of estimate(); a
    LazyFrame gives the same result as the DataFrame."""
    data = _data("clus").with_columns(
        (pl.col("psu") % 2 == 0).alias("even"), pl.col("stratum").alias("region")
    )
    design = SurveyDesign("w", strata="stratum", psu="psu", fpc="fpc")
    by: list[DomainSpec] = ["region", "even", ("sex", "even")]
    ours = quantiles(data, design, "y", (0.5,), by=by)
    est = estimate(data, design, Mean("y"), by=by).to_polars()
    assert ours.select("by", "level").rows() == est.select("by", "level").rows()
    lazy = quantiles(data.lazy(), design, "y", (0.5,), by=by)
    assert lazy.equals(ours, null_equal=True)
    infinite = quantiles(data, design, "y", (0.5,), df="infinite")
    assert infinite["df"].to_list() == [float("inf")]
    whole = quantiles(data, design, "y", (0.5,), by="sex", df="design")
    assert set(whole["df"].to_list()) == {16.0}


def test_bad_input_names_the_column() -> None:
    data = _data("clus").with_columns(pl.col("sex").alias("label"))
    design = SurveyDesign("w", strata="stratum", psu="psu", fpc="fpc")
    with pytest.raises(DataError, match="'income'"):
        quantiles(data, design, "income")
    with pytest.raises(DataError, match=r"'label'.*numeric"):
        quantiles(data, design, "label")
    for bad in (0.0, 1.0, 1.5, -0.2):
        with pytest.raises(DesignError, match=r"'y'.*outside"):
            quantiles(data, design, "y", (0.5, bad))
    with pytest.raises(DesignError, match="'y'"):
        quantiles(data, design, "y", ())
    with pytest.raises(DesignError, match="qrule"):
        quantiles(data, design, "y", qrule="hf9")  # type: ignore[arg-type]
    with pytest.raises(DesignError, match="level"):
        quantiles(data, design, "y", level=95)
    with pytest.raises(DataError, match="'nosuch'"):
        quantiles(data, design, "y", by="nosuch")
    nan = data.with_columns(
        pl.when(pl.col("psu") == 1).then(float("nan")).otherwise(pl.col("y")).alias("y")
    )
    with pytest.raises(DataError, match=r"'y'.*NaN"):
        quantiles(nan, design, "y")

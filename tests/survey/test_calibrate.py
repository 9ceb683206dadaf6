"""Post-stratification and raking against R survey 4.1.1 (``postStratify``, ``rake``).

Data, population totals, R's calibrated weights and R's estimates come from
``reference/calibration/make_calibration.R``. Weights, estimates, SEs, deffs, intervals and
degrees of freedom are compared at rel 1e-12, raking included: the same sweeps as R's ``rake``
(same stopping rule) give the same weights, so the comparison is not limited by how close the
raking comes to its margins. That closeness is R's own: with R's default ``epsilon = 1`` the
last margin is met exactly and the earlier one to R's reported gap (0.013 on totals near 1000,
about 1e-5 relative); with ``epsilon = 1e-13`` (relative) both to 1e-12.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest

from ipec.errors import DataError, DesignError
from ipec.survey import (
    Mean,
    PostStratify,
    Proportion,
    Rake,
    Ratio,
    ReplicateDesign,
    SurveyDesign,
    Total,
    calibrated_estimate,
    calibrated_weights,
)

REF = Path(__file__).parent / "reference" / "calibration"
REL = 1e-12
DESIGN = SurveyDesign("w", strata="stratum", psu="psu", fpc="fpc")
INDICATORS = [Mean("y"), Mean("b"), Proportion("b"), Total("y"), Total("b"), Ratio("y", "x")]
CASES = ["ps", "rake", "rake_tight", "rake_short"]


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    return pl.read_csv(REF / "clus_cal.csv", null_values=[""])


@pytest.fixture(scope="module")
def totals() -> dict[str, dict[str | int, float]]:
    frame = pl.read_csv(REF / "totals.csv")
    out: dict[str, dict[str | int, float]] = {}
    for variable, level, total in frame.rows():
        out.setdefault(variable, {})[level] = float(total)
    return out


@pytest.fixture(scope="module")
def results(read_r_results: Callable[[Path], pl.DataFrame]) -> pl.DataFrame:
    return read_r_results(REF / "results.csv")


def _calibration(case: str, totals: dict[str, dict[str | int, float]]) -> PostStratify | Rake:
    age = PostStratify("agegrp", totals["agegrp"])
    region = PostStratify("region", totals["region"])
    return {
        "ps": age,
        "rake": Rake([age, region]),
        "rake_tight": Rake([age, region], max_iter=100, epsilon=1e-13),
        "rake_short": Rake([age, region], max_iter=1),
    }[case]


@contextmanager
def _quiet(case: str) -> Iterator[None]:
    """rake_short stops before converging, on purpose (R warns too)."""
    with warnings.catch_warnings():
        if case.endswith("rake_short"):
            warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _stat(stat: str, indicator: str) -> tuple[str, str]:
    """R's stat name -> (our kind, our column)."""
    kind, _, rest = stat.partition("_")
    column = {
        "": "estimate",
        "se": "se",
        "deff": "deff",
        "lo": "ci_low",
        "hi": "ci_high",
        "xlogit_lo": "ci_low",
        "xlogit_hi": "ci_high",
    }[rest]
    return ("proportion" if kind == "prop" else kind), column


def _lookup(
    out: pl.DataFrame, by: str, level: str, indicator: str, *, kind: str, col: str
) -> float:
    cond = (pl.col("by") == by) & (pl.col("level") == level)
    if indicator:
        cond &= (pl.col("indicator") == indicator) & (pl.col("kind") == kind)
    value = out.filter(cond)[col][0]
    assert isinstance(value, float | int)
    return float(value)


@pytest.mark.parametrize("case", CASES)
def test_taylor_weights_match_r(
    case: str, data: pl.DataFrame, totals: dict[str, dict[str | int, float]]
) -> None:
    with _quiet(case):
        got = calibrated_weights(data, DESIGN, _calibration(case, totals))["w_cal"]
    want = pl.read_csv(REF / "weights_taylor.csv")[case]
    for g, w in zip(got.to_list(), want.to_list(), strict=True):
        assert math.isclose(g, w, rel_tol=REL), (case, g, w)


@pytest.mark.parametrize("case", CASES)
def test_taylor_matches_r(
    case: str,
    data: pl.DataFrame,
    totals: dict[str, dict[str | int, float]],
    results: pl.DataFrame,
) -> None:
    cal = _calibration(case, totals)
    with _quiet(case):
        out = calibrated_estimate(data, DESIGN, INDICATORS, by="sex", calibration=cal)
        xlogit = calibrated_estimate(
            data, DESIGN, INDICATORS, by="sex", calibration=cal, ci="xlogit"
        )
    ours = out.to_polars()
    rows = results.filter((pl.col("case") == case) & (pl.col("by") != ""))
    checked = 0
    for by, level, indicator, stat, value in rows.select(
        "by", "level", "indicator", "stat", "value"
    ).rows():
        if stat == "degf":
            got = _lookup(ours, by, level, "", kind="", col="df")
        else:
            kind, col = _stat(stat, indicator)
            got = _lookup(ours, by, level, indicator, kind=kind, col=col)
        assert math.isclose(got, value, rel_tol=REL), (case, by, level, indicator, stat, got)
        checked += 1
    assert checked == 59
    # ci="xlogit" is accepted, and for a linearised design it is the interval checked above
    # against R's svyciprop(method = "xlogit")
    closed = xlogit.to_polars().filter(pl.col("kind") == "proportion")
    assert (
        closed["ci_low"].to_list()
        == ours.filter(pl.col("kind") == "proportion")["ci_low"].to_list()
    )


@pytest.mark.parametrize("case", CASES)
def test_weights_meet_the_margins(
    case: str,
    data: pl.DataFrame,
    totals: dict[str, dict[str | int, float]],
    results: pl.DataFrame,
) -> None:
    with _quiet(case):
        cw = calibrated_weights(data, DESIGN, _calibration(case, totals), suffix="")
    meta = dict(results.filter(pl.col("case") == case).select("stat", "value").rows())
    for variable, gap in (("agegrp", "age_gap"), ("region", "region_gap")):
        sums = dict(cw.group_by(variable).agg(pl.col("w").sum()).rows())
        ours = max(abs(sums[k] - v) for k, v in totals[variable].items())
        # the last margin raked (or the post-stratum) is met exactly, the other as R leaves it
        assert math.isclose(ours, meta[gap], rel_tol=1e-6, abs_tol=1e-9), (variable, ours)
    if case == "rake_tight":
        assert meta["age_gap"] < 1e-12 * sum(totals["agegrp"].values())


def test_rake_warns_when_not_converged(
    data: pl.DataFrame, totals: dict[str, dict[str | int, float]], results: pl.DataFrame
) -> None:
    converged = dict(results.filter(pl.col("stat") == "converged").select("case", "value").rows())
    assert converged == {
        f"{p}{c}": (0.0 if c == "rake_short" else 1.0)
        for p in ("", "rep_jkn_", "rep_boot_")
        for c in CASES
    }
    with pytest.warns(RuntimeWarning, match="did not converge after 1 iterations"):
        calibrated_weights(data, DESIGN, _calibration("rake_short", totals))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        calibrated_weights(data, DESIGN, _calibration("rake", totals))


def _replicate_design(rows: pl.DataFrame, kind: str, reps: list[str]) -> ReplicateDesign:
    meta = {s: rows.filter(pl.col("stat") == s)["value"].to_list() for s in ("scale", "rscales")}
    return ReplicateDesign(
        "w",
        reps,
        "JKn" if kind == "jkn" else "bootstrap",
        scale=meta["scale"][0],
        rscales=meta["rscales"],
    )


@pytest.mark.parametrize("kind", ["jkn", "boot"])
@pytest.mark.parametrize("case", CASES)
def test_replicate_matches_r(
    kind: str,
    case: str,
    totals: dict[str, dict[str | int, float]],
    results: pl.DataFrame,
) -> None:
    data = pl.read_csv(REF / f"rep_{kind}.csv", null_values=[""])
    reps = [c for c in data.columns if c.startswith("rep")]
    design = _replicate_design(results.filter(pl.col("case") == f"rep_{kind}"), kind, reps)
    cal = _calibration(case, totals)
    name = f"rep_{kind}_{case}"
    with _quiet(case):
        cw = calibrated_weights(data, design, cal)
        out = calibrated_estimate(
            data, design, [Mean("y"), Mean("b"), Total("y"), Total("b")], by="sex", calibration=cal
        ).to_polars()
    want = pl.read_csv(REF / f"weights_{name}.csv")
    for column in ["w", *reps]:
        for g, w in zip(cw[f"{column}_cal"].to_list(), want[column].to_list(), strict=True):
            assert math.isclose(g, w, rel_tol=REL, abs_tol=1e-300), (name, column, g, w)
    rows = results.filter(pl.col("case") == name)
    degf = rows.filter(pl.col("stat") == "degf")["value"][0]
    assert (out["df"] == degf).all()  # R recomputes degf from the calibrated weights' rank
    checked = 0
    for by, level, indicator, stat, value in (
        rows.filter(pl.col("by") != "").select("by", "level", "indicator", "stat", "value").rows()
    ):
        kind_, col = _stat(stat, indicator)
        got = _lookup(out, by, level, indicator, kind=kind_, col=col)
        assert math.isclose(got, value, rel_tol=REL), (name, by, level, indicator, stat, got)
        checked += 1
    assert checked == 24


def test_lazy_frame_and_rows_as_psu(
    data: pl.DataFrame, totals: dict[str, dict[str | int, float]]
) -> None:
    cal = _calibration("rake", totals)
    eager = calibrated_estimate(data, DESIGN, "y", by="sex", calibration=cal).to_polars()
    lazy = calibrated_estimate(data.lazy(), DESIGN, "y", by="sex", calibration=cal).to_polars()
    assert eager.equals(lazy)
    rows = SurveyDesign("w", strata="stratum")
    out = calibrated_estimate(data, rows, "y", calibration=cal).to_polars()
    assert out["se"][0] > 0
    assert out["estimate"][0] == eager["estimate"][0]


# ---- bad input --------------------------------------------------------------------------------


def test_level_without_a_total(
    data: pl.DataFrame, totals: dict[str, dict[str | int, float]]
) -> None:
    short = {k: v for k, v in totals["agegrp"].items() if k != "15-17"}
    with pytest.raises(DataError, match=r"column 'agegrp'.*'15-17'.*no population total"):
        calibrated_weights(data, DESIGN, PostStratify("agegrp", short))
    # an int key never matches a text level
    with pytest.raises(DataError, match="no population total"):
        calibrated_weights(data, DESIGN, PostStratify("agegrp", {1: 10.0}))


def test_population_level_absent_from_the_sample(
    data: pl.DataFrame, totals: dict[str, dict[str | int, float]]
) -> None:
    extra = {**totals["agegrp"], "18+": 500.0}
    with pytest.raises(DesignError, match=r"'agegrp'.*'18\+'.*no rows in the sample"):
        calibrated_weights(data, DESIGN, PostStratify("agegrp", extra))
    # R: partial = TRUE ignores it with a warning; a zero total is dropped silently
    with pytest.warns(UserWarning, match=r"'18\+' absent from the sample: ignored"):
        partial = calibrated_weights(data, DESIGN, PostStratify("agegrp", extra, partial=True))
    plain = calibrated_weights(data, DESIGN, _calibration("ps", totals))
    assert partial["w_cal"].to_list() == plain["w_cal"].to_list()
    zero = calibrated_weights(data, DESIGN, PostStratify("agegrp", {**extra, "18+": 0.0}))
    assert zero["w_cal"].to_list() == plain["w_cal"].to_list()
    with pytest.raises(DesignError, match="partial=True is not available when raking"):
        Rake([PostStratify("agegrp", extra, partial=True)])


def test_bad_totals(data: pl.DataFrame, totals: dict[str, dict[str | int, float]]) -> None:
    with pytest.raises(DesignError, match=r"'agegrp'.*'0-4' must be positive"):
        PostStratify("agegrp", {**totals["agegrp"], "0-4": -5.0})
    with pytest.raises(DesignError, match="must be positive"):
        PostStratify("agegrp", {"0-4": math.nan})
    with pytest.raises(DesignError, match="non-empty mapping"):
        PostStratify("agegrp", {})
    with pytest.raises(DataError, match=r"'0-4'.*population total of 0"):
        calibrated_weights(data, DESIGN, PostStratify("agegrp", {**totals["agegrp"], "0-4": 0}))
    with pytest.raises(DesignError, match="at least one margin"):
        Rake([])
    with pytest.raises(DesignError, match="max_iter"):
        Rake([PostStratify("agegrp", totals["agegrp"])], max_iter=0)


def test_missing_column_and_missing_values(
    data: pl.DataFrame, totals: dict[str, dict[str | int, float]]
) -> None:
    with pytest.raises(DataError, match="column 'agegroup': column not found"):
        calibrated_weights(data, DESIGN, PostStratify("agegroup", totals["agegrp"]))
    holed = data.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("region")).alias("region")
    )
    with pytest.raises(DataError, match=r"column 'region': row 4: .*missing values"):
        calibrated_weights(holed, DESIGN, _calibration("rake", totals))


def test_level_without_weight(
    data: pl.DataFrame, totals: dict[str, dict[str | int, float]]
) -> None:
    zeroed = data.with_columns(
        pl.when(pl.col("agegrp") == "15-17").then(0.0).otherwise(pl.col("w")).alias("w")
    )
    with pytest.raises(DesignError, match=r"'agegrp': level '15-17' has no sample weight"):
        calibrated_weights(zeroed, DESIGN, _calibration("ps", totals))
    # a replicate that drops every row of a level cannot be scaled either
    rep = data.with_columns(
        pl.col("w").alias("r1"),
        pl.when(pl.col("agegrp") == "0-4").then(0.0).otherwise(pl.col("w")).alias("r2"),
    )
    design = ReplicateDesign("w", ["r1", "r2"], "bootstrap")
    with pytest.raises(
        DesignError, match="level '0-4' has no sample weight in replicate weight 'r2'"
    ):
        calibrated_weights(rep, design, _calibration("ps", totals))


def test_raking_with_zero_weights(
    data: pl.DataFrame, totals: dict[str, dict[str | int, float]]
) -> None:
    zeroed = data.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(0.0).otherwise(pl.col("w")).alias("w")
    )
    # post-stratification handles them as R does; raking's R variance would be NaN
    kept = calibrated_estimate(zeroed, DESIGN, "y", calibration=_calibration("ps", totals))
    assert math.isfinite(kept.to_polars()["se"][0])
    with pytest.raises(DesignError, match="weight 0"):
        calibrated_estimate(zeroed, DESIGN, "y", calibration=_calibration("rake", totals))

"""Replicate weights made from a Taylor design, against R survey 4.1.1's ``as.svrepdesign``.

References: ``reference/replicates/``, written by ``make_replicates.R`` (see its header).
Deterministic types (JK1, JKn, BRR, Fay) are compared weight by weight with R's own analysis
weights, and through ``estimate()`` with R's estimates and SEs, at rel 1e-12. The bootstrap is
random: its structure and properties are tested, and our weights are fed to R's
``svrepdesign`` (``boot_ours_r.csv``).

Run this file as a script to rewrite ``boot_ours.csv`` (then rerun ``make_replicates.R``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from ipec.errors import DataError, DesignError
from ipec.survey import Mean, SurveyDesign, Total, estimate, replicate_weights
from ipec.survey.make_replicates import hadamard

REF = Path(__file__).parent / "reference" / "replicates"
REL = 1e-12
BOOT_SEED = 20250301
BOOT_REPLICATES = 50

STRAT: dict[str, Any] = {"weight": "w", "strata": "stratum", "psu": "psu"}
CASES: dict[str, tuple[str, dict[str, Any], str, dict[str, Any]]] = {
    "jk1": ("clus", {"weight": "w", "psu": "psu"}, "JK1", {}),
    "jk1_fpc": ("clus", {"weight": "w", "psu": "psu", "fpc": "fpc"}, "JK1", {}),
    "jk1_frac": ("clus", {"weight": "w", "psu": "psu", "fpc": "frac"}, "JK1", {}),
    "jkn": ("strat", STRAT, "JKn", {}),
    "jkn_fpc": ("strat", {**STRAT, "fpc": "fpc"}, "JKn", {}),
    "jkn_frac": ("strat", {**STRAT, "fpc": "frac"}, "JKn", {}),
    **{
        f"jkn_lonely_{policy}": ("lonely", {**STRAT, "lonely_psu": policy}, "JKn", {})
        for policy in ("adjust", "average", "remove", "certainty")
    },
    "jkn_twostage": (
        "twostage",
        {**STRAT, "fpc": "fpc1", "psu2": "ssu", "fpc2": "fpc2"},
        "JKn",
        {},
    ),
    "brr_pairs10": ("pairs10", STRAT, "BRR", {}),
    "brr_pairs12": ("pairs12", STRAT, "BRR", {}),
    "fay_pairs10": ("pairs10", STRAT, "Fay", {"rho": 0.3}),
    "fay_pairs12": ("pairs12", STRAT, "Fay", {"rho": 0.3}),
}


@pytest.fixture(scope="module")
def r_replicates(read_r_results: Callable[[Path], pl.DataFrame]) -> pl.DataFrame:
    return read_r_results(REF / "results.csv")


def _data(name: str) -> pl.DataFrame:
    return pl.read_csv(REF / f"{name}.csv", null_values=[""])


def _stat(rows: pl.DataFrame, stat: str) -> list[float]:
    return rows.filter(pl.col("stat") == stat)["value"].to_list()


def _make(case: str) -> tuple[pl.DataFrame, Any]:
    data_name, design_kw, kind, kw = CASES[case]
    design = SurveyDesign(**design_kw)
    if design.fpc2 is not None:
        with pytest.warns(UserWarning, match="second-stage fpc is dropped"):
            return replicate_weights(_data(data_name), design, kind, **kw)  # type: ignore[arg-type]
    return replicate_weights(_data(data_name), design, kind, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_scale_rscales_match_r(case: str, r_replicates: pl.DataFrame) -> None:
    rows = r_replicates.filter(pl.col("case") == case)
    frame, design = _make(case)
    theirs = pl.read_csv(REF / f"r_{case}.csv").to_numpy()
    ours = frame.select(design.replicates).to_numpy()
    assert ours.shape == theirs.shape
    assert int(_stat(rows, "replicates")[0]) == len(design.replicates)
    np.testing.assert_allclose(ours, theirs, rtol=REL, atol=0)
    assert math.isclose(design.effective_scale, _stat(rows, "scale")[0], rel_tol=REL)
    np.testing.assert_allclose(design.effective_rscales, _stat(rows, "rscales"), rtol=REL)
    assert design.design_df == int(_stat(rows, "degf")[0])
    assert (
        frame.columns[: len(frame.columns) - len(design.replicates)]
        == _data(CASES[case][0]).columns
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_estimates_match_r(case: str, r_replicates: pl.DataFrame) -> None:
    rows = r_replicates.filter((pl.col("case") == case) & (pl.col("by") != ""))
    frame, design = _make(case)
    ours = estimate(frame, design, [Mean("y"), Total("y")], by="sex").to_polars()
    checked = 0
    for by, level, stat, value in rows.select("by", "level", "stat", "value").rows():
        if stat == "taylor_total_se":
            continue
        kind = stat.split("_")[0]
        column = "se" if stat.endswith("_se") else "estimate"
        got = ours.filter(
            (pl.col("by") == by) & (pl.col("level") == level) & (pl.col("kind") == kind)
        )[column][0]
        assert math.isclose(got, value, rel_tol=REL), (case, by, level, stat, got, value)
        checked += 1
    assert checked == 12
    assert ours.filter(pl.col("by") == "total")["df"][0] == design.design_df


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith(("brr", "fay"))])
def test_balanced_repeated_replication_totals_equal_taylor(
    case: str, r_replicates: pl.DataFrame
) -> None:
    """With two PSUs per stratum and a fully balanced Hadamard set, the BRR (and Fay) variance
    of a total is the linearised variance exactly, whichever Hadamard matrix is used."""
    rows = r_replicates.filter(pl.col("case") == case)
    frame, design = _make(case)
    ours = estimate(frame, design, Total("y")).to_polars()
    assert math.isclose(ours["se"][0], _stat(rows, "taylor_total_se")[0], rel_tol=REL)


def test_hadamard_matches_r() -> None:
    lines = (REF / "hadamard.txt").read_text(encoding="utf-8").split()
    for n, size, bits in zip(lines[::3], lines[1::3], lines[2::3], strict=True):
        h = hadamard(int(n))
        assert h.shape == (int(size), int(size))
        assert "".join(map(str, h.ravel())) == bits, n


@pytest.mark.parametrize("n", [*range(1, 70), 97, 150, 255])
def test_hadamard_is_fully_balanced(n: int) -> None:
    h = hadamard(n)
    pm = 2 * h - 1
    assert h.shape[0] >= n + 1
    assert (pm.T @ pm == h.shape[0] * np.eye(h.shape[0])).all()
    # full orthogonal balance for the rows BRR uses (2..n+1): each stratum's half-sample is
    # chosen in half the replicates (pairs of rows are orthogonal, as above)
    assert (pm[1 : n + 1].sum(axis=1) == 0).all()


# ---- errors ----------------------------------------------------------------------------------


def test_brr_needs_two_psus_per_stratum() -> None:
    with pytest.raises(
        DesignError,
        match=r"exactly two PSUs.*: 1 \(5 PSUs\), 5 \(4 PSUs\), 2 \(4 PSUs\), 12 \(3 PSUs\)",
    ):
        replicate_weights(_data("strat"), SurveyDesign(**STRAT), "BRR")


def test_jkn_lonely_fail_names_strata(r_replicates: pl.DataFrame) -> None:
    assert _stat(r_replicates.filter(pl.col("case") == "jkn_lonely_fail"), "error") == [1.0]
    with pytest.raises(DesignError, match=r"2 stratum\(s\) have a single PSU: 3, 8"):
        replicate_weights(_data("lonely"), SurveyDesign(**STRAT), "JKn")


def test_bad_requests() -> None:
    strat = _data("strat")
    with pytest.raises(DesignError, match="unstratified"):
        replicate_weights(strat, SurveyDesign(**STRAT), "JK1")
    with pytest.raises(DesignError, match="needs strata"):
        replicate_weights(strat, SurveyDesign(weight="w", psu="psu"), "JKn")
    with pytest.raises(DesignError, match="rho"):
        replicate_weights(_data("pairs10"), SurveyDesign(**STRAT), "Fay")
    with pytest.raises(DesignError, match="bootstrap"):
        replicate_weights(strat, SurveyDesign(**STRAT), "JKn", replicates=10)
    with pytest.raises(DesignError, match="prefix"):
        replicate_weights(strat, SurveyDesign(**STRAT), "JKn", prefix="1x")
    with pytest.raises(DataError, match=r"already have column.*y1"):
        replicate_weights(strat.rename({"sex": "Y1"}), SurveyDesign(**STRAT), "JKn", prefix="y")
    with pytest.raises(DataError, match=r"column 'psu'.*missing"):
        replicate_weights(
            strat.with_columns(pl.when(pl.col("w") > 30).then(None).otherwise(pl.col("psu"))
                               .alias("psu")),
            SurveyDesign(**STRAT), "JKn",
        )  # fmt: skip
    with pytest.warns(UserWarning, match="fpc is dropped"):
        replicate_weights(
            _data("pairs10").with_columns(fpc=pl.lit(40)),
            SurveyDesign(**STRAT, fpc="fpc"),
            "BRR",
        )


def test_zero_weights_stay_zero() -> None:
    strat = _data("strat").with_columns(
        w=pl.when(pl.int_range(pl.len()) % 7 == 0).then(0.0).otherwise(pl.col("w"))
    )
    frame, design = replicate_weights(strat, SurveyDesign(**STRAT), "JKn")
    zero = frame.filter(pl.col("w") == 0).select(design.replicates).to_numpy()
    assert zero.size
    assert (zero == 0).all()


# ---- bootstrap ------------------------------------------------------------------------------


def _multipliers(frame: pl.DataFrame, names: tuple[str, ...]) -> pl.DataFrame:
    """One row per PSU: the replicate multipliers (replicate weight / full weight)."""
    return (
        frame.select("stratum", "psu", *(pl.col(n) / pl.col("w") for n in names))
        .group_by("stratum", "psu")
        .agg(pl.all().first())
    )


@pytest.mark.parametrize("fpc", [None, "fpc", "frac"])
def test_bootstrap_structure_as_r(fpc: str | None, r_replicates: pl.DataFrame) -> None:
    strat = _data("strat")
    design = SurveyDesign(**STRAT, fpc=fpc)
    frame, rep = replicate_weights(strat, design, "bootstrap", replicates=60, seed=3)
    r_case = "boot_ds" if fpc is None else "boot_dsf"
    r_rows = r_replicates.filter(pl.col("case") == r_case)
    assert _stat(r_rows, "draws_per_stratum_ok") == [1.0]
    # R's scale: nbar / ((nbar - 1)(R - 1)), nbar the harmonic mean of PSUs per stratum
    assert math.isclose(rep.effective_scale, _stat(r_rows, "scale")[0], rel_tol=REL)
    assert rep.effective_rscales == (1.0,) * 60
    assert rep.type == "bootstrap"
    # R's degf (the rank of its weights minus one) depends on the design, not on the draws
    assert rep.design_df == _stat(r_rows, "degf")[0]
    mult = _multipliers(frame, rep.replicates)
    counts = mult.select(rep.replicates).to_numpy()
    # whole draws, and every replicate draws n_h PSUs in each stratum
    assert np.allclose(counts, np.round(counts), rtol=0, atol=1e-9)
    per = mult.group_by("stratum").agg(pl.len().alias("n_h"), pl.col(rep.replicates).sum())
    for row in per.iter_rows(named=True):
        assert all(round(row[n]) == row["n_h"] for n in rep.replicates)
    if fpc is not None:  # stratum 7 is a census (N_h = n_h): drawn without replacement, once
        census = mult.filter(pl.col("stratum") == 7).select(rep.replicates).to_numpy()
        assert np.allclose(census, 1.0)


def test_bootstrap_seed() -> None:
    strat = _data("strat")
    design = SurveyDesign(**STRAT)
    one, _ = replicate_weights(strat, design, "bootstrap", seed=5)
    two, _ = replicate_weights(strat, design, "bootstrap", seed=5)
    three, _ = replicate_weights(strat, design, "bootstrap", seed=6)
    assert one.equals(two)
    assert not one.equals(three)


def _balanced(seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    strata, psus, _ = np.meshgrid(np.arange(10), np.arange(6), np.arange(8), indexing="ij")
    effect = rng.normal(0, 3, size=(10, 6))[strata, psus]
    return pl.DataFrame(
        {
            "stratum": strata.ravel(),
            "psu": psus.ravel(),
            "w": rng.uniform(5, 40, size=strata.size),
            "y": 50 + 2 * strata.ravel() + effect.ravel() + rng.normal(0, 8, strata.size),
        }
    )


def test_bootstrap_weights_unbiased() -> None:
    """E[replicate weight] = full weight: the mean multiplier over 4000 replicates is 1 within
    5 standard errors (per PSU, var(count) = (n_h - 1)/n_h)."""
    data = _balanced()
    frame, rep = replicate_weights(
        data, SurveyDesign(**STRAT), "bootstrap", replicates=4000, seed=2
    )
    mult = _multipliers(frame, rep.replicates).select(rep.replicates).to_numpy()
    se = math.sqrt((6 - 1) / 6 / 4000)
    assert np.abs(mult.mean(axis=1) - 1).max() < 5 * se


def test_bootstrap_se_converges_to_taylor() -> None:
    """With equal n_h the rescaled bootstrap variance has the linearised variance as its
    expectation; over 4000 replicates the SEs of a mean and a total are within 5% of the Taylor
    SEs (the Monte Carlo error of the SE is about 1.1%). R's replicate variance (svrVar) is
    computed here in NumPy; ``estimate()`` on 4000 replicate columns is needlessly heavy and is
    checked against R on our weights below."""
    data = _balanced()
    design = SurveyDesign(**STRAT)
    taylor = estimate(data, design, [Mean("y"), Total("y")]).to_polars()["se"].to_numpy()
    frame, rep = replicate_weights(data, design, "bootstrap", replicates=4000, seed=4)
    weights = frame.select(rep.replicates).to_numpy()
    y = data["y"].to_numpy()
    totals = y @ weights
    means = totals / weights.sum(axis=0)
    boot = [
        math.sqrt(rep.effective_scale * float(((t - t.mean()) ** 2).sum())) for t in (means, totals)
    ]
    assert np.abs(np.array(boot) / taylor - 1).max() < 0.05


def _ours_bootstrap() -> tuple[pl.DataFrame, Any]:
    return replicate_weights(
        _data("strat"),
        SurveyDesign(**STRAT),
        "bootstrap",
        replicates=BOOT_REPLICATES,
        seed=BOOT_SEED,
    )


def test_our_bootstrap_weights_in_r() -> None:
    """Our bootstrap weights (seeded) read by R's svrepdesign(type="bootstrap") give R's
    estimates and SEs; the committed boot_ours.csv is what the seed still produces."""
    frame, rep = _ours_bootstrap()
    committed = pl.read_csv(REF / "boot_ours.csv", null_values=[""])
    np.testing.assert_allclose(
        frame.select(rep.replicates).to_numpy(),
        committed.select(rep.replicates).to_numpy(),
        rtol=1e-15,
        atol=0,
    )
    r_rows = pl.read_csv(
        REF / "boot_ours_r.csv", schema_overrides={"level": pl.String, "value": pl.Float64}
    )
    ours = estimate(frame, rep, [Mean("y"), Total("y")], by="sex").to_polars()
    checked = 0
    for by, level, stat, value in r_rows.select("by", "level", "stat", "value").rows():
        if stat == "degf":
            assert rep.design_df == int(value)
            continue
        column = "se" if stat.endswith("_se") else "estimate"
        got = ours.filter(
            (pl.col("by") == by)
            & (pl.col("level") == level)
            & (pl.col("kind") == stat.split("_")[0])
        )[column][0]
        assert math.isclose(got, value, rel_tol=REL), (by, level, stat, got, value)
        checked += 1
    assert checked == 8


if __name__ == "__main__":  # rewrite boot_ours.csv for make_replicates.R
    ours, rep_design = _ours_bootstrap()
    ours.write_csv(REF / "boot_ours.csv")
    pl.DataFrame({"scale": [rep_design.effective_scale]}).write_csv(REF / "boot_ours_meta.csv")

"""Small-area estimation on a synthetic country whose district prevalences are known.

Run: python benchmarks/survey_small_area.py [--districts 200] [--replications 100]
     [--seed 2026] [--method REML] [--smooth-below 100] [--timing-areas 1000]

1. A census (seeded): ``--districts`` districts, each of 15-80 enumeration areas (EAs) of
   40-250 children aged 5-17. Every district has a poverty rate and a share of rural EAs;
   work and household chores depend on age, sex, rurality, poverty, a district effect and an
   EA effect. Each child is classified under SDG 8.7.1 by ipec itself (the census read
   through a variable map with weight 1), so the true prevalence of each district is the
   census share of children in child labour.
2. A two-stage sample, drawn ``--replications`` times: districts are strata; about 10% of
   the districts are not sampled (21 of 200 with the default seed, the same ones every
   time); in the others 2 to 10 EAs are drawn by simple random sampling, then 15 children
   in each; weights are the inverse inclusion probabilities.
3. Each sample goes through ipec as the command does: ``direct_by_area`` (direct estimates
   and SEs by district, Taylor linearisation, districts as strata, EAs as PSUs) and
   ``small_area_estimates`` with the district covariates (poverty rate, rural share) of the
   census and the number of children.
4. Reported, over districts and replications: average absolute relative error
   |estimate - truth| / truth and relative root mean squared error of the direct estimates,
   the EBLUPs and the synthetic estimates (districts not sampled); coverage of the 95%
   intervals (direct: estimate +/- 1.96 SE, and ipec's own logit interval; EBLUP and
   synthetic: +/- 1.96 sqrt(MSE)); the ratio of the mean estimated MSE to the empirical MSE;
   by sample size of the district.
5. The time of ``fay_herriot`` (REML and FH) and of ``small_area_estimates`` on
   ``--timing-areas`` synthetic areas (best of 5).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.classify import resolve_profile
from ipec.survey.pipeline import open_mapped
from ipec.survey.small_area import fay_herriot
from ipec.survey.small_area_auxiliary import Auxiliary
from ipec.survey.small_area_estimates import (
    DirectEstimates,
    direct_by_area,
    small_area_estimates,
)

FloatArray = npt.NDArray[np.float64]
CHILDREN_PER_EA = 15
MAP = """id = "sim-districts"
version = "1"
title = "Synthetic country of districts (benchmarks/survey_small_area.py)"
source = "Invented: no real data."

[design]
weight = "weight"
psu = "ea"
strata = "district"

[child]
age = "age"
econ_any = "econ"
econ_hours = "econ_hours"
chores_any = "chores"
chores_hours = "chores_hours"

[domains]
sex = { variable = "sex", label = "Sex", codes = { 1 = "male", 2 = "female" } }

[background]
district = { variable = "district", label = "District" }
"""


def _logistic(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


@dataclass(frozen=True)
class Country:
    """The census: one row per child, and the districts' covariates."""

    children: pl.DataFrame
    districts: pl.DataFrame  # district, poverty, rural_share, children


def make_country(districts: int, seed: int) -> Country:
    rng = np.random.default_rng(seed)
    poverty = rng.beta(2.0, 4.0, districts)
    rural_share = np.clip(rng.beta(3.0, 2.0, districts) + 0.3 * (poverty - 0.33), 0.02, 0.98)
    district_effect = rng.normal(0.0, 0.35, districts)
    eas = rng.integers(15, 81, districts)
    ea_district = np.repeat(np.arange(districts), eas)
    n_eas = ea_district.size
    ea_rural = rng.random(n_eas) < rural_share[ea_district]
    ea_effect = rng.normal(0.0, 0.45, n_eas)
    ea_size = rng.integers(40, 251, n_eas)
    child_ea = np.repeat(np.arange(n_eas), ea_size)
    n = child_ea.size
    d = ea_district[child_ea]
    age = rng.integers(5, 18, n)
    female = rng.random(n) < 0.49
    drive = (
        -1.9
        + 0.7 * ea_rural[child_ea]
        + 3.0 * (poverty[d] - 0.33)
        + district_effect[d]
        + ea_effect[child_ea]
    )
    econ = rng.random(n) < _logistic(drive + 0.12 * (age - 5) - 0.2 * female)
    scale = np.where(age < 12, 4.0, np.where(age < 15, 8.0, 16.0)) * np.exp(0.35 * drive)
    econ_hours = np.where(econ, np.minimum(np.round(rng.gamma(1.6, scale)), 90), np.nan)
    chores = rng.random(n) < _logistic(0.8 + 0.4 * female + 0.3 * ea_rural[child_ea])
    chores_hours = np.where(
        chores,
        np.minimum(np.round(rng.gamma(1.8, 3.5 + 2.5 * female + 0.15 * (age - 5))), 80),
        np.nan,
    )
    children = pl.DataFrame(
        {
            "district": d + 1,
            "ea": child_ea + 1,
            "age": age,
            "sex": np.where(female, 2, 1),
            "econ": np.where(econ, 1, 2),
            "econ_hours": econ_hours,
            "chores": np.where(chores, 1, 2),
            "chores_hours": chores_hours,
        }
    ).with_columns(pl.col("econ_hours", "chores_hours").fill_nan(None))
    rural_children = np.bincount(d, weights=ea_rural[child_ea], minlength=districts)
    population = np.bincount(d, minlength=districts)
    table = pl.DataFrame(
        {
            "district": [str(i + 1) for i in range(districts)],
            "poverty": poverty,
            "rural_share": rural_children / population,
            "children": population,
        }
    )
    return Country(children, table)


def truth(country: Country, folder: Path) -> dict[str, float]:
    """The census share of children in child labour (SDG 8.7.1), by district, through ipec."""
    path = folder / "census.parquet"
    country.children.with_columns(weight=pl.lit(1.0)).write_parquet(path)
    mapped = open_mapped(path, str(folder / "map.toml"))
    direct = direct_by_area(mapped, resolve_profile("sdg-8.7.1"), "district")
    return dict(zip(direct.areas, direct.estimate.tolist(), strict=True))


def draw_sample(
    country: Country,
    sampled: npt.NDArray[np.bool_],
    ea_counts: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> pl.DataFrame:
    """A stratified two-stage sample: ``ea_counts[d]`` EAs of district d by simple random
    sampling, then 15 children of each EA; weight = inverse inclusion probability."""
    children = country.children
    sizes = children.group_by("district", "ea").agg(size=pl.len()).sort("district", "ea")
    picked = []
    for (district,), frame in sizes.group_by("district", maintain_order=True):
        d = int(district) - 1
        if not sampled[d]:
            continue
        m = int(ea_counts[d])
        rows = sorted(rng.choice(frame.height, m, replace=False).tolist())
        picked.append(frame[rows].with_columns(ea_weight=pl.lit(frame.height / m)))
    sample = children.join(pl.concat(picked), on=["district", "ea"])
    sample = sample.with_columns(_key=pl.Series(rng.random(sample.height)))
    return (
        sample.filter(pl.col("_key").rank("ordinal").over("ea") <= CHILDREN_PER_EA)
        .with_columns(weight=pl.col("ea_weight") * pl.col("size") / CHILDREN_PER_EA)
        .drop("_key", "ea_weight", "size")
    )


def _auxiliary(country: Country) -> Auxiliary:
    table = country.districts
    return Auxiliary(
        source="census",
        area_column="district",
        areas=tuple(table["district"].to_list()),
        names=("poverty", "rural_share"),
        values=table.select("poverty", "rural_share").to_numpy().astype(np.float64),
        population=table["children"].to_numpy().astype(np.float64),
        population_column="children",
    )


def simulate(args: argparse.Namespace) -> None:
    country = make_country(args.districts, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    sampled = rng.random(args.districts) >= 0.10
    ea_counts = rng.integers(2, 11, args.districts)
    aux = _auxiliary(country)
    profile = resolve_profile("sdg-8.7.1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "map.toml").write_text(MAP, encoding="utf-8")
        start = time.perf_counter()
        true = truth(country, folder)
        print(
            f"census: {country.children.height:,} children in {args.districts} districts, "
            f"{country.children['ea'].n_unique():,} EAs; true prevalence (SDG 8.7.1) "
            f"{min(true.values()):.3f}-{max(true.values()):.3f}, median "
            f"{float(np.median(list(true.values()))):.3f} ({time.perf_counter() - start:.1f} s)"
        )
        rows: list[dict[str, Any]] = []
        fit_seconds = 0.0
        start = time.perf_counter()
        for r in range(args.replications):
            sample = draw_sample(country, sampled, ea_counts, rng)
            path = folder / "sample.parquet"
            sample.write_parquet(path)
            mapped = open_mapped(path, str(folder / "map.toml"))
            direct = direct_by_area(mapped, profile, "district")
            tick = time.perf_counter()
            result = small_area_estimates(
                direct, aux, area="district", method=args.method, smooth_below=args.smooth_below
            )
            fit_seconds += time.perf_counter() - tick
            frame = result.frame.with_columns(
                true=pl.col("area").replace_strict(true, return_dtype=pl.Float64),
                eas=pl.col("area").cast(pl.Int64).map_elements(
                    lambda a: int(ea_counts[a - 1]), return_dtype=pl.Int64
                ),
                replication=pl.lit(r),
            )  # fmt: skip
            rows += frame.to_dicts()
        elapsed = time.perf_counter() - start
    results = pl.DataFrame(rows)
    sample_size = int(results.filter(pl.col("replication") == 0)["n_unweighted"].sum())
    print(
        f"{args.replications} samples of about {sample_size:,} children "
        f"({int(sampled.sum())} districts sampled, 2-10 EAs x {CHILDREN_PER_EA} children), "
        f"{args.method}, --smooth-below {args.smooth_below}: {elapsed:.1f} s "
        f"({fit_seconds / args.replications * 1000:.1f} ms per small-area fit)"
    )
    report(results)


def _summary(frame: pl.DataFrame, estimate: str, se: str) -> dict[str, float]:
    error = pl.col(estimate) - pl.col("true")
    out = frame.select(
        are=(error.abs() / pl.col("true")).mean(),
        rrmse=((error**2).mean().over("area").sqrt() / pl.col("true")).mean(),
        coverage=(error.abs() <= 1.96 * pl.col(se)).cast(pl.Float64).mean(),
        mse_ratio=(pl.col(se) ** 2).mean() / (error**2).mean(),
    )
    return out.row(0, named=True)


def report(results: pl.DataFrame) -> None:
    sampled = results.filter(pl.col("sampled"))
    groups = [
        ("sampled districts, all", sampled),
        ("  2-3 EAs (30-45 children)", sampled.filter(pl.col("eas") <= 3)),
        ("  4-6 EAs (60-90 children)", sampled.filter(pl.col("eas").is_between(4, 6))),
        ("  7-10 EAs (105-150 children)", sampled.filter(pl.col("eas") >= 7)),
    ]
    print(
        f"{'':30} {'estimator':9} {'ARE':>6} {'RRMSE':>6} {'cover95':>7} {'ipec CI':>7} "
        f"{'MSE ratio':>9} smoothed"
    )
    for name, frame in groups:
        inside = (pl.col("direct_ci_low") <= pl.col("true")) & (
            pl.col("true") <= pl.col("direct_ci_high")
        )
        ipec_ci = float(frame.select(inside.cast(pl.Float64).mean()).item())
        smoothed = float(frame["variance_smoothed"].cast(pl.Float64).mean())  # type: ignore[arg-type]
        for label, column, se, extra in (
            ("direct", "direct", "direct_se", f"{ipec_ci:7.3f}"),
            ("EBLUP", "estimate", "rmse", f"{'':7}"),
        ):
            s = _summary(frame, column, se)
            print(
                f"{name:30} {label:9} {s['are']:6.3f} {s['rrmse']:6.3f} {s['coverage']:7.3f} "
                f"{extra} {s['mse_ratio']:9.2f} {100 * smoothed:7.0f}%"
            )
    synthetic = results.filter(~pl.col("sampled"))
    if synthetic.height:
        s = _summary(synthetic, "estimate", "rmse")
        print(
            f"{'districts not sampled':30} {'synthetic':9} {s['are']:6.3f} {s['rrmse']:6.3f} "
            f"{s['coverage']:7.3f} {'':7} {s['mse_ratio']:9.2f}"
        )
    direct_zero = sampled.filter(pl.col("direct") == 0).height / sampled.height
    print(
        "ARE: mean |estimate - truth| / truth; RRMSE: mean over districts of the root mean "
        "squared error over samples / truth; cover95: truth within estimate +/- 1.96 SE "
        "(direct) or sqrt(MSE) (EBLUP, synthetic); ipec CI: within ipec's logit interval "
        "(t, domain df); MSE ratio: mean estimated MSE / mean squared error; smoothed: share "
        f"of variances smoothed. Direct estimate 0 in {100 * direct_zero:.1f}% of "
        "district samples."
    )


def _best(function: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def timing(areas: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.random((areas, 3))
    psi = rng.uniform(2e-4, 4e-3, areas)
    y = 0.1 + x @ np.array([0.1, 0.15, -0.05]) + rng.normal(0, 0.04, areas)
    y = y + rng.normal(0, np.sqrt(psi))
    for method in ("REML", "FH"):
        seconds = _best(lambda m=method: fay_herriot(y, psi, x, m))  # type: ignore[misc]
        print(f"fay_herriot, {areas:,} areas, 3 covariates, {method}: {seconds * 1000:.1f} ms")
    names = tuple(str(i + 1) for i in range(areas))
    direct = DirectEstimates(
        areas=names,
        estimate=y,
        se=np.sqrt(psi),
        n_unweighted=rng.integers(20, 400, areas),
        n_weighted=rng.uniform(20, 400, areas),
        deff_wr=rng.uniform(1, 3, areas),
        total_estimate=float(np.mean(y)),
        total_deff_wr=2.0,
    )
    aux = Auxiliary("timing", "area", names, ("x1", "x2", "x3"), x)
    seconds = _best(lambda: small_area_estimates(direct, aux))
    print(
        f"small_area_estimates (matching, smoothing, fit, table), {areas:,} areas: "
        f"{seconds * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=200)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--method", choices=["REML", "FH"], default="REML")
    parser.add_argument("--smooth-below", type=int, default=100)
    parser.add_argument("--timing-areas", type=int, default=1000)
    args = parser.parse_args()
    simulate(args)
    timing(args.timing_areas, args.seed)


if __name__ == "__main__":
    main()

"""Time ipec.survey.estimate on synthetic designs, side by side with its peers.

Default case: 500 strata x 20 PSUs (10,000 PSUs), --rows rows (1,000,000 by default), a
proportion with SE, deff and logit CI for the whole sample and 60 domains (sex x 3 age groups x
10 regions). Peers, each skipped with a note when missing: R survey (``svyby(svymean,
deff=TRUE)`` via Rscript; the svyby call timed inside R), ``samplics`` and ``svy``. Each peer's
estimates and SEs are compared with ipec's (max abs difference).

``--sdg``: the SDG standard-table set instead: 20 boolean indicators x domains total, sex,
age_group, region, area, sex x age_group in one ``estimate()`` call (no peers).

    PYTHONPATH=src python benchmarks/survey_estimate.py [--rows N] [--sdg | --sdg2] [--no-peers]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from ipec.survey import Proportion, SurveyDesign, estimate

BY = ("sex", "age_group", "region")
AGES = np.array(["5-11", "12-14", "15-17"])


def make_data(rows: int, seed: int = 1, indicators: int = 1) -> pl.DataFrame:
    """Synthetic stratified cluster sample (500 strata x 20 PSUs) with binary outcomes."""
    rng = np.random.default_rng(seed)
    psu_global = np.sort(rng.integers(0, 10_000, rows))  # rows listed by cluster, as surveys are
    psu_effect = rng.normal(0, 0.5, 10_000)[psu_global]
    sex = rng.integers(0, 2, rows).astype(np.int8)
    age = rng.integers(0, 3, rows).astype(np.int8)
    cols: dict[str, object] = {
        "stratum": (psu_global // 20).astype(np.int32),
        "psu": (psu_global % 20).astype(np.int32),
        "psu_uid": psu_global.astype(np.int32),
        "weight": rng.uniform(50, 150, rows),
        "sex": pl.Series(np.where(sex == 1, "female", "male")).cast(pl.Categorical),
        "age_group": pl.Series(AGES[age]).cast(pl.Categorical),
        "region": pl.Series([f"R{r:02d}" for r in range(10)])[rng.integers(0, 10, rows)].cast(
            pl.Categorical
        ),
        "area": pl.Series(np.where(rng.random(rows) < 0.4, "urban", "rural")).cast(pl.Categorical),
    }
    for i in range(indicators):
        p = 1 / (1 + np.exp(-(-1.5 + 0.3 * age + 0.1 * sex - 0.05 * i + psu_effect)))
        cols["child_labour" if i == 0 else f"ind{i:02d}"] = rng.random(rows) < p
    return pl.DataFrame(cols)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best and median wall time of ``repeat`` runs after one warm-up, and the last result."""
    out = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), sorted(times)[len(times) // 2], out


R_SCRIPT = """
suppressMessages(library(survey)); options(survey.lonely.psu = "fail")
d <- read.csv("{path}"); d$child_labour <- as.numeric(d$child_labour == "true")
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
t0 <- proc.time()[["elapsed"]]
b <- svyby(~child_labour, ~sex + age_group + region, des, svymean, deff = TRUE)
el <- proc.time()[["elapsed"]] - t0
write.csv(data.frame(sex = b$sex, age_group = b$age_group, region = b$region,
  est = b$child_labour, se = SE(b)), "{out}", row.names = FALSE)
cat(el, "\\n")
"""


def ipec_domains(frame: pl.DataFrame) -> pl.DataFrame:
    """ipec's domain rows keyed by sex, age_group, region."""
    d = frame.filter(pl.col("by") == "*".join(BY))
    parts = d["level"].str.split_exact("*", 2).struct.rename_fields(list(BY)).struct.unnest()
    return pl.concat([parts, d.select("estimate", "se")], how="horizontal")


def compare(ours: pl.DataFrame, peer: pl.DataFrame) -> str:
    """Max abs difference of estimate and SE over the 60 domains."""
    j = ours.join(peer, on=list(BY), how="inner")
    if j.height != ours.height:
        return f"only {j.height} of {ours.height} domains matched"
    de = (j["estimate"] - j["est"]).abs().max()
    ds = (j["se"] - j["se_right"]).abs().max()
    return f"max |diff| estimate {de:.2e}, se {ds:.2e}"


def run_r(data: pl.DataFrame) -> tuple[float, float, pl.DataFrame] | str:
    """R survey: (svyby seconds, total wall seconds incl. CSV read, R's domain rows)."""
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "bench.csv", Path(tmp) / "out.csv"
        data.select("stratum", "psu", "weight", "child_labour", *BY).write_csv(csv)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.replace("{path}", str(csv)).replace("{out}", str(out)))
        t0 = time.perf_counter()
        proc = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            return "R run failed: " + " ".join(proc.stderr.strip().splitlines()[-1:])
        peer = pl.read_csv(out).rename({"se": "se"})
    return float(proc.stdout.split()[0]), wall, peer


def run_samplics(data: pl.DataFrame) -> tuple[float, pl.DataFrame] | str:
    """samplics TaylorEstimator('proportion') by domain, deff=True (pandas inside)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import samplics  # noqa: F401
            from samplics.estimation import TaylorEstimator
            from samplics.utils.types import PopParam
    except ImportError:
        return "samplics not installed"
    dom = data.select(pl.concat_str([pl.col(c).cast(pl.String) for c in BY], separator="*"))
    dom_np = dom.to_series().to_numpy()
    y = data["child_labour"].cast(pl.Int8).to_numpy()
    w, s, p = (data[c].to_numpy() for c in ("weight", "stratum", "psu_uid"))

    def go() -> TaylorEstimator:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = TaylorEstimator(PopParam.prop)
            est.estimate(y=y, samp_weight=w, stratum=s, psu=p, domain=dom_np, deff=True)
        return est

    t0 = time.perf_counter()
    est = go()
    secs = time.perf_counter() - t0
    rows = []
    for d, v in est.point_est.items():
        rows.append((*str(d).split("*"), float(v[1]), float(est.stderror[d][1])))
    peer = pl.DataFrame(rows, schema=[*BY, "est", "se"], orient="row")
    return secs, peer


def run_svy(data: pl.DataFrame) -> tuple[float, pl.DataFrame] | str:
    """svy Sample.estimation.prop by the three domain columns, deff='wor'."""
    try:
        import svy
    except ImportError:
        return "svy not installed"
    sample = svy.Sample(data, svy.Design(stratum="stratum", psu="psu_uid", wgt="weight"))
    t0 = time.perf_counter()
    est = sample.estimation.prop("child_labour", by=list(BY), deff="wor")
    secs = time.perf_counter() - t0
    try:
        frame = est.to_polars()  # type: ignore[union-attr]
        frame = frame.filter(pl.col(frame.columns[len(BY)]).cast(pl.String).is_in(["true", "1"]))
        peer = frame.select(
            *[pl.col(c).cast(pl.String) for c in BY],
            pl.col("est"),
            pl.col("se"),
        )
    except Exception as exc:
        return f"svy ran in {secs:.3f} s but its result could not be read ({exc})"
    return secs, peer


def sdg(rows: int, repeat: int) -> None:
    """The SDG standard-table set in one estimate() call."""
    data = make_data(rows, indicators=20)
    design = SurveyDesign(weight="weight", strata="stratum", psu="psu")
    inds = [Proportion(c) for c in data.columns if c == "child_labour" or c.startswith("ind")]
    by = ["sex", "age_group", "region", "area", ("sex", "age_group")]
    best, median, res = timed(lambda: estimate(data, design, inds, by=by), repeat)
    frame = res.to_polars()  # type: ignore[attr-defined]
    print(f"SDG table set: rows={rows:,} indicators={len(inds)} domain rows={frame.height}")
    print(f"ipec estimate: best {best:.3f} s, median {median:.3f} s over {repeat} runs")


def sdg2(rows: int, repeat: int) -> None:
    """2 boolean indicators x total, sex, age_group, age_band, sex x age_group; domain columns
    given as UInt16 level numbers."""
    data = make_data(rows, indicators=2).with_columns(
        pl.col("sex").to_physical().cast(pl.UInt16),
        pl.col("age_group").to_physical().cast(pl.UInt16),
        age_band=pl.Series(np.random.default_rng(2).integers(0, 13, rows).astype(np.uint16)),
    )
    design = SurveyDesign(weight="weight", strata="stratum", psu="psu")
    inds = [Proportion("child_labour"), Proportion("ind01")]
    by = ["sex", "age_group", "age_band", ("sex", "age_group")]
    best, median, _ = timed(lambda: estimate(data, design, inds, by=by), repeat)
    print(f"SDG 2 indicators x 4 specs: rows={rows:,}")
    print(f"ipec estimate: best {best:.3f} s, median {median:.3f} s over {repeat} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sdg", action="store_true", help="the SDG standard-table set")
    parser.add_argument("--sdg2", action="store_true", help="2 indicators x 4 UInt16 specs")
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    if args.sdg:
        sdg(args.rows, args.repeat)
        return
    if args.sdg2:
        sdg2(args.rows, args.repeat)
        return
    data = make_data(args.rows)
    design = SurveyDesign(weight="weight", strata="stratum", psu="psu")
    best, median, res = timed(
        lambda: estimate(data, design, Proportion("child_labour"), by=BY), args.repeat
    )
    frame = res.to_polars()  # type: ignore[attr-defined]
    total = frame.row(0, named=True)
    print(f"rows={args.rows:,} domains={frame.height - 1} psus=10,000 strata=500")
    print(f"ipec estimate: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms"
          f" over {args.repeat} runs ({args.rows / best / 1e6:.1f} M rows/s)")  # fmt: skip
    print(f"overall p={total['estimate']:.10f} se={total['se']:.10f} deff={total['deff']:.4f}")
    if args.no_peers:
        return
    ours = ipec_domains(frame)
    r = run_r(data)
    if isinstance(r, str):
        print(f"R survey: skipped ({r})")
    else:
        print(f"R survey svyby(deff=TRUE): {r[0]:.2f} s in R ({r[1]:.2f} s wall with CSV read);"
              f" R/ipec {r[0] / best:,.0f}x; {compare(ours, r[2])}")  # fmt: skip
    for name, fn in (("samplics", run_samplics), ("svy", run_svy)):
        out = fn(data)
        if isinstance(out, str):
            print(f"{name}: skipped ({out})")
        else:
            print(f"{name}: {out[0]:.3f} s; {name}/ipec {out[0] / best:,.1f}x;"
                  f" {compare(ours, out[1])}")  # fmt: skip


if __name__ == "__main__":
    main()

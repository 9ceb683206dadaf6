"""Time ipec.survey.estimate on a synthetic 1M-row design, and R survey on the same data.

500 strata x 20 PSUs (10,000 PSUs), 1,000,000 rows, 60 domains (sex x 3 age groups x 10
regions). Estimates a proportion with SE, deff and logit CI for the whole sample and the 60
domains. When Rscript with the survey package is on PATH, runs svyby(svymean, deff=TRUE) on the
same rows and prints the speed ratio. No assertions: this only reports.

    PYTHONPATH=src python benchmarks/survey_estimate.py [--rows N] [--no-r]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from ipec.survey import Proportion, SurveyDesign, estimate


def make_data(rows: int, seed: int = 1) -> pl.DataFrame:
    """Synthetic stratified cluster sample with a binary outcome."""
    rng = np.random.default_rng(seed)
    psu_global = rng.integers(0, 10_000, rows)
    stratum = psu_global // 20
    psu_effect = rng.normal(0, 0.5, 10_000)[psu_global]
    sex = rng.integers(0, 2, rows)
    age = rng.integers(0, 3, rows)
    region = rng.integers(0, 10, rows)
    p = 1 / (1 + np.exp(-(-1.5 + 0.3 * age + 0.1 * sex + psu_effect)))
    return pl.DataFrame(
        {
            "stratum": stratum,
            "psu": psu_global % 20,
            "weight": rng.uniform(50, 150, rows),
            "child_labour": rng.random(rows) < p,
            "sex": pl.Series(np.where(sex == 1, "female", "male")).cast(pl.Categorical),
            "age_group": pl.Series(np.array(["5-11", "12-14", "15-17"])[age]).cast(pl.Categorical),
            "region": pl.Series([f"R{r:02d}" for r in range(10)])[region].cast(pl.Categorical),
        }
    )


R_SCRIPT = """
suppressMessages(library(survey)); options(survey.lonely.psu = "fail")
d <- read.csv("{path}"); d$child_labour <- as.numeric(d$child_labour == "true")
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
t0 <- proc.time()[["elapsed"]]
m <- svymean(~child_labour, des, deff = TRUE)
b <- svyby(~child_labour, ~sex + age_group + region, des, svymean, deff = TRUE)
cat(proc.time()[["elapsed"]] - t0, coef(m), SE(m), "\\n")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    data = make_data(args.rows)
    design = SurveyDesign(weight="weight", strata="stratum", psu="psu")
    by = ("sex", "age_group", "region")
    estimate(data, design, Proportion("child_labour"), by=by)  # warm-up
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = estimate(data, design, Proportion("child_labour"), by=by)
        times.append(time.perf_counter() - t0)
    best = min(times)
    frame = result.to_polars()
    total = frame.row(0, named=True)
    print(f"rows={args.rows:,} domains={frame.height - 1} psus=10,000 strata=500")
    median = sorted(times)[len(times) // 2]
    print(f"ipec estimate: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms"
          f" over {args.repeat} runs ({args.rows / best / 1e6:.1f} M rows/s, "
          f"{(frame.height) / best:,.0f} estimates/s)")  # fmt: skip
    print(f"overall p={total['estimate']:.10f} se={total['se']:.10f} deff={total['deff']:.4f}")
    if args.no_r or shutil.which("Rscript") is None:
        print("R comparison skipped (no Rscript or --no-r)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "bench.csv"
        data.write_csv(csv)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.replace("{path}", str(csv)))
        proc = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print("R run failed:", proc.stderr.strip().splitlines()[-1:])
        return
    r_time, r_est, r_se = (float(v) for v in proc.stdout.split())
    print(f"R survey svymean + svyby(deff=TRUE): {r_time:.2f} s; p={r_est:.10f} se={r_se:.10f}")
    print(f"ratio R / ipec: {r_time / best:,.0f}x")


if __name__ == "__main__":
    main()

"""Time SDG 8.7.1 child labour by 60 crossed domains as users run it: whole processes, start-up
included, beside svy and the floor (Polars reading the same columns).

Run: python benchmarks/survey_whole_process.py FILE.parquet [--runs 3] [--peer-python PY]
    [--tables]

FILE is a MICS6-shaped Parquet file, e.g. ``ipec survey synth -n 5000000 -o s5m.parquet``.
Each contender is a fresh process, best of ``--runs``:

- floor: ``python -c`` that imports Polars and reads the columns the mics6 map needs for
  SDG 8.7.1 (one aggregate per column, so every value is read);
- ipec: ``ipec survey estimate FILE --map mics6 -p sdg-8.7.1 --by sex*age_group*region
  --indicators child_labour`` (in memory, then ``--streaming``);
- svy (``requirements/bench.txt``): the same columns read with Polars, SDG 8.7.1 child
  labour computed with Polars expressions (economic activity 1/14/43 hours at 5-11/12-14/15-17
  and household chores, water and firewood included, 21 hours at 5-14; unknown hours 97-99
  count as not reaching a threshold; completed interviews only), then
  ``Sample.estimation.prop`` by the three domains. Its whole-sample estimate is checked
  against ipec's (it must agree to 1e-9), so both compute the same thing. ``--peer-python``
  runs it with another interpreter (a virtual environment with svy installed);
- with ``--tables``: ``ipec survey tables FILE --map mics6 -p sdg-8.7.1`` (the whole
  standard table set), in memory and ``--streaming``.

Peak memory (max RSS) and CPU time (user + system, least of the runs) of each process are
printed too, and the load average before and after. On a shared machine the wall times
mostly measure waiting for a core; CPU time measures the work done, and moves far less with
the load (a process whose threads run in parallel on quiet cores can use more CPU seconds
than wall seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = ["fsweight", "HH1", "stratum", "FS17", "CB3", "HL4", "HH7", "CL1A", "CL1B", "CL1C",
           "CL1X", "CL3", "CL7", "CL8", "CL9", "CL10", "CL11A", "CL11B", "CL11C", "CL11D",
           "CL11E", "CL11F", "CL11X", "CL13"]  # fmt: skip

FLOOR = """
import sys, polars as pl
pl.scan_parquet(sys.argv[1]).select(pl.col(c).sum() for c in {columns}).collect()
"""

SVY = """
import json, sys, polars as pl, svy
cols = {columns}
d = pl.read_parquet(sys.argv[1], columns=cols).filter(pl.col("FS17") == 1)
def hours(c):
    return pl.when(pl.col(c).is_in([97, 98, 99])).then(None).otherwise(pl.col(c).cast(pl.Float64))
def any_of(cs):
    return pl.any_horizontal([pl.col(c) == 1 for c in cs])
econ = any_of(["CL1A", "CL1B", "CL1C", "CL1X"])
chores = any_of(["CL11A", "CL11B", "CL11C", "CL11D", "CL11E", "CL11F", "CL11X"])
water, wood = pl.col("CL7") == 1, pl.col("CL9") == 1
chores_parts = [(chores, hours("CL13")), (water, hours("CL8")), (wood, hours("CL10"))]
chores_any = chores | water | wood
known = pl.any_horizontal([f & h.is_not_null() for f, h in chores_parts])
chores_h = pl.when(known).then(pl.sum_horizontal(
    [pl.when(f).then(h).otherwise(0.0) for f, h in chores_parts]).round(6))
age, eh = pl.col("CB3"), pl.when(econ).then(hours("CL3"))
limit = pl.when(age <= 11).then(1).when(age <= 14).then(14).otherwise(43)
cl = (econ & (eh >= limit).fill_null(False)) | (
    chores_any & (age <= 14) & (chores_h >= 21).fill_null(False))
d = d.with_columns(
    child_labour=pl.when(age.is_between(5, 17)).then(cl.cast(pl.Int8)),
    weight=pl.when(age.is_between(5, 17)).then(pl.col("fsweight")).otherwise(0.0),
    psu_uid=pl.col("stratum").cast(pl.Int64) * 1_000_000 + pl.col("HH1").cast(pl.Int64),
    sex=pl.col("HL4"), region=pl.col("HH7"),
    age_group=pl.when(age <= 11).then(pl.lit("5-11")).when(age <= 14).then(pl.lit("12-14"))
    .otherwise(pl.lit("15-17")),
).filter(age.is_between(5, 17))
sample = svy.Sample(d, svy.Design(stratum="stratum", psu="psu_uid", wgt="weight"))
sample.estimation.prop("child_labour", by=["sex", "age_group", "region"], deff="wor")
total = sample.estimation.prop("child_labour").to_polars()
yes = total.filter(pl.col(total.columns[0]).cast(pl.String).is_in(["1", "true"]))
print(json.dumps(float(yes["est"][0])))
"""


def _timed(command: list[str], runs: int) -> tuple[float, float, str, float]:
    """Best wall time, the largest peak memory of one run (max RSS, MB), the last run's
    standard output and the least CPU time (user + system) of a run."""
    best, peak, out, cpu = float("inf"), 0.0, "", float("inf")
    for _ in range(runs):
        with tempfile.TemporaryFile("w+") as captured:
            began = time.perf_counter()
            process = subprocess.Popen(command, stdout=captured, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            best = min(best, time.perf_counter() - began)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"failed: {' '.join(command)}")
            peak = max(peak, usage.ru_maxrss / 1024)
            cpu = min(cpu, usage.ru_utime + usage.ru_stime)
            captured.seek(0)
            out = captured.read()
    return best, peak, out, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-python", default=sys.executable, help="interpreter with svy")
    parser.add_argument("--tables", action="store_true", help="time ipec survey tables too")
    args = parser.parse_args()
    load_before = os.getloadavg()
    ipec = shutil.which("ipec")
    if ipec is None:
        parser.error("the ipec command is not on PATH (activate the virtual environment)")
    rows: list[tuple[str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "estimates.csv"
        floor = _timed([sys.executable, "-c", FLOOR.format(columns=COLUMNS), str(args.file)],
                       args.runs)  # fmt: skip
        rows.append(("floor: Polars reads the columns", floor[0], floor[1], floor[3]))
        base = [ipec, "survey", "estimate", str(args.file), "--map", "mics6", "-p",
                "sdg-8.7.1", "--by", "sex*age_group*region", "--indicators", "child_labour",
                "-o", str(out)]  # fmt: skip
        for label, option in (("ipec (in memory)", "--in-memory"), ("ipec --streaming",
                                                                      "--streaming")):  # fmt: skip
            timed = _timed([*base, option], args.runs)
            rows.append((label, timed[0], timed[1], timed[3]))
        import polars as pl

        ours = pl.read_csv(out).filter(pl.col("by") == "total")["estimate"][0]
        if args.tables:
            tables = [ipec, "survey", "tables", str(args.file), "--map", "mics6", "-p",
                      "sdg-8.7.1", "-o", str(Path(folder) / "tables.csv")]  # fmt: skip
            for label, option in (("ipec tables (in memory)", "--in-memory"),
                                  ("ipec tables --streaming", "--streaming")):  # fmt: skip
                timed = _timed([*tables, option], args.runs)
                rows.append((label, timed[0], timed[1], timed[3]))
        found = subprocess.run([args.peer_python, "-c", "import svy"], check=False)
        if found.returncode != 0:
            print("svy is not installed (pip install -r requirements/bench.txt): skipped")
        else:
            peer = _timed(
                [args.peer_python, "-c", SVY.format(columns=COLUMNS), str(args.file)], args.runs
            )
            theirs = json.loads(peer[2].strip().splitlines()[-1])
            assert abs(theirs - ours) < 1e-9, (theirs, ours)
            rows.append(("svy", peer[0], peer[1], peer[3]))
    print(f"{args.file}: SDG 8.7.1 child labour, total and 60 domains; best of {args.runs}")
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    print(f"{'process':34s} {'seconds':>8s} {'x floor':>8s} {'CPU s':>8s} {'x floor':>8s} "
          f"{'peak MB':>8s}")  # fmt: skip
    for label, seconds, peak, cpu in rows:
        print(f"{label:34s} {seconds:8.2f} {seconds / rows[0][1]:8.2f} {cpu:8.2f} "
              f"{cpu / rows[0][3]:8.2f} {peak:8.0f}")  # fmt: skip


if __name__ == "__main__":
    main()

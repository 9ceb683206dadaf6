"""Throughput and memory of ``ipec.classify`` on synthetic children, with peers side by side.

Run: python benchmarks/classify_throughput.py [--children 10000000] [--profiles sdg-8.7.1,...]

It builds a synthetic frame of N children in the canonical record (realistic shares of work,
chores, unknown hours and hazards), then times, in this one process:
- ipec.classify on the whole frame (validation included), once per profile, with the industry
  code as text and as a labelled (Enum) column, as value-labelled survey files give it;
- a hand-written NumPy version of the SDG 8.7.1 rule (the fastest plain peer we know);
- a pure-Python loop over rows applying the same SDG rule (what per-case scripts do), on a
  sample, extrapolated per child.
It prints children per second, the ratio to each peer and the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import polars as pl

from ipec.classify import classify
from ipec.classify.record import HAZARD_COLUMNS

ISIC_CODES = ("0111", "0510", "4100", "4711")


def synthetic_children(n: int, seed: int = 7) -> pl.DataFrame:
    """N children aged 3-19 with plausible activity patterns and ~3% unknown hours."""
    rng = np.random.default_rng(seed)
    age = rng.integers(3, 20, n, dtype=np.int16)
    econ_any = rng.random(n) < 0.25
    econ_hours = np.round(rng.gamma(1.6, 9.0, n), 1).clip(0, 100)
    econ_hours[rng.random(n) < 0.03] = np.nan
    chores_any = rng.random(n) < 0.6
    chores_hours = np.round(rng.gamma(2.0, 6.0, n), 1).clip(0, 90)
    water_any = rng.random(n) < 0.3
    water_hours = np.round(rng.gamma(1.2, 3.0, n), 1).clip(0, 40)
    columns: dict[str, object] = {
        "age": age,
        "econ_any": econ_any,
        "econ_hours": pl.Series(econ_hours).fill_nan(None),
        "chores_any": chores_any,
        "chores_hours": chores_hours,
        "water_any": water_any,
        "water_hours": water_hours,
        "firewood_any": rng.random(n) < 0.15,
        "firewood_hours": np.round(rng.gamma(1.2, 3.0, n), 1).clip(0, 40),
    }
    for column in HAZARD_COLUMNS:
        columns[column] = econ_any & (rng.random(n) < 0.04)
    columns["isic"] = pl.Series(rng.choice([*ISIC_CODES, None], n))
    columns["wfcl_other"] = rng.random(n) < 0.001
    return pl.DataFrame(columns)


def numpy_sdg(frame: pl.DataFrame) -> np.ndarray:
    """SDG 8.7.1 (with chores) written directly in NumPy, no validation."""
    age = frame["age"].to_numpy()
    econ = frame["econ_any"].to_numpy()
    hours = frame["econ_hours"].to_numpy()
    chores = np.zeros(len(age))
    reported = np.zeros(len(age), dtype=bool)
    for activity in ("chores", "water", "firewood"):
        flag = frame[f"{activity}_any"].to_numpy()
        chores += np.where(flag, np.nan_to_num(frame[f"{activity}_hours"].to_numpy()), 0.0)
        reported |= flag
    chores = chores.round(6)
    with np.errstate(invalid="ignore"):
        work = econ & (
            ((age < 12) & (hours >= 1))
            | ((age >= 12) & (age <= 14) & (hours >= 14))
            | ((age <= 17) & (hours >= 43))
        )
    worst = frame["wfcl_other"].to_numpy()
    return (age >= 5) & (age <= 17) & (work | (reported & (age <= 14) & (chores >= 21)) | worst)


def python_loop_sdg(rows: list[dict[str, object]]) -> list[bool]:
    """The same rule, one child at a time in plain Python."""
    out = []
    for row in rows:
        age = int(row["age"])  # type: ignore[call-overload]
        hours = row["econ_hours"]
        chores = round(
            sum(
                float(row[f"{a}_hours"] or 0.0)  # type: ignore[arg-type]
                for a in ("chores", "water", "firewood")
                if row[f"{a}_any"]
            ),
            6,
        )
        work = (
            bool(row["econ_any"])
            and hours is not None
            and (
                (age < 12 and hours >= 1)  # type: ignore[operator]
                or (12 <= age <= 14 and hours >= 14)  # type: ignore[operator]
                or (age <= 17 and hours >= 43)  # type: ignore[operator]
            )
        )
        worst = bool(row["wfcl_other"])
        out.append(5 <= age <= 17 and (work or (age <= 14 and chores >= 21) or worst))
    return out


def _best(seconds: list[float]) -> float:
    return min(seconds)


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000_000)
    parser.add_argument("--profiles", default="sdg-8.7.1,ilo-global-estimates")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-sample", type=int, default=200_000)
    args = parser.parse_args()

    n = args.children
    start = time.perf_counter()
    frame = synthetic_children(n)
    print(
        f"built {n:,} synthetic children in {time.perf_counter() - start:.1f} s "
        f"({frame.estimated_size('mb'):.0f} MB in memory); peak RSS {_peak_mib():.0f} MiB"
    )

    labelled = frame.with_columns(pl.col("isic").cast(pl.Enum(sorted(ISIC_CODES))))
    timings: dict[str, float] = {}
    for profile in args.profiles.split(","):
        for isic, data in (("text", frame), ("labelled", labelled)):
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = classify(data, profile)
                runs.append(time.perf_counter() - start)
            seconds = _best(runs)
            timings.setdefault(profile, seconds)
            share = result["child_labour"].sum() / max(result["in_scope"].sum(), 1)
            del result
            print(
                f"ipec.classify {profile:<22} isic {isic:<8} {seconds:.3f} s  "
                f"{n / seconds / 1e6:6.1f} M children/s  "
                f"(child labour {share:.1%}); peak RSS {_peak_mib():.0f} MiB"
            )

    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        peer = numpy_sdg(frame)
        runs.append(time.perf_counter() - start)
    numpy_seconds = _best(runs)
    ours = classify(frame.head(1_000_000), "sdg-8.7.1")["child_labour"].to_numpy()
    agree = bool((ours == peer[:1_000_000]).all())
    print(
        f"peer NumPy SDG rule (no validation) {numpy_seconds:.3f} s  "
        f"{n / numpy_seconds / 1e6:6.1f} M children/s; agrees with ipec on 1M rows: {agree}"
    )

    sample = frame.head(args.loop_sample).to_dicts()
    start = time.perf_counter()
    python_loop_sdg(sample)
    loop_per_child = (time.perf_counter() - start) / len(sample)
    print(
        f"peer Python row loop (SDG rule)    {loop_per_child * n:.1f} s extrapolated  "
        f"{1 / loop_per_child / 1e6:6.2f} M children/s"
    )

    sdg = timings.get("sdg-8.7.1")
    if sdg:
        print(
            f"ratios for sdg-8.7.1: {numpy_seconds / sdg:.2f}x the NumPy peer's speed, "
            f"{loop_per_child * n / sdg:.0f}x the Python loop's"
        )
    print(f"peak RSS of the whole run: {_peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()

"""Time each programme metric for the first region of a database: p50, p95 and best of N runs.

Run: python benchmarks/monitoring_metrics.py URL [--runs 20] [--period 2025-12-01:2026-11-29]
                                              [--json out.json] [metric ...]

The database is one built by ``ipec demo --no-serve --children 1000000 --visits-per-child 3``
(SQLite or PostgreSQL); the region is the first area of level "region" by id. Each metric runs
in its own session (a fresh transaction, as an API request would) after one run that is not
counted (it warms the caches), ``--runs`` times in a row; the median, the 95th percentile
(inclusive method of ``statistics.quantiles``) and the best of the wall-clock times are
printed in milliseconds. Goal: every metric at p95 <= 500 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.db import make_engine
from ipec.monitoring import Area
from ipec.monitoring import metrics as m


def _metrics(period: m.Period) -> dict[str, Callable[[Session, str], Any]]:
    return {
        "identification": lambda s, p: m.identification_rate(s, area_path=p, period=period),
        "hazardous": lambda s, p: m.hazardous_work_rate(s, area_path=p, period=period),
        "support": lambda s, p: m.support_rate(s, area_path=p, period=period),
        "follow_up_compliance": lambda s, p: m.follow_up_compliance(s, area_path=p, period=period),
        "referral_acceptance": lambda s, p: m.referral_acceptance(s, area_path=p, period=period),
        "coverage": lambda s, p: m.coverage(s, area_path=p, period=period),
        "effectiveness": lambda s, p: m.effectiveness(s, area_path=p, period=period),
        "time_to_resolution": lambda s, p: m.time_to_resolution(s, area_path=p, period=period),
        "caseload": lambda s, p: m.caseload_per_monitor(s, area_path=p, period=period),
        "outcomes": lambda s, p: m.outcome_counts(s, area_path=p, period=period, minimum_age=15),
        "poc": lambda s, p: m.dol_child_indicators(s, area_path=p, period=period),
        "poh": lambda s, p: m.dol_household_indicators(s, area_path=p, period=period),
        "e1": lambda s, p: m.dol_education_services(s, area_path=p, period=period),
        "l1": lambda s, p: m.dol_livelihood_services(s, area_path=p, period=period),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("metrics", nargs="*")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--period", default="2025-12-01:2026-11-29")
    parser.add_argument("--json", help="also write {metric: {p50, p95, best, result}} (ms)")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be 2 or more (a percentile needs two times)")
    start, end = (date.fromisoformat(day) for day in args.period.split(":"))
    fns = _metrics(m.Period(start, end))
    unknown = sorted(set(args.metrics) - set(fns))
    if unknown:
        parser.error(f"unknown metric(s) {', '.join(unknown)}; choose from {', '.join(fns)}")
    engine = make_engine(args.url)
    with Session(engine) as session:
        region = session.scalars(
            select(Area.path).where(Area.level == "region").order_by(Area.id)
        ).first()
    assert region is not None, "the database has no region"
    print(f"region {region}, period {start}..{end}, {args.runs} runs after one warm-up, ms")
    print(f"{'metric':22s} {'p50':>7s} {'p95':>7s} {'best':>7s}")
    out: dict[str, Any] = {}
    for name in args.metrics or list(fns):
        times, result = [], None
        for _ in range(args.runs + 1):
            with Session(engine) as session:
                began = time.perf_counter()
                result = fns[name](session, region)
                times.append((time.perf_counter() - began) * 1000)
        times = times[1:]
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        print(f"{name:22s} {p50:7.0f} {p95:7.0f} {min(times):7.0f}", flush=True)
        out[name] = {"p50": round(p50), "p95": round(p95), "best": round(min(times)),
                     "result": repr(result)}  # fmt: skip
    if args.json:
        with open(args.json, "w") as file:
            json.dump(out, file, indent=1)


if __name__ == "__main__":
    main()

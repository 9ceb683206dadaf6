"""Precision, recall, time and memory of the duplicate finder on a synthetic register with
planted duplicates (``tests/monitoring/synthetic_register.py``).

Run: python benchmarks/duplicates_linkage.py [--households 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.monitoring.synthetic_register import register

from ipec.monitoring.duplicates import candidates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    people, truth = register(args.households, seed=args.seed)
    tracemalloc.start()
    started = time.perf_counter()
    found = {(candidate.first, candidate.second) for candidate in candidates(people)}
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    right = len(found & truth)
    print(
        f"{len(people)} children, {len(truth)} duplicates planted: {len(found)} candidates, "
        f"precision {right / max(len(found), 1):.3f}, recall {right / len(truth):.3f}, "
        f"{took:.1f} s, peak traced memory {peak / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()

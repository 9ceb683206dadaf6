"""Run one benchmark script under two checkouts of ipec, alternating, and compare.

Run: python benchmarks/compare_checkouts.py OLD_SRC NEW_SRC [--rounds 4] -- SCRIPT ARGS...

``OLD_SRC`` and ``NEW_SRC`` are the ``src`` folders of two checkouts (``git worktree add
../old REV`` gives one). ``SCRIPT`` is a benchmark of this folder that accepts ``--json OUT``
and writes ``{name: {"p50", "p95", "best", "result"}}`` (``monitoring_metrics.py`` does).
Each round runs the script once under each checkout, in alternating order (old first in even
rounds), so that a machine that slows down or warms up during the comparison weighs on both
alike. Printed per name: the mean over rounds of each checkout's p95, the new-to-old ratio,
and whether the results were the same in every round (the ``result`` texts compared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def _run(src: str, script: list[str], out: Path) -> dict[str, Any]:
    environment = {**os.environ, "PYTHONPATH": src}
    subprocess.run([sys.executable, *script, "--json", str(out)], check=True, env=environment,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_src")
    parser.add_argument("new_src")
    parser.add_argument("--rounds", type=int, default=4)
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("give the benchmark script and its arguments after --")
    cut = argv.index("--")
    args = parser.parse_args(argv[:cut])
    script = argv[cut + 1 :]
    if not script:
        parser.error("give the benchmark script and its arguments after --")
    runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(args.rounds):
            order = ["old", "new"] if round_number % 2 == 0 else ["new", "old"]
            for which in order:
                src = args.old_src if which == "old" else args.new_src
                runs[which].append(_run(src, script, Path(folder) / f"{which}.json"))
                print(f"round {round_number + 1}: {which} done", file=sys.stderr, flush=True)
    print(f"{'name':22s} {'old p95':>8s} {'new p95':>8s} {'ratio':>6s}  same results")
    for name in runs["old"][0]:
        old = statistics.mean(run[name]["p95"] for run in runs["old"])
        new = statistics.mean(run[name]["p95"] for run in runs["new"])
        results = {run[name]["result"] for which in runs.values() for run in which}
        same = "yes" if len(results) == 1 else "NO"
        print(f"{name:22s} {old:8.0f} {new:8.0f} {new / old:6.2f}  {same}")


if __name__ == "__main__":
    main()

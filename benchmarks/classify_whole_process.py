"""``ipec classify`` as users run it (read Parquet, classify, write Parquet), whole processes
with start-up, beside the floor: Polars reading the same input and writing a frame of the
output's shape.

Run: python benchmarks/classify_whole_process.py [--children 10000000] [--runs 3]
    [--profile sdg-8.7.1]

The input is ``classify_throughput.synthetic_children`` (the canonical record, industry codes
as text) written once as Parquet. Each contender is a fresh process, best of ``--runs``:

- floor: ``python -c`` that imports Polars, reads the input and writes ipec's output frame
  (read from ipec's output file beforehand; that read is timed inside the process and taken
  off, so the floor is start-up + reading the input + writing a frame of the output's shape);
- ipec: ``ipec classify IN -p PROFILE -o OUT`` (with its summary table on the terminal).

The runs alternate (ipec, floor, ipec, ...), so a change of load hits both alike. Prints
seconds, the ratio to the floor, peak memory and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = """
import sys, time
import polars as pl
input_path, shaped, out = sys.argv[1:4]
began = time.perf_counter()
frame = pl.read_parquet(shaped)  # the output's shape, taken off below
untimed = time.perf_counter() - began
pl.read_parquet(input_path)
frame.write_parquet(out)
print(untimed)
"""


def _run(command: list[str]) -> tuple[float, float, str]:
    """Wall time, peak memory (MB) and standard output of one process."""
    with tempfile.TemporaryFile("w+") as captured:
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=captured, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(command)}")
        captured.seek(0)
        return seconds, usage.ru_maxrss / 1024, captured.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="sdg-8.7.1")
    args = parser.parse_args()
    ipec = shutil.which("ipec")
    if ipec is None:
        parser.error("the ipec command is not on PATH (activate the virtual environment)")
    sys.path.insert(0, str(Path(__file__).parent))
    from classify_throughput import synthetic_children

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "children.parquet"
        out, copy = Path(folder) / "classified.parquet", Path(folder) / "copy.parquet"
        synthetic_children(args.children).write_parquet(source)
        command = [ipec, "classify", str(source), "-p", args.profile, "-o", str(out)]
        ours, floors = [], []
        for _ in range(args.runs):  # alternated, so a change of load hits both alike
            ours.append(_run(command))
            seconds, peak, printed = _run(
                [sys.executable, "-c", FLOOR, str(source), str(out), str(copy)]
            )
            floors.append((seconds - float(printed.strip()), peak))
    floor = min(floors)
    best = min(ours)
    print(f"ipec classify, {args.children:,} children, {args.profile}; best of {args.runs}")
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    print(f"{'process':40s} {'seconds':>8s} {'x floor':>8s} {'peak MB':>8s}")
    print(f"{'floor: read input, write output shape':40s} {floor[0]:8.2f} {1:8.2f} "
          f"{max(p for _, p in floors):8.0f}")  # fmt: skip
    print(f"{'ipec classify':40s} {best[0]:8.2f} {best[0] / floor[0]:8.2f} "
          f"{max(p for _, p, _ in ours):8.0f}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Peak memory of ``ipec survey tables`` and ``estimate`` read streaming, as the rows grow and
the design does not: a Parquet dataset of K copies of one survey file (links, no extra disk).

Run: python benchmarks/survey_streaming_memory.py FILE.parquet [--copies 1,4] [--runs 1]
    [--commands tables,estimate] [--in-memory]

FILE is a MICS6-shaped Parquet file (``ipec survey synth -n 5000000 -o s5m.parquet``). Each
copy repeats every cluster's rows, so the dataset of K copies has K times the rows and the
same PSUs and domain cells: streaming, the peak memory must stay flat (bounded by PSUs x
cells), not grow with K. Every command is a fresh process (``ipec survey tables FILE --map
mics6 -p sdg-8.7.1 --streaming``; ``estimate`` by sex x age group x region, child labour),
beside the floor: Polars scanning the columns the map reads, streaming (one sum a column).
``--in-memory`` runs the commands whole too, for comparison.

Prints seconds, the ratio to the floor, peak memory (max RSS) and the load average.
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

COLUMNS = ["fsweight", "HH1", "stratum", "FS17", "CB3", "HL4", "HH6", "HH7", "CB7",
           "melevel", "fsdisability", "windex5", "CL1A", "CL1B", "CL1C", "CL1X", "CL3",
           "CL4", "CL5", "CL6A", "CL6B", "CL6C", "CL6D", "CL6E", "CL6X", "CL7", "CL8",
           "CL9", "CL10", "CL11A", "CL11B", "CL11C", "CL11D", "CL11E", "CL11F", "CL11X",
           "CL13"]  # fmt: skip

FLOOR = """
import sys, polars as pl
frame = pl.scan_parquet(sys.argv[1])
names = [c for c in {columns} if c in frame.collect_schema()]
frame.select(pl.col(c).sum() for c in names).collect(engine="streaming")
"""


def _run(command: list[str]) -> tuple[float, float]:
    """Wall time and peak memory (MB) of one process."""
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def _best(command: list[str], runs: int) -> tuple[float, float]:
    times = [_run(command) for _ in range(runs)]
    return min(t for t, _ in times), max(p for _, p in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--copies", default="1,4")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--commands", default="tables,estimate")
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args()
    ipec = shutil.which("ipec")
    if ipec is None:
        parser.error("the ipec command is not on PATH (activate the virtual environment)")
    source = args.file.resolve()
    print(f"{source.name}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'copies':>6s} {'process':28s} {'seconds':>8s} {'x floor':>8s} {'peak MB':>8s}")
    with tempfile.TemporaryDirectory() as folder:
        for copies in (int(k) for k in args.copies.split(",")):
            dataset = Path(folder) / f"x{copies}"
            dataset.mkdir()
            for i in range(copies):
                (dataset / f"part-{i}.parquet").symlink_to(source)
            floor = _best([sys.executable, "-c", FLOOR.format(columns=COLUMNS), str(dataset)],
                          args.runs)  # fmt: skip
            print(f"{copies:6d} {'floor: Polars scans':28s} {floor[0]:8.2f} {1:8.2f} "
                  f"{floor[1]:8.0f}", flush=True)  # fmt: skip
            modes = ["--streaming", "--in-memory"] if args.in_memory else ["--streaming"]
            for name in args.commands.split(","):
                command = [ipec, "survey", name, str(dataset), "--map", "mics6", "-p",
                           "sdg-8.7.1", "-o", str(Path(folder) / f"{name}.csv")]  # fmt: skip
                if name == "estimate":
                    command += ["--by", "sex*age_group*region", "--indicators", "child_labour"]
                for mode in modes:
                    seconds, peak = _best([*command, mode], args.runs)
                    label = f"{name} {mode}"
                    print(f"{copies:6d} {label:28s} {seconds:8.2f} {seconds / floor[0]:8.2f} "
                          f"{peak:8.0f}", flush=True)  # fmt: skip
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

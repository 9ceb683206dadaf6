"""Time the ``ipec`` command's start as a user runs it: whole processes, best and median of N.

Run: python benchmarks/cli_startup.py [--runs 15]

Each command is a fresh process (``ipec --version``, ``ipec --help``, ``ipec profiles list``)
beside the floor, a Python interpreter that imports nothing (``python -c pass``) and one that
imports only Typer, the command-line library. Goal: ``--version`` and ``profiles list`` in
0.3 s or less on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

_COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "python -c 'import typer'": [sys.executable, "-c", "import typer"],
    "ipec --version": ["ipec", "--version"],
    "ipec --help": ["ipec", "--help"],
    "ipec profiles list": ["ipec", "profiles", "list"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ipec = shutil.which("ipec")
    if ipec is None:
        parser.error("the ipec command is not on PATH (activate the virtual environment)")
    print(f"{'command':28s} {'best':>7s} {'median':>7s}  (seconds, {args.runs} runs)")
    for name, argv in _COMMANDS.items():
        command = [ipec, *argv[1:]] if argv[0] == "ipec" else argv
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - began)
        print(f"{name:28s} {min(times):7.3f} {statistics.median(times):7.3f}", flush=True)


if __name__ == "__main__":
    main()

"""Replicate-weight designs from the command line, as users run them (start-up included).

Run: python benchmarks/survey_replicate_designs.py [--children 200000] [--replicates 80]
     [--baseline SRC] [--repeat 3]

Writes (once) a synthetic MICS6-shaped survey, then times whole commands in child processes
and reports wall seconds and each child's peak memory:
- the floor: ``python -c`` reading the same Parquet file with Polars;
- ``ipec survey replicate`` adding bootstrap replicate weights to the file;
- ``ipec survey estimate`` and ``ipec survey tables`` under SDG 8.7.1 on the replicate design
  (``--df domain``, R's degf of each domain, and ``--df infinite``, which skips the rank of
  each domain's replicate weights), and on the linearised design of the same file;
- with ``--baseline SRC`` (an older checkout's ``src`` folder), the same commands run by that
  code (a map without the keys it does not know), for a before/after ratio.
The middle of ``--repeat`` runs is shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAP_DESIGN = """[design]
weight = "fsweight"
keep = { variable = "FS17", values = [1] }
replicates = { prefix = "repw", type = "bootstrap", scale = %r }
"""


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and what one child process wrote to stderr."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        errors.seek(0)
        said = errors.read().decode()
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{said}")
    return elapsed, usage.ru_maxrss / 1024, said


def _median(args: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    runs = [_run(args, env) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def _replicate_map(folder: Path, scale: float) -> Path:
    """The shipped MICS6 map with the replicate weights instead of PSUs and strata."""
    from ipec.survey.maps import loader

    text = (Path(loader.__file__).parent / "mics6.toml").read_text(encoding="utf-8")
    head, _, rest = text.partition("[design]")
    _, _, tail = rest.partition("[child]")
    path = folder / "mics6-bootstrap.toml"
    body = head.replace('id = "mics6"', 'id = "mics6-bootstrap"')
    path.write_text(body + MAP_DESIGN % scale + "\n[child]" + tail, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--replicates", type=int, default=80)
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ipec-bench-rep-"))
    survey = folder / "survey.parquet"
    with_reps = folder / "survey-bootstrap.parquet"
    ipec = [sys.executable, "-m", "ipec"]
    _run([*ipec, "survey", "synth", "-n", str(args.children), "--seed", "3", "-o", str(survey)])

    rows: list[tuple[str, float, float]] = []
    floor = [sys.executable, "-c", f"import polars as pl; pl.read_parquet({str(with_reps)!r})"]
    replicate = [*ipec, "survey", "replicate", str(survey), "--map", "mics6", "--type",
                 "bootstrap", "--replicates", str(args.replicates), "--seed", "1",
                 "-o", str(with_reps)]  # fmt: skip
    seconds, peak, said = _run(replicate)
    rows.append(("replicate (add bootstrap weights)", seconds, peak))
    rows.append(("floor: read the file with Polars", *_median(floor, args.repeat)))

    from ipec.survey.pipeline import open_mapped

    (scale,) = (float(line.split("=")[1]) for line in said.splitlines() if "scale =" in line)
    survey_map = _replicate_map(folder, scale)
    assert open_mapped(with_reps, str(survey_map)).design.type == "bootstrap"  # type: ignore[union-attr]

    replicate_map = ["--map", str(survey_map)]
    commands = {
        "estimate, replicate, --df domain": ["estimate", *replicate_map],
        "estimate, replicate, --df infinite": ["estimate", *replicate_map, "--df", "infinite"],
        "estimate, linearised (mics6 map)": ["estimate", "--map", "mics6"],
        "tables, replicate, --df domain": ["tables", *replicate_map],
        "tables, linearised (mics6 map)": ["tables", "--map", "mics6"],
    }
    for name, command in commands.items():
        suffix = ".xlsx" if command[0] == "tables" else ".csv"
        out = folder / f"out{suffix}"
        full = [*ipec, "survey", command[0], str(with_reps), *command[1:], "-p", "sdg-8.7.1",
                "-o", str(out)]  # fmt: skip
        rows.append((name, *_median(full, args.repeat)))
        if args.baseline is not None:
            env = {**os.environ, "PYTHONPATH": str(args.baseline)}
            rows.append((f"  baseline {name}", *_median(full, args.repeat, env)))

    base = rows[1][1]
    print(f"{args.children:,} children, {args.replicates} bootstrap replicates, 2 cores")
    print(f"{'command':45} {'seconds':>8} {'x floor':>8} {'peak MiB':>9}")
    for name, seconds, peak in rows:
        print(f"{name:45} {seconds:8.2f} {seconds / base:8.1f} {peak:9.0f}")


if __name__ == "__main__":
    main()

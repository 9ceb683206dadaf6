"""Out-of-core estimate: write a large Parquet file in chunks, then estimate from scan_parquet.

The estimate runs in a child process, so the peak RSS it reports (ru_maxrss) is the estimate's
own, not the writer's. 500 strata x 20 PSUs, 60 domains, one boolean indicator; columns are
int16/int8/float32/bool to keep the file small.

    PYTHONPATH=src python benchmarks/survey_out_of_core.py [--rows 100000000] [--path P]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

CHUNK = 5_000_000


def write(path: Path, rows: int, seed: int = 1) -> None:
    """Write ``rows`` synthetic rows in chunks (one row group per chunk)."""
    rng = np.random.default_rng(seed)
    writer: pq.ParquetWriter | None = None
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        psu = rng.integers(0, 10_000, n)
        age = rng.integers(0, 3, n).astype(np.int8)
        chunk = pl.DataFrame(
            {
                "stratum": (psu // 20).astype(np.int16),
                "psu": (psu % 20).astype(np.int8),
                "weight": rng.uniform(50, 150, n).astype(np.float32),
                "child_labour": rng.random(n) < 0.2 + 0.05 * age,
                "sex": rng.integers(0, 2, n).astype(np.int8),
                "age_group": age,
                "region": rng.integers(0, 10, n).astype(np.int8),
            }
        ).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(path, chunk.schema)
        writer.write_table(chunk)
    assert writer is not None
    writer.close()


def child(path: str) -> None:
    """Estimate from scan_parquet and print wall seconds and peak RSS."""
    from ipec.survey import Proportion, SurveyDesign, estimate

    design = SurveyDesign(weight="weight", strata="stratum", psu="psu")
    t0 = time.perf_counter()
    res = estimate(
        pl.scan_parquet(path),
        design,
        Proportion("child_labour"),
        by=("sex", "age_group", "region"),
    )
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = res.to_polars().row(0, named=True)
    print(f"estimate on scan_parquet: {wall:.2f} s wall, peak RSS {peak:,.0f} MiB, "
          f"{len(res)} rows, overall p={row['estimate']:.6f} se={row['se']:.6f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/ipec_survey_ooc.parquet"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(str(args.path))
        return
    t0 = time.perf_counter()
    write(args.path, args.rows)
    size = args.path.stat().st_size / 2**20
    print(f"wrote {args.rows:,} rows to {args.path} ({size:,.0f} MiB) in "
          f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
    subprocess.run(
        [sys.executable, __file__, "--child", "--rows", str(args.rows), "--path", str(args.path)],
        check=True,
    )


if __name__ == "__main__":
    main()

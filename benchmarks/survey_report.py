"""Time the situational analysis report and the SDG table set on a large synthetic survey.

Run: python benchmarks/survey_report.py [--children 10000000] [--path /tmp/synth.parquet]

Writes (once) a synthetic MICS6-shaped survey as Parquet, then times, in this process:
- reading and mapping it (``open_mapped``);
- the SDG 8.7.1 table set (both series by sex, age group, 5-14, sex x age group), from the
  mapped survey: classification under both profiles and the estimates;
- the whole report (``write_report``: reading, mapping, five profiles classified, every
  estimate, the charts and the page).
It prints wall seconds and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from ipec.survey.analysis import EstimateOptions
from ipec.survey.pipeline import open_mapped
from ipec.survey.report import write_report
from ipec.survey.synth import SynthDesign, synthetic_mics6
from ipec.survey.tables import STANDARD_TABLES, sdg_table


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000_000)
    parser.add_argument("--path", type=Path, default=None)
    args = parser.parse_args()
    path = args.path or Path(tempfile.gettempdir()) / f"ipec-synth-{args.children}.parquet"
    if not path.exists():
        start = time.perf_counter()
        synthetic_mics6(SynthDesign.for_size(args.children)).write_parquet(path)
        print(f"wrote {args.children:,} children to {path} in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    mapped = open_mapped(path, "mics6")
    mapped_seconds = time.perf_counter() - start
    print(f"read and map: {mapped_seconds:.2f} s")
    start = time.perf_counter()
    table = sdg_table(mapped, EstimateOptions())
    sdg_seconds = time.perf_counter() - start
    print(
        f"SDG 8.7.1 table set ({STANDARD_TABLES[0].id}, {table.height} cells) from the mapped "
        f"survey: {sdg_seconds:.2f} s; from the file: {mapped_seconds + sdg_seconds:.2f} s"
    )
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.html"
        start = time.perf_counter()
        write_report(path, output, survey_map="mics6", profile="sdg-8.7.1",
                     compare=["mics6-2017", "ilo-global-estimates"])  # fmt: skip
        report_seconds = time.perf_counter() - start
        size = output.stat().st_size / 1024
    print(f"whole report from the file: {report_seconds:.2f} s ({size:.0f} KiB of HTML)")
    print(f"peak RSS: {_peak_mib():,.0f} MiB")


if __name__ == "__main__":
    main()

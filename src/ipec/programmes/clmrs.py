"""CLMRS reporting: the figures the cocoa platforms' CLMRS benchmarking compares, as one
table for a programme and a period, each from ipec's own metric (one definition each, see
docs/monitoring.md, "Metrics"), the programme's areas added up:

- households covered: households with a visit in the 12 months up to the period's end /
  households registered (``coverage``);
- children identified: children found in child labour at a visit in the period
  (``identification_rate``'s numerator, over the children visited);
- percentage supported: children whose child-labour case opened in the period and received
  at least one kind of service (``support_rate``);
- percentage no longer in child labour at follow-up: children out of child labour at their
  two latest follow-up visits, of those followed up twice with the latest in the period
  (``effectiveness_rates``).

The benchmarking study's own wording was not available to this project: the mapping of its
four figures to these metrics is ipec's reading, stated here so that a reader can judge.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ipec.monitoring.metrics import (
    Period,
    Rate,
    coverage,
    effectiveness_rates,
    identification_rate,
    support_rate,
)
from ipec.programmes.annex import top_paths
from ipec.programmes.models import Programme

__all__ = ["ClmrsRow", "clmrs_table", "clmrs_xlsx"]


@dataclass(frozen=True, slots=True)
class ClmrsRow:
    """One figure: numerator over denominator (``value`` their ratio, None without base)."""

    code: str
    label: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def _total(rates: list[Rate]) -> tuple[int, int]:
    total = next(r for r in rates if r.group == "total")
    return total.numerator, total.denominator


def clmrs_table(session: Session, programme: Programme, period: Period) -> list[ClmrsRow]:
    """The four figures for the programme's areas and the period."""
    sums = {"covered": [0, 0], "identified": [0, 0], "supported": [0, 0], "out": [0, 0]}
    for path in top_paths(session, programme):
        for key, rates in (
            ("covered", coverage(session, area_path=path, period=period)),
            ("identified", identification_rate(session, area_path=path, period=period)),
            ("supported", support_rate(session, area_path=path, period=period)),
            ("out", effectiveness_rates(session, area_path=path, period=period)),
        ):
            numerator, denominator = _total(rates)
            sums[key][0] += numerator
            sums[key][1] += denominator
    labels = {
        "covered": "Households covered (visited in the past 12 months / registered)",
        "identified": "Children identified in child labour (/ children visited)",
        "supported": "Children identified who received support (%)",
        "out": "Children no longer in child labour at follow-up (%)",
    }
    return [ClmrsRow(key, labels[key], *sums[key]) for key in labels]


def clmrs_xlsx(programme: Programme, period: Period, rows: list[ClmrsRow]) -> bytes:
    """The table as XLSX."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("CLMRS")
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    sheet.write_row(0, 0, [programme.name, f"{period.start} to {period.end}"], bold)
    sheet.write_row(2, 0, ["Figure", "Description", "Number", "Base", "Share"], bold)
    for index, row in enumerate(rows, start=3):
        sheet.write_row(index, 0, [row.code, row.label, row.numerator, row.denominator])
        if row.value is not None:
            sheet.write(index, 4, row.value, percent)
    sheet.set_column(1, 1, 60)
    book.close()
    return buffer.getvalue()

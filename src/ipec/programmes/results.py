"""Planned versus achieved: each target beside what the metrics find for its area, period
and group (computed, never typed in), and the table as XLSX.

Each indicator is computed once per (area, period): the groups of a target list come from the
same metric rows. POH, DOL's before-and-after comparison, is computed over the programme from
its start to the target's end (its households are those counted in L1 by then).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.metrics import Period
from ipec.monitoring.models import Area
from ipec.programmes.indicators import INDICATORS, Achieved, Unit
from ipec.programmes.models import Programme, Target, TargetGroup

__all__ = ["TargetResult", "planned_versus_achieved", "results_xlsx"]


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One target and what was achieved; ``share`` is achieved / planned (None when the
    plan is 0 or nothing could be computed)."""

    target: Target
    area_name: str
    achieved: Achieved

    @property
    def share(self) -> float | None:
        value = self.achieved.value
        if value is None or not self.target.planned:
            return None
        return value / self.target.planned


def planned_versus_achieved(
    session: Session,
    programme: Programme,
    *,
    scope_path: str = "/",
    start: date | None = None,
    end: date | None = None,
) -> list[TargetResult]:
    """The programme's targets in the areas under ``scope_path`` (the reader's) whose period
    lies within ``start``-``end`` (any when None), by period, indicator, area and group."""
    query = (
        select(Target, Area)
        .join(Area, Area.id == Target.area_id)
        .where(Target.programme_id == programme.id, Area.path.startswith(scope_path,
                                                                         autoescape=True))
        .order_by(Target.starts_on, Target.indicator, Area.path, Target.target_group)
    )  # fmt: skip
    if start is not None:
        query = query.where(Target.starts_on >= start)
    if end is not None:
        query = query.where(Target.ends_on <= end)
    computed: dict[tuple[str, str, date, date], dict[TargetGroup, Achieved]] = {}
    results = []
    for target, area in session.execute(query):
        indicator = INDICATORS[target.indicator]
        begins = programme.starts_on if target.indicator.startswith("POH") else target.starts_on
        key = (target.indicator, area.path, begins, target.ends_on)
        if key not in computed:
            computed[key] = indicator.compute(session, area.path, Period(begins, target.ends_on))
        results.append(TargetResult(target, area.name, computed[key][target.target_group]))
    return results


def results_xlsx(programme: Programme, results: list[TargetResult]) -> bytes:
    """The planned-versus-achieved table as an XLSX workbook; refused when there is no
    target in the period (an empty table is not a report)."""
    import xlsxwriter

    if not results:
        raise DataError(f"programme {programme.name} has no target in this period: nothing "
                        "to export", column="period")  # fmt: skip
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Planned vs achieved")
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    sheet.write_row(0, 0, [programme.name, programme.kind.value, str(programme.starts_on),
                           str(programme.ends_on)], bold)  # fmt: skip
    header = ["Indicator", "Description", "Unit", "From", "To", "Area", "Group", "Planned",
              "Achieved", "Numerator", "Denominator", "Achieved / planned"]  # fmt: skip
    sheet.write_row(2, 0, header, bold)
    for row, result in enumerate(results, start=3):
        target, indicator = result.target, INDICATORS[result.target.indicator]
        rate = indicator.unit is Unit.RATE
        values: list[object] = [
            target.indicator, indicator.label, indicator.unit.value, str(target.starts_on),
            str(target.ends_on), result.area_name, target.target_group.value,
        ]  # fmt: skip
        sheet.write_row(row, 0, values)
        sheet.write(row, 7, target.planned, percent if rate else None)
        achieved = result.achieved.value
        if achieved is None:
            sheet.write(row, 8, "no base")
        else:
            sheet.write(row, 8, achieved, percent if rate else None)
        sheet.write(row, 9, result.achieved.numerator)
        if result.achieved.denominator is not None:
            sheet.write(row, 10, result.achieved.denominator)
        if result.share is not None:
            sheet.write(row, 11, result.share, percent)
    sheet.set_column(1, 1, 60)
    book.close()
    return buffer.getvalue()

"""The Technical Progress Report's Annex A (data reporting form) for US DOL's common
indicators: for a programme and a reporting period, each indicator with its target and what
was achieved, in total, for girls and boys and by age group, as rows and as XLSX.

The layout follows DOL's toolkit (``USDepartmentofLabor/Child-Labor-Participant-Monitoring-
Toolkit`` at ``1ccd1a82434789dd186c65b14c7996e23abdf866``: ``app/services/
education_indicator.rb`` lays E1 out as children engaged in child labour and at high risk,
each for girls, boys and in total, beside the target): one row per indicator (E1 also per
status and per service type, L1 per livelihood type, POH at intake and at the end), columns
target, total, girls, boys, then ipec's age groups on the period's end. The target is the
programme's target of the indicator for everyone ("all") whose period lies within the
reporting period: the sum of them for a count, the latest for a rate. The programme's areas
are added up (an area under another of the programme's areas is counted once, with it).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.metrics import (
    Count,
    Period,
    Rate,
    dol_child_indicators,
    dol_education_services,
    dol_household_indicators,
    dol_livelihood_services,
)
from ipec.programmes.models import Programme, Target, TargetGroup
from ipec.programmes.service import programme_areas

__all__ = ["AGE_GROUPS", "AnnexRow", "annex_a", "annex_a_xlsx", "top_paths"]

#: The age-group columns, in order.
AGE_GROUPS = ("under 5", "5-11", "12-14", "15-17", "18+")


@dataclass(slots=True)
class AnnexRow:
    """One line of Annex A: cells are (numerator, denominator) for a rate, (count, None)
    for a count, by column ("total", "girls", "boys", then the age groups)."""

    code: str
    label: str
    rate: bool
    target: float | None
    cells: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    def value(self, column: str) -> float | None:
        numerator, denominator = self.cells.get(column, (0, None if not self.rate else 0))
        if denominator is None:
            return float(numerator)
        return numerator / denominator if denominator else None


def _columns(group: str) -> list[str]:
    """The Annex columns a metric group ("female*5-11", "at_risk*male*12-14") adds to."""
    parts = group.split("*")
    columns = ["total"]
    if "female" in parts:
        columns.append("girls")
    elif "male" in parts:
        columns.append("boys")
    if parts[-1] in AGE_GROUPS:
        columns.append(parts[-1])
    return columns


def _add_rates(row: AnnexRow, rates: list[Rate]) -> None:
    for rate in rates:
        if rate.group == "total":
            continue
        for column in _columns(rate.group):
            numerator, denominator = row.cells.get(column, (0, 0))
            row.cells[column] = (numerator + rate.numerator, (denominator or 0) + rate.denominator)


def _add_counts(row: AnnexRow, counts: list[Count], status: str | None = None) -> None:
    for count in counts:
        if count.group == "total" or (status and not count.group.startswith(status + "*")):
            continue
        for column in _columns(count.group):
            row.cells[column] = (row.cells.get(column, (0, None))[0] + count.count, None)


def _target(session: Session, programme: Programme, code: str, period: Period,
            rate: bool) -> float | None:  # fmt: skip
    planned = session.execute(
        select(Target.planned, Target.ends_on).where(
            Target.programme_id == programme.id, Target.indicator == code,
            Target.target_group == TargetGroup.ALL, Target.starts_on >= period.start,
            Target.ends_on <= period.end,
        ).order_by(Target.ends_on)
    ).all()  # fmt: skip
    if not planned:
        return None
    return planned[-1][0] if rate else sum(p[0] for p in planned)


_POC = (("POC1", "% of participant children engaged in child labour", "poc1_child_labour"),
        ("POC2", "% of participant children engaged in hazardous child labour",
         "poc2_hazardous_work"),
        ("POC3", "% of participant children in other worst forms of child labour",
         "poc3_other_worst_forms"),
        ("POC4", "% of participant children who regularly attended any form of education "
         "during the past six months", "poc4_regular_attendance"))  # fmt: skip
_POH = (("POH1", "% of livelihood participant households with at least one child engaged in "
         "child labour", "poh1_child_labour"),
        ("POH2", "% of livelihood participant households with at least one child engaged in "
         "hazardous child labour", "poh2_hazardous_work"),
        ("POH3", "% of livelihood participant households with at least one child engaged in "
         "other worst forms", "poh3_other_worst_forms"),
        ("POH4", "% of livelihood participant households with all children of compulsory "
         "school age attending school regularly", "poh4_regular_attendance"))  # fmt: skip


def top_paths(session: Session, programme: Programme) -> list[str]:
    """The programme's areas without those under another of them (each child counted once)."""
    paths = [a.path for a in programme_areas(session, programme)]
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def annex_a(session: Session, programme: Programme, period: Period) -> list[AnnexRow]:
    """Annex A's rows for the reporting period; refused for a period outside the programme,
    and when the programme's areas had no participant child, no education service and no
    livelihood household in it (an annex of zeros would read as results)."""
    if period.end < programme.starts_on or period.start > programme.ends_on:
        raise DataError(f"{period.start} to {period.end} is outside {programme.name} "
                        f"({programme.starts_on} to {programme.ends_on})",
                        column="period")  # fmt: skip
    paths = top_paths(session, programme)
    life = Period(programme.starts_on, period.end)
    poc = [AnnexRow(code, label, True, _target(session, programme, code, period, True))
           for code, label, _ in _POC]  # fmt: skip
    poh = {stage: [AnnexRow(f"{code} ({stage})", label, True,
                            _target(session, programme, code, period, True))
                   for code, label, _ in _POH] for stage in ("intake", "end")}  # fmt: skip
    e1_total = AnnexRow("E1", "# of children engaged in or at high risk of entering child "
                        "labour provided education or vocational training services", False,
                        _target(session, programme, "E1", period, False))  # fmt: skip
    e1_status = [AnnexRow("E1 (child labour)", "engaged in child labour", False, None),
                 AnnexRow("E1 (at risk)", "at high risk of entering child labour", False,
                          None)]  # fmt: skip
    e1_types: dict[str, AnnexRow] = {}
    l1: dict[str, AnnexRow] = {}
    for path in paths:
        children = dol_child_indicators(session, area_path=path, period=period)
        for row, (_code, _label, attribute) in zip(poc, _POC, strict=True):
            _add_rates(row, getattr(children, attribute))
        households = dol_household_indicators(session, area_path=path, period=life)
        for stage in ("intake", "end"):
            for row, (_c, _l, attribute) in zip(poh[stage], _POH, strict=True):
                rate = getattr(getattr(households, stage), attribute)
                numerator, denominator = row.cells.get("total", (0, 0))
                row.cells["total"] = (numerator + rate.numerator,
                                      (denominator or 0) + rate.denominator)  # fmt: skip
        education = dol_education_services(session, area_path=path, period=period)
        _add_counts(e1_total, education["all"])
        _add_counts(e1_status[0], education["all"], "child_labour")
        _add_counts(e1_status[1], education["all"], "at_risk")
        for kind, counts in education.items():
            if kind != "all":
                row = e1_types.setdefault(kind, AnnexRow(f"E1 ({kind})", kind, False, None))
                _add_counts(row, counts)
        for kind, count in dol_livelihood_services(session, area_path=path,
                                                   period=period).items():  # fmt: skip
            label = "# of households receiving livelihood services" if kind == "all" else kind
            code = "L1" if kind == "all" else f"L1 ({kind})"
            target = _target(session, programme, "L1", period, False) if kind == "all" else None
            row = l1.setdefault(kind, AnnexRow(code, label, False, target))
            row.cells["total"] = (row.cells.get("total", (0, None))[0] + count, None)
    participants = poc[0].cells.get("total", (0, 0))[1]
    if (
        not participants
        and not e1_total.cells.get("total", (0,))[0]
        and not l1["all"].value("total")
    ):
        raise DataError(
            f"no participant child, education service or livelihood household in the areas "
            f"of {programme.name} from {period.start} to {period.end}: nothing to report",
            column="period",
        )
    return [*poc, *poh["intake"], *poh["end"], e1_total, *e1_status, *e1_types.values(),
            *l1.values()]  # fmt: skip


def annex_a_xlsx(programme: Programme, period: Period, rows: Sequence[AnnexRow]) -> bytes:
    """Annex A as an XLSX workbook: rates as percentages, counts as numbers; an empty cell
    where a rate has no base."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Annex A")
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    sheet.write(0, 0, "Technical Progress Report - Annex A: Data Reporting Form", bold)
    sheet.write_row(1, 0, [programme.name, programme.donor or "",
                           f"Reporting period {period.start} to {period.end}"])  # fmt: skip
    columns = ["total", "girls", "boys", *AGE_GROUPS]
    header = ["Code", "Indicator", "Target", "Achieved: total", "Girls", "Boys",
              *(f"Age {group}" for group in AGE_GROUPS), "Numerator", "Denominator"]  # fmt: skip
    sheet.write_row(3, 0, header, bold)
    for index, row in enumerate(rows, start=4):
        number = percent if row.rate else None
        sheet.write(index, 0, row.code)
        sheet.write(index, 1, row.label)
        if row.target is not None:
            sheet.write(index, 2, row.target, number)
        for offset, column in enumerate(columns, start=3):
            value = row.value(column)
            if value is not None and (column in row.cells or not row.rate):
                sheet.write(index, offset, value, number)
        numerator, denominator = row.cells.get("total", (0, None))
        sheet.write(index, 3 + len(columns), numerator)
        if denominator is not None:
            sheet.write(index, 4 + len(columns), denominator)
    sheet.set_column(1, 1, 70)
    book.close()
    return buffer.getvalue()

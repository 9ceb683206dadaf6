"""Planned versus achieved and Annex A against the hand-worked programme of ``world``."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.metrics import Period
from ipec.programmes.annex import annex_a, annex_a_xlsx
from ipec.programmes.models import PeriodKind, ProgrammeKind, TargetGroup
from ipec.programmes.results import planned_versus_achieved, results_xlsx
from ipec.programmes.service import add_target, create_programme
from tests.programmes.world import World, world

Q, H = PeriodKind.QUARTER, PeriodKind.HALF_YEAR
G = TargetGroup
FIRST_HALF = Period(date(2026, 1, 1), date(2026, 6, 30))


def _targets(session: Session, made: World) -> None:
    for indicator, kind, start, group, planned in [
        ("E1", Q, date(2026, 1, 1), G.ALL, 2),
        ("E1", Q, date(2026, 4, 1), G.ALL, 2),
        ("E1", Q, date(2026, 4, 1), G.GIRLS, 1),
        ("E1", Q, date(2026, 4, 1), G.AT_RISK, 1),
        ("E1", Q, date(2026, 4, 1), G.UNDER_12, 1),
        ("L1", H, date(2026, 1, 1), G.ALL, 1),
        ("POC1", H, date(2026, 1, 1), G.ALL, 0.5),
        ("POC1", H, date(2026, 1, 1), G.GIRLS, 0.25),
        ("IDENTIFIED", Q, date(2026, 1, 1), G.ALL, 3),
        ("IDENTIFIED", Q, date(2026, 4, 1), G.HAZARDOUS, 1),
    ]:
        add_target(session, programme_id=made.programme.id, indicator=indicator,
                   period_kind=kind, starts_on=start, area_id=made.a.id, target_group=group,
                   planned=planned, actor="pm")  # fmt: skip


def test_planned_versus_achieved(session: Session) -> None:
    """E1 Q1: g1 = 1 of 2; Q2: b1, r1 = 2 of 2; girls r1; at risk r1; under 12 nobody (r1
    is 13, b1 15). L1 H1: b1's household. POC1 H1: participants g1, b1, r1, in child labour
    in the half-year g1 (1 Feb), b1 (1 May) = 2/3; girls g1, r1 -> 1/2. Identified Q1: g1
    (x is in B); hazardous in Q2: b1."""
    made = world(session)
    _targets(session, made)
    results = planned_versus_achieved(session, made.programme)
    found = {(r.target.indicator, str(r.target.starts_on), r.target.target_group.value):
             (r.target.planned, r.achieved.numerator, r.achieved.denominator)
             for r in results}  # fmt: skip
    assert found == {
        ("E1", "2026-01-01", "all"): (2, 1, None),
        ("E1", "2026-04-01", "all"): (2, 2, None),
        ("E1", "2026-04-01", "girls"): (1, 1, None),
        ("E1", "2026-04-01", "at_risk"): (1, 1, None),
        ("E1", "2026-04-01", "under_12"): (1, 0, None),
        ("L1", "2026-01-01", "all"): (1, 1, None),
        ("POC1", "2026-01-01", "all"): (0.5, 2, 3),
        ("POC1", "2026-01-01", "girls"): (0.25, 1, 2),
        ("IDENTIFIED", "2026-01-01", "all"): (3, 1, None),
        ("IDENTIFIED", "2026-04-01", "hazardous"): (1, 1, None),
    }
    share = {(r.target.indicator, str(r.target.starts_on), r.target.target_group.value):
             r.share for r in results}  # fmt: skip
    assert share[("E1", "2026-01-01", "all")] == 0.5
    assert share[("POC1", "2026-01-01", "all")] == pytest.approx((2 / 3) / 0.5)
    # a window: the second quarter only
    q2 = planned_versus_achieved(session, made.programme, start=date(2026, 4, 1),
                                 end=date(2026, 6, 30))  # fmt: skip
    assert {r.target.indicator for r in q2} == {"E1", "IDENTIFIED"}
    # a reader of district B sees none of A's targets
    assert planned_versus_achieved(session, made.programme, scope_path=made.b.path) == []
    book = openpyxl.load_workbook(io.BytesIO(results_xlsx(made.programme, results)))
    rows = list(book.active.iter_rows(min_row=4, values_only=True))
    assert rows[0][:9] == ("E1", rows[0][1], "count", "2026-01-01", "2026-03-31", "A", "all",
                           2, 1)  # fmt: skip
    with pytest.raises(DataError, match="no target in this period") as refused:
        results_xlsx(made.programme, [])
    assert refused.value.column == "period"


def test_annex_a(session: Session) -> None:
    """First half of 2026. POC1 (participants g1 10, r1 13, b1 15): total 2/3, girls 1/2,
    boys 1/1, 5-11 1/1, 12-14 0/1, 15-17 1/1; target 0.5. E1: g1, b1, r1 = 3, girls 2, boys
    1; child labour g1, b1; at risk r1; target 2 + 2 = 4. L1: 1, target 1. POH (b1's
    household, intake 10 May): child labour and hazardous at intake and end 1/1; b1 (15) is
    of school age without attendance: POH4 0/1."""
    made = world(session)
    _targets(session, made)
    rows = {row.code: row for row in annex_a(session, made.programme, FIRST_HALF)}
    poc1 = rows["POC1"]
    assert poc1.target == 0.5
    assert poc1.cells == {"total": (2, 3), "girls": (1, 2), "boys": (1, 1), "5-11": (1, 1),
                          "12-14": (0, 1), "15-17": (1, 1)}  # fmt: skip
    assert rows["E1"].target == 4
    e1 = {"total": 3, "girls": 2, "boys": 1, "5-11": 1, "12-14": 1, "15-17": 1}
    assert rows["E1"].cells == {column: (n, None) for column, n in e1.items()}
    assert rows["E1 (child labour)"].cells["total"] == (2, None)
    assert rows["E1 (at risk)"].cells["total"] == (1, None)
    assert rows["E1 (school_kit)"].cells["total"] == (1, None)
    assert (rows["L1"].target, rows["L1"].cells["total"]) == (1, (1, None))
    assert rows["POH1 (intake)"].cells["total"] == (1, 1)
    assert rows["POH2 (end)"].cells["total"] == (1, 1)
    assert rows["POH4 (end)"].cells["total"] == (0, 1)
    book = openpyxl.load_workbook(io.BytesIO(annex_a_xlsx(made.programme, FIRST_HALF,
                                                          list(rows.values()))))  # fmt: skip
    sheet = book.active
    header = [c.value for c in sheet[4]]
    assert header[:6] == ["Code", "Indicator", "Target", "Achieved: total", "Girls", "Boys"]
    first = [c.value for c in sheet[5]]
    assert first[0] == "POC1"
    assert first[2:6] == [0.5, pytest.approx(2 / 3), 0.5, 1.0]


def test_annex_a_with_no_data_says_so(session: Session) -> None:
    made = world(session)
    empty = create_programme(session, name="Empty", kind=ProgrammeKind.NATIONAL_TBP,
                             profile_id="sdg-8.7.1", starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 12, 31), area_ids=[made.c.id],
                             actor="pm")  # fmt: skip
    with pytest.raises(DataError, match="nothing to report") as refused:
        annex_a(session, empty, FIRST_HALF)
    assert refused.value.column == "period"
    # a period before the programme is refused as such
    with pytest.raises(DataError, match="outside Cocoa communities 2026") as refused:
        annex_a(session, made.programme, Period(date(2025, 7, 1), date(2025, 12, 31)))
    assert refused.value.column == "period"


def test_clmrs_table(session: Session) -> None:
    """First half of 2026 in district A (x in B is left out). Households: g1's, b1's, r1's;
    visited in the 12 months: g1's (1 Feb), b1's (1 May) = 2/3. Identified: g1, b1 of the 2
    visited. Supported: the child-labour cases opened in the half (g1 1 Feb, b1 1 May) both
    have a service = 2/2. No child has two follow-up visits: 0/0."""
    from ipec.programmes.clmrs import clmrs_table, clmrs_xlsx

    made = world(session)
    rows = clmrs_table(session, made.programme, FIRST_HALF)
    assert [(r.code, r.numerator, r.denominator) for r in rows] == [
        ("covered", 2, 3),
        ("identified", 2, 2),
        ("supported", 2, 2),
        ("out", 0, 0),
    ]
    assert rows[-1].value is None
    book = openpyxl.load_workbook(io.BytesIO(clmrs_xlsx(made.programme, FIRST_HALF, rows)))
    assert [c.value for c in book.active[4]][:4] == ["covered", rows[0].label, 2, 3]

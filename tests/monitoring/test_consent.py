"""A visit without consent keeps only its date, the child and the monitor: answers sent with
it are refused, it opens no case, does no follow-up, and no metric reads it as a visit; the
refusals are counted on their own."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring import Case, Sex, Visit
from ipec.monitoring.metrics import (
    Period,
    Refusals,
    consent_refusals,
    identification_rate,
    visits_by_month,
)
from ipec.monitoring.models import AuditEntry, ChildFacts
from ipec.monitoring.service import REFUSED, record_visit, record_visit_and_follow_up
from tests.monitoring.metrics.world import SDG, TODAY, WORKING, area, child, visit

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def _refuse(session: Session, who_id: int, day: date, **record: object) -> Visit:
    return record_visit(session, child_id=who_id, visit_date=day, monitor="Ama", consent=False,
                        record=record, profile=SDG, actor="m", today=TODAY)  # fmt: skip


def test_a_refused_visit_keeps_the_minimum_and_opens_no_case(session: Session) -> None:
    where = area(session, "refusals")
    kid = child(session, where, "Kofi", Sex.MALE, date(2014, 2, 1))
    # what a form leaves when nothing was asked: empty and "no" values are not answers
    kept = _refuse(session, kid.id, date(2026, 3, 1), econ_any=False, econ_hours=None)
    assert (kept.status, kept.record, kept.reasons, kept.child_labour) == (REFUSED, {}, [], False)
    assert (kept.monitor, kept.consent, kept.visit_date) == ("Ama", False, date(2026, 3, 1))
    assert session.scalars(select(Case).where(Case.child_id == kid.id)).all() == []
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == kid.id))
    assert "visit.refused" in list(actions)


def test_answers_without_consent_are_refused_naming_them(session: Session) -> None:
    where = area(session, "refusals")
    kid = child(session, where, "Afia", Sex.FEMALE, date(2014, 2, 1))
    with pytest.raises(DataError, match=r"answers without consent \(econ_any, econ_hours\)"):
        _refuse(session, kid.id, date(2026, 3, 1), econ_any=True, econ_hours=30)
    with pytest.raises(DataError, match=r"answers without consent \(school_days_attended\)"):
        record_visit(session, child_id=kid.id, visit_date=date(2026, 3, 1), monitor="m",
                     consent=False, record={}, profile=SDG, actor="m", today=TODAY,
                     school_days_attended=3, school_days_open=5)  # fmt: skip
    assert session.scalars(select(Visit).where(Visit.child_id == kid.id)).all() == []


def test_a_refused_visit_does_no_follow_up(session: Session) -> None:
    where = area(session, "refusals")
    kid = child(session, where, "Yaw", Sex.MALE, date(2014, 2, 1))
    with pytest.raises(DataError, match="verifies nothing") as refused:
        record_visit_and_follow_up(session, child_id=kid.id, follow_up_id=1,
                                   visit_date=date(2026, 3, 1), monitor="m", consent=False,
                                   record={}, profile=SDG, actor="m", today=TODAY)  # fmt: skip
    assert refused.value.column == "consent"


def test_metrics_leave_refusals_out_and_count_them(session: Session) -> None:
    """A child found working in February and refused in June: still the child found in
    February for the metrics (the refusal says nothing), and one refusal counted."""
    where = area(session, "refusals")
    kid = child(session, where, "Esi", Sex.FEMALE, date(2014, 2, 1))
    visit(session, kid, date(2026, 2, 1), WORKING)
    _refuse(session, kid.id, date(2026, 6, 1))
    facts = session.get_one(ChildFacts, kid.id)
    session.refresh(facts)
    assert facts.last_date == date(2026, 2, 1)
    rates = identification_rate(session, area_path=where.path, period=YEAR)
    assert (rates[0].numerator, rates[0].denominator) == (1, 1)
    june = Period(date(2026, 6, 1), date(2026, 6, 30))
    assert identification_rate(session, area_path=where.path, period=june)[0].denominator == 0
    months = {m.month: m.visited for m in visits_by_month(session, area_path=where.path,
                                                           period=YEAR)}  # fmt: skip
    assert (months["2026-02"], months["2026-06"]) == (1, 0)
    assert consent_refusals(session, area_path=where.path, period=YEAR) == Refusals(1, 1)
    assert consent_refusals(session, area_path=where.path, period=june) == Refusals(1, 1)
    before = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert consent_refusals(session, area_path=where.path, period=before) == Refusals(0, 0)

"""Each child's facts equal what its visits say, whatever order the visits were recorded in."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ipec.monitoring.facts import refresh_child_facts
from ipec.monitoring.models import ChildFacts, Sex, Visit
from tests.monitoring.metrics.world import CLEAN, RECORDS, WORKING, area, child, visit

_NAMES = itertools.count()

#: A visit: days after 2024-01-01, which record, school days (attended, open) or none.
_VISITS = st.lists(
    st.tuples(
        st.integers(0, 60),
        st.sampled_from(range(len(RECORDS))),
        st.one_of(
            st.none(),
            st.integers(1, 20).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
        ),
    ),
    min_size=1,
    max_size=6,
)


def _expected(visits: list[Visit]) -> dict[str, Any]:
    """The facts by hand: the latest two visits by date, the later id first on a day."""
    ordered = sorted(visits, key=lambda v: (v.visit_date, v.id), reverse=True)
    last = ordered[0]
    prev = ordered[1] if len(ordered) > 1 else None
    return {
        "first_age": min(v.age for v in visits),
        "last_date": last.visit_date,
        "last_age": last.age,
        "last_monitor": last.monitor,
        "last_child_labour": int(last.child_labour),
        "last_hazardous": int(last.hazardous_work),
        "last_worst": int("WFCL_OTHER" in last.reasons),
        "last_attended": last.school_days_attended,
        "last_open": last.school_days_open,
        "prev_date": prev.visit_date if prev else None,
        "prev_child_labour": int(prev.child_labour) if prev else None,
    }


def _kept(session: Session, child_id: int) -> dict[str, Any]:
    facts = session.get_one(ChildFacts, child_id)
    session.refresh(facts)
    return {
        column.name: getattr(facts, column.name)
        for column in ChildFacts.__table__.columns
        if column.name != "child_id"
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=_VISITS)
def test_facts_follow_every_visit_recorded_in_any_order(
    session: Session, plan: list[tuple[int, int, tuple[int, int] | None]]
) -> None:
    where = area(session, f"area {next(_NAMES)}")
    who = child(session, where, "Ama", Sex.FEMALE, date(2012, 3, 1))
    visits: list[Visit] = []
    for number, (days, record, school) in enumerate(plan):
        attended, days_open = school if school else (None, None)
        visits.append(visit(session, who, date(2024, 1, 1) + timedelta(days=days),
                            RECORDS[record], monitor=f"monitor {number}", attended=attended,
                            days_open=days_open))  # fmt: skip
        assert _kept(session, who.id) == _expected(visits)
    # Computing every child's facts at once (the seeder, the migration) gives the same.
    session.execute(delete(ChildFacts))
    refresh_child_facts(session.connection())
    assert _kept(session, who.id) == _expected(visits)


def test_a_child_without_visits_has_no_facts(session: Session) -> None:
    who = child(session, area(session, "quiet"), "Kofi", Sex.MALE, date(2013, 5, 5))
    # A row left over (say, by a bulk write) is removed by computing the facts again.
    session.add(ChildFacts(child_id=who.id, first_age=9, last_date=date(2024, 1, 1),
                           last_age=9, last_monitor="m", last_child_labour=0, last_hazardous=0,
                           last_worst=0))  # fmt: skip
    session.flush()
    refresh_child_facts(session.connection(), [who.id])
    session.expire_all()
    assert session.get(ChildFacts, who.id) is None


def test_a_visit_changed_or_deleted_changes_the_facts(session: Session) -> None:
    who = child(session, area(session, "moving"), "Esi", Sex.FEMALE, date(2012, 3, 1))
    first = visit(session, who, date(2024, 1, 1), WORKING, monitor="first")
    second = visit(session, who, date(2024, 2, 1), CLEAN, monitor="second")
    assert _kept(session, who.id)["last_monitor"] == "second"
    second.visit_date = date(2023, 12, 1)  # corrected: it came before the first
    session.flush()
    assert _kept(session, who.id) == _expected([first, second])
    assert _kept(session, who.id)["last_monitor"] == "first"
    session.delete(first)
    session.flush()
    assert _kept(session, who.id) == _expected([second])
    session.delete(second)
    session.flush()
    session.expire_all()
    assert session.get(ChildFacts, who.id) is None

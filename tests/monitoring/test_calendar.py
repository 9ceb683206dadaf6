"""A monitor's calendar (SQLite and PostgreSQL): every follow-up of the week's kind due in
a month, each on its day (a child twice when two fall in it), the monitor's own only, the
team's for a supervisor; worked by hand from the dates below (today is 10 June 2026)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from ipec.auth import read_list
from ipec.auth.team import whose_week
from ipec.errors import DataError
from ipec.monitoring import AuditEntry, CaseStatus
from ipec.monitoring.service import assign_area_monitor
from ipec.monitoring.week import CalendarList, WeekFilter, month_span
from tests.monitoring import test_week
from tests.monitoring.metrics.world import CLEAN, visit
from tests.monitoring.test_week import TODAY, World, _case

#: The week's areas and users (country > D (C1, C2), E; m1, m2, sup, me, view, admin).
world = test_week.world

JUNE = month_span("2026-06", TODAY)


def _calendar(session: Session, world: World, who: str, span: tuple[date, date] = JUNE, *,
              user: str | None = None, limit: int = 1000) -> list[tuple[str, date]]:  # fmt: skip
    principal = world.principal(session, who)
    monitor = whose_week(session, principal, world.users[user] if user else None)
    found = read_list(session, principal, CalendarList(WeekFilter(monitor), *span, limit=limit))
    return [(row.Child.name, row.FollowUp.due_on) for row in found.rows]


def test_the_month_of_a_monitor_day_by_day(session: Session, world: World) -> None:
    a, u = world.areas, world.users
    assign_area_monitor(session, area_id=a["C1"].id, user_id=u["m1"], actor="sup")
    assign_area_monitor(session, area_id=a["C2"].id, user_id=u["m2"], actor="sup")
    # days from today (10 June): -12 is 29 May, -9 is 1 June, 20 is 30 June, 21 is 1 July
    _case(session, a["C1"], "Abena", -12, -9, 5)
    kofi, _ = _case(session, a["C1"], "Kofi", 20, 21)
    _case(session, a["C1"], "Esi", 3, status=CaseStatus.CLOSED)
    _case(session, a["C1"], "Yaw", 4)
    kwame, (done,) = _case(session, a["C1"], "Kwame", 7)
    done.visit_id = visit(session, kwame, TODAY, CLEAN).id  # done: not listed
    _case(session, a["C2"], "Ama", 6)
    assert _calendar(session, world, "m1") == [
        ("Abena", date(2026, 6, 1)), ("Yaw", date(2026, 6, 14)), ("Abena", date(2026, 6, 15)),
        ("Kofi", date(2026, 6, 30)),
    ]  # fmt: skip
    assert _calendar(session, world, "m1", month_span("2026-07", TODAY)) == [
        ("Kofi", date(2026, 7, 1))
    ]
    # the supervisor's team (district D: C1 and C2), and one member's
    assert [name for name, _ in _calendar(session, world, "sup")] == [
        "Abena", "Yaw", "Abena", "Ama", "Kofi"
    ]  # fmt: skip
    assert _calendar(session, world, "sup", user="m2") == [("Ama", date(2026, 6, 16))]
    # another district's monitor sees none of it
    assert _calendar(session, world, "me") == []
    logged = session.query(AuditEntry).filter(AuditEntry.action == "follow_up.calendar").all()
    assert len(logged) == 5
    # each reading lists the children shown: m1's July, Kofi alone
    assert logged[1].detail["children"] == [kofi.id]


def test_more_than_the_limit_says_so(session: Session, world: World) -> None:
    a, u = world.areas, world.users
    assign_area_monitor(session, area_id=a["C1"].id, user_id=u["m1"], actor="sup")
    _case(session, a["C1"], "Abena", 1, 2, 3)
    principal = world.principal(session, "m1")
    found = read_list(session, principal, CalendarList(WeekFilter(u["m1"]), *JUNE, limit=2))
    assert [row.FollowUp.due_on.day for row in found.rows] == [11, 12]
    assert found.has_next


@pytest.mark.parametrize("bad", ["2026-13", "June", "2026", "1999-01"])
def test_a_month_that_is_not_one_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(DataError) as refused:
        month_span(bad, TODAY)
    assert refused.value.column == "month"


def test_the_month_by_default_is_todays() -> None:
    assert month_span(None, TODAY) == (date(2026, 6, 1), date(2026, 6, 30))
    assert month_span("2028-02", TODAY) == (date(2028, 2, 1), date(2028, 2, 29))

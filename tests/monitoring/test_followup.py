"""Follow-up schedule and closure rule, worked out by hand from MONITORING.md's defaults."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ipec.monitoring.followup import FollowUpRule, add_months, due_dates, overdue, ready_to_close


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 10), -12 * 12) == date(2014, 3, 10)


def test_default_schedule() -> None:
    # remediation from 15 Jan 2026: 3 and 6 months (15 Apr, 15 Jul), then every 6 months
    assert due_dates(date(2026, 1, 15), until=date(2027, 8, 1)) == [
        date(2026, 4, 15), date(2026, 7, 15), date(2027, 1, 15), date(2027, 7, 15),
    ]  # fmt: skip
    assert due_dates(date(2026, 1, 15), until=date(2026, 5, 1)) == [date(2026, 4, 15)]
    custom = FollowUpRule(first_months=(1,), every_months=3)
    assert due_dates(date(2026, 1, 15), until=date(2026, 8, 1), rule=custom) == [
        date(2026, 2, 15), date(2026, 5, 15),
    ]  # fmt: skip


@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
       days=st.integers(min_value=0, max_value=3000))  # fmt: skip
def test_schedule_is_increasing_and_bounded(start: date, days: int) -> None:
    until = date.fromordinal(start.toordinal() + days)
    dates = due_dates(start, until)
    assert dates == sorted(set(dates))
    assert all(start < d <= until for d in dates)


def test_overdue() -> None:
    due = [date(2026, 4, 15), date(2026, 7, 15), date(2027, 1, 15)]
    done = [date(2026, 4, 20), None, None]
    assert overdue(due, done, today=date(2026, 9, 1)) == [date(2026, 7, 15)]


def test_closure_needs_two_clean_spaced_follow_ups() -> None:
    clean = [(date(2026, 4, 15), False), (date(2026, 7, 20), False)]
    assert ready_to_close(clean)
    assert not ready_to_close(clean[:1])
    assert not ready_to_close([(date(2026, 4, 15), False), (date(2026, 5, 1), False)])
    assert not ready_to_close([*clean, (date(2026, 10, 1), True)])
    assert ready_to_close([(date(2026, 1, 5), True), *clean])

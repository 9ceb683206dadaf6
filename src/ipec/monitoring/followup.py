"""When follow-up visits are due, and when a case may close (MONITORING.md defaults).

Defaults: follow-ups 3 and 6 months after remediation starts, then every 6 months until the
case closes; a case may close once the two most recent follow-ups, at least 90 days apart,
found the child out of child labour. A follow-up not yet done may be moved up to 4 weeks
before or after the rule's date (:func:`move_bounds`), to fit the monitor's round: not into
the past. All are configurable.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "DEFAULT_RULE",
    "FollowUpRule",
    "add_months",
    "due_dates",
    "move_bounds",
    "overdue",
    "ready_to_close",
]


@dataclass(frozen=True, slots=True)
class FollowUpRule:
    """The follow-up schedule, how far a follow-up may be moved from it, and the closure
    rule."""

    first_months: tuple[int, ...] = (3, 6)
    every_months: int = 6
    closure_gap_days: int = 90
    #: A follow-up's due date may be moved this many weeks before or after the rule's date.
    move_weeks: int = 4


#: MONITORING.md's defaults.
DEFAULT_RULE = FollowUpRule()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(
    remediation_start: date, until: date, rule: FollowUpRule = DEFAULT_RULE
) -> list[date]:
    """Every follow-up date from the start of remediation up to ``until`` (closure or today)."""
    dates = [add_months(remediation_start, m) for m in rule.first_months]
    step = max(rule.first_months, default=0) + rule.every_months
    while (following := add_months(remediation_start, step)) <= until:
        dates.append(following)
        step += rule.every_months
    return [d for d in dates if d <= until]


def move_bounds(
    rule_date: date, today: date, rule: FollowUpRule = DEFAULT_RULE
) -> tuple[date, date]:
    """The first and last day a follow-up whose rule's date is ``rule_date`` may be moved to:
    ``rule.move_weeks`` weeks either side of it, and not before ``today`` (the first day is
    after the last when the window has passed).

    >>> move_bounds(date(2027, 3, 1), date(2027, 1, 10))
    (datetime.date(2027, 2, 1), datetime.date(2027, 3, 29))
    >>> move_bounds(date(2027, 3, 1), date(2027, 3, 10))
    (datetime.date(2027, 3, 10), datetime.date(2027, 3, 29))
    """
    reach = timedelta(weeks=rule.move_weeks)
    return max(rule_date - reach, today), rule_date + reach


def overdue(due: Sequence[date], done: Sequence[date | None], today: date) -> list[date]:
    """Due dates that passed without a visit (``done[i]`` is the visit date of ``due[i]``)."""
    return [d for d, visit in zip(due, done, strict=True) if visit is None and d < today]


def ready_to_close(
    verifications: Sequence[tuple[date, bool]], rule: FollowUpRule = DEFAULT_RULE
) -> bool:
    """True when the two latest follow-ups (date, not found out of child labour: in child
    labour, or undetermined) were clean and spaced."""
    latest = sorted(verifications)[-2:]
    if len(latest) < 2:
        return False
    (first_day, first_cl), (last_day, last_cl) = latest
    return not first_cl and not last_cl and (last_day - first_day).days >= rule.closure_gap_days

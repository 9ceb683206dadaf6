"""When follow-up visits are due, and when a case may close (MONITORING.md defaults).

Defaults: follow-ups 3 and 6 months after remediation starts, then every 6 months until the
case closes; a case may close once the two most recent follow-ups, at least 90 days apart,
found the child out of child labour. Both are configurable.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["DEFAULT_RULE", "FollowUpRule", "add_months", "due_dates", "overdue", "ready_to_close"]


@dataclass(frozen=True, slots=True)
class FollowUpRule:
    """The follow-up schedule and the closure rule."""

    first_months: tuple[int, ...] = (3, 6)
    every_months: int = 6
    closure_gap_days: int = 90


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

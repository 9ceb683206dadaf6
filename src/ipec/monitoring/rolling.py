"""The rolling follow-up schedule: which follow-ups a case has next, for the life of the case.

The rule (``FollowUpRule``: ``first_months`` then ``every_months``, set per deployment by
``IPEC_FOLLOW_UP_FIRST_MONTHS`` and ``IPEC_FOLLOW_UP_EVERY_MONTHS``, see
:func:`ipec.monitoring.schedule.rule_of`):

- starting remediation (again, after a relapse, too) schedules the first follow-ups,
  ``first_months`` after that day (:func:`first_due`), and drops those not done of the
  schedule before;
- a follow-up done is followed by the next: when no other follow-up of the case is waiting,
  one is scheduled ``every_months`` after the latest rule's date (:func:`next_due`);
- a follow-up done late (its visit more than ``move_weeks`` weeks after its due date, the
  most it could have been moved: :func:`is_late`) moves the schedule: the follow-ups waiting
  keep their distance in months to the late one, counted from its visit
  (:func:`shifted`), and the next one is counted from the visit;
- closing the case drops the follow-ups not done: nothing is due for a closed case.

These functions are pure: the service (:mod:`ipec.monitoring.schedule`) and the demo seeder
(:mod:`ipec.demo.chunk`) both apply them, so the demo's schedules are ones the service writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule, add_months

__all__ = ["first_due", "is_late", "months_between", "next_due", "shifted"]


def first_due(start: date, rule: FollowUpRule = DEFAULT_RULE) -> list[date]:
    """The follow-ups remediation started on ``start`` schedules at once.

    >>> first_due(date(2026, 1, 31))
    [datetime.date(2026, 4, 30), datetime.date(2026, 7, 31)]
    """
    return sorted({add_months(start, months) for months in rule.first_months})


def next_due(latest_rule_date: date, rule: FollowUpRule = DEFAULT_RULE) -> date:
    """The follow-up after the case's latest, on time: ``every_months`` after its rule's date.

    >>> next_due(date(2026, 7, 15))
    datetime.date(2027, 1, 15)
    """
    return add_months(latest_rule_date, rule.every_months)


def is_late(due_on: date, visit_on: date, rule: FollowUpRule = DEFAULT_RULE) -> bool:
    """Whether a visit on ``visit_on`` did the follow-up due on ``due_on`` late: more than
    ``move_weeks`` weeks after (it could have been moved that far).

    >>> is_late(date(2026, 4, 15), date(2026, 5, 13)), is_late(date(2026, 4, 15), date(2026, 5, 14))
    (False, True)
    """
    return visit_on > due_on + timedelta(weeks=rule.move_weeks)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s (rule dates of one
    schedule are whole months apart).

    >>> months_between(date(2026, 4, 30), date(2026, 7, 31))
    3
    """
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def shifted(waiting: Sequence[date], late_rule_date: date, visit_on: date) -> list[date]:
    """The rule's dates of the follow-ups ``waiting`` after one whose rule's date was
    ``late_rule_date`` was done late on ``visit_on``: each as many months after the visit
    as it was after the late one.

    >>> shifted([date(2026, 7, 15)], date(2026, 4, 15), date(2026, 6, 1))
    [datetime.date(2026, 9, 1)]
    """
    return [add_months(visit_on, months_between(late_rule_date, day)) for day in waiting]

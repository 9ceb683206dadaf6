"""Children withdrawn, protected and prevented, counted by the database once per child.

The rules are those of :func:`ipec.monitoring.outcomes.outcome`, written in SQL over every
case of the subtree (tests check both agree case by case):

- a case's visits are its child's visits dated from the day the case opened up to the
  period's end, in date order (the earlier id first on the same day); the first is the
  identification, the last the latest verification; fewer than two verify nothing;
- a case's services are those started up to the period's end;
- no outcome when the child is in child labour at the latest verification;
- withdrawn: a child-labour case, in child labour at identification, with an education or
  training service (``EDUCATION_SERVICES``);
- protected: otherwise, a child-labour case, in hazardous work at identification, at least
  ``minimum_age`` and not in hazardous work at the latest verification;
- prevented: an at-risk case, not in child labour at identification, with any service.

A child counts once, under the first of withdrawn, protected, prevented that any of the
child's cases reached, in the period of the child's latest verification (the latest visit up
to the period's end must fall in the period). By sex and by age at the latest verification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Subquery, case, func, select
from sqlalchemy.orm import Session

from ipec.monitoring.flags import flag
from ipec.monitoring.metrics.common import (
    Period,
    _age_group,
    _aggregate,
    _month,
    months_of,
)
from ipec.monitoring.models import CaseKind
from ipec.monitoring.outcomes import Outcome
from ipec.monitoring.readmodel import cases_as_of

__all__ = [
    "MonthOutcomes",
    "OutcomeCounts",
    "outcome_counts",
    "outcomes_and_months",
    "outcomes_by_month",
]

#: Precedence of the outcomes when a child has several (the lowest wins).
_RANK = {Outcome.WITHDRAWN: 1, Outcome.PROTECTED: 2, Outcome.PREVENTED: 3}


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    """Children withdrawn, protected and prevented, for one group (sex and age, or "total")."""

    group: str
    withdrawn: int
    protected: int
    prevented: int


@dataclass(frozen=True, slots=True)
class MonthOutcomes:
    """Children withdrawn, protected and prevented whose latest verification fell in a month
    ("YYYY-MM")."""

    month: str
    withdrawn: int
    protected: int
    prevented: int


def _per_child(area_path: str, period: Period, minimum_age: int) -> Subquery:
    """One row per child of the subtree with an outcome: its sex, the best outcome's rank,
    the age and the day of the latest verification up to the period's end.

    Each case is judged from its snapshot at the period's end: two visits or more since the
    case opened when the second latest is on or after that day; the latest is the latest
    verification, the identification the first visit since the case opened; the services
    count when they started by the period's end.
    """
    h = cases_as_of(
        area_path,
        period.end,
        ["child_id", "sex", "kind", "last_date", "last_age", "first_child_labour",
         "first_hazardous", "last_child_labour", "last_hazardous", "first_service_on",
         "first_education_on"],
        lambda c: [c.prev_date >= c.opened_on],
    ).c  # fmt: skip
    child_labour = h.kind == CaseKind.CHILD_LABOUR
    educated = h.first_education_on <= period.end
    served = h.first_service_on <= period.end
    rank = case(
        (child_labour & (h.first_child_labour == 1) & educated, _RANK[Outcome.WITHDRAWN]),
        (
            child_labour
            & (h.first_hazardous == 1)
            & (h.last_age >= minimum_age)
            & (h.last_hazardous == 0),
            _RANK[Outcome.PROTECTED],
        ),
        (
            (h.kind == CaseKind.AT_RISK) & (h.first_child_labour == 0) & served,
            _RANK[Outcome.PREVENTED],
        ),
    )
    per_case = (
        select(h.child_id, h.sex, h.last_date, h.last_age, rank.label("rank"))
        .where(h.last_child_labour == 0)
        .subquery("per_case")
    )
    return (
        select(
            per_case.c.child_id,
            per_case.c.sex,
            func.min(per_case.c.rank).label("best"),
            func.max(per_case.c.last_age).label("age"),
            func.max(per_case.c.last_date).label("last_day"),
        )
        .where(per_case.c.rank.is_not(None))
        .group_by(per_case.c.child_id, per_case.c.sex)
        .subquery("per_child")
    )


def _rows(session: Session, area_path: str, period: Period, minimum_age: int) -> list[Any]:
    """(sex, age group, month, withdrawn, protected, prevented) of the children with an
    outcome whose latest verification is in the period: one query serves the counts and the
    months (the outcomes per child are the costly part; they are computed once)."""
    per_child = _per_child(area_path, period, minimum_age)
    group, month = _age_group(per_child.c.age), _month(per_child.c.last_day)
    query = (
        select(
            per_child.c.sex,
            group,
            month,
            *(func.sum(flag(per_child.c.best == _RANK[o])) for o in _RANK),
        )
        .where(per_child.c.last_day >= period.start)
        .group_by(per_child.c.sex, group, month)
    )
    return list(session.execute(query).all())


def _sums(rows: list[Any], key: Callable[[Any], str]) -> dict[str, list[int]]:
    """The three counts of the rows summed by ``key`` of each row."""
    found: dict[str, list[int]] = {}
    for row in rows:
        sums = found.setdefault(key(row), [0, 0, 0])
        for index, value in enumerate(row[3:]):
            sums[index] += int(value or 0)
    return found


def _by_group(rows: list[Any]) -> list[OutcomeCounts]:
    """The rows summed by sex and age group, after their total."""
    found = _sums(rows, lambda row: f"{row[0]}*{row[1]}")
    groups = [OutcomeCounts(key, *sums) for key, sums in sorted(found.items())]
    total = OutcomeCounts(
        "total",
        sum(c.withdrawn for c in groups),
        sum(c.protected for c in groups),
        sum(c.prevented for c in groups),
    )
    return [total, *groups]


def _by_month(rows: list[Any], period: Period) -> list[MonthOutcomes]:
    """The rows summed by month, every month of the period included."""
    found = _sums(rows, lambda row: str(row[2]))
    return [MonthOutcomes(key, *found.get(key, (0, 0, 0))) for key in months_of(period)]


@_aggregate
def outcome_counts(
    session: Session, *, area_path: str, period: Period, minimum_age: int
) -> list[OutcomeCounts]:
    """Children withdrawn, protected and prevented at their latest verification in the period,
    once per child: the total, then by sex and age group."""
    return _by_group(_rows(session, area_path, period, minimum_age))


@_aggregate
def outcomes_by_month(
    session: Session, *, area_path: str, period: Period, minimum_age: int
) -> list[MonthOutcomes]:
    """The children of :func:`outcome_counts` by the month of their latest verification (each
    child once), every month of the period included."""
    return _by_month(_rows(session, area_path, period, minimum_age), period)


@_aggregate
def outcomes_and_months(
    session: Session, *, area_path: str, period: Period, minimum_age: int
) -> tuple[list[OutcomeCounts], list[MonthOutcomes]]:
    """:func:`outcome_counts` and :func:`outcomes_by_month` from one query, for a page that
    shows both (each alone costs as much as the pair)."""
    rows = _rows(session, area_path, period, minimum_age)
    return _by_group(rows), _by_month(rows, period)

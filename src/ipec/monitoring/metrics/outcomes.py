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

from sqlalchemy import Select, Subquery, and_, case, func, select, union_all
from sqlalchemy.orm import Session

from ipec.monitoring.flags import flag
from ipec.monitoring.metrics.common import (
    Period,
    _age_group,
    _aggregate,
    _month,
    months_of,
)
from ipec.monitoring.models import Case, CaseFacts, CaseKind, ChildFacts, Visit
from ipec.monitoring.outcomes import Outcome
from ipec.monitoring.scope import in_subtree

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


def _served(period: Period) -> list[Any]:
    """Whether the case had an education service, and any service, started by the period's
    end (0 or 1), from its facts (joined by the caller)."""
    f = CaseFacts
    return [
        flag(f.first_education_on <= period.end).label("educated"),
        flag(f.first_service_on <= period.end).label("served"),
    ]


def _from_facts(area_path: str, period: Period) -> Select[Any]:
    """The history of each case of the subtree whose child's latest visit of all is on or
    before the period's end, from the case's facts and their copies of the child's: two
    visits or more since the case opened when the second latest is on or after that day; the
    latest is the latest verification, the case's identification visit its first since it
    opened. One range of the cases' facts per area."""
    f = CaseFacts
    return select(
        f.child_id,
        f.sex,
        f.kind,
        f.last_date.label("last_day"),
        f.last_age.label("age"),
        f.first_child_labour.label("first_cl"),
        f.first_hazardous.label("first_haz"),
        f.last_child_labour.label("last_cl"),
        f.last_hazardous.label("last_haz"),
        *_served(period),
    ).where(
        in_subtree(f.area_id, area_path),
        f.last_date <= period.end,
        f.prev_date >= f.opened_on,
    )


def _per_child(area_path: str, period: Period, minimum_age: int) -> Subquery:
    """One row per child of the subtree with an outcome: its sex (from its facts), the best
    outcome's rank, the age and the day of the latest verification up to the period's end.

    A case whose child's latest visit of all is on or before the period's end is judged from
    the facts (:func:`_from_facts`); the others (a period in the past) from the visits,
    ranked. The services come from the case's facts either way.
    """
    # The cases of children with a visit after the period's end, found first from the
    # children's facts (materialised, usually none), so that only their visits are read.
    late = (
        select(Case.id, Case.child_id, ChildFacts.sex, Case.kind, Case.opened_on, *_served(period))
        .select_from(ChildFacts)
        .join(Case, Case.child_id == ChildFacts.child_id)
        .join(CaseFacts, CaseFacts.case_id == Case.id)
        .where(in_subtree(ChildFacts.area_id, area_path), ChildFacts.last_date > period.end)
        .cte("late_cases")
        .prefix_with("MATERIALIZED")
    )
    first = func.row_number().over(
        partition_by=late.c.id, order_by=(Visit.visit_date.asc(), Visit.id.asc())
    )
    # The rank from the end, from the same ordering (one sort of the visits, not two): the
    # order is total (ids are unique), so the last visit is the one ranked n of n.
    last = func.count().over(partition_by=late.c.id) - first + 1
    columns: list[Any] = [
        late.c.id.label("case_id"),
        late.c.child_id,
        late.c.sex,
        late.c.kind,
        late.c.educated,
        late.c.served,
        Visit.visit_date,
        Visit.age,
        Visit.child_labour,
        Visit.hazardous_work,
        first.label("first"),
        last.label("last"),
    ]
    visits = (
        select(*columns)
        .select_from(late)
        .join(
            Visit,
            and_(
                Visit.child_id == late.c.child_id,
                Visit.visit_date >= late.c.opened_on,
                Visit.visit_date <= period.end,
            ),
        )
        .subquery("case_visits")
    )
    v = visits.c
    from_visits = (
        select(
            v.child_id,
            v.sex,
            v.kind,
            func.max(v.visit_date),
            func.max(flag(v.last == 1) * v.age),
            func.max(flag((v.first == 1) & v.child_labour)),
            func.max(flag((v.first == 1) & v.hazardous_work)),
            func.max(flag((v.last == 1) & v.child_labour)),
            func.max(flag((v.last == 1) & v.hazardous_work)),
            v.educated,
            v.served,
        )
        .group_by(v.case_id, v.child_id, v.sex, v.kind, v.educated, v.served)
        .having(func.count() >= 2)
    )
    h = union_all(_from_facts(area_path, period), from_visits).subquery("history").c
    child_labour = h.kind == CaseKind.CHILD_LABOUR
    rank = case(
        (child_labour & (h.first_cl == 1) & (h.educated == 1), _RANK[Outcome.WITHDRAWN]),
        (
            child_labour & (h.first_haz == 1) & (h.age >= minimum_age) & (h.last_haz == 0),
            _RANK[Outcome.PROTECTED],
        ),
        (
            (h.kind == CaseKind.AT_RISK) & (h.first_cl == 0) & (h.served == 1),
            _RANK[Outcome.PREVENTED],
        ),
    )
    per_case = (
        select(h.child_id, h.sex, h.last_day, h.age, rank.label("rank"))
        .where(h.last_cl == 0)
        .subquery("per_case")
    )
    return (
        select(
            per_case.c.child_id,
            per_case.c.sex,
            func.min(per_case.c.rank).label("best"),
            func.max(per_case.c.age).label("age"),
            func.max(per_case.c.last_day).label("last_day"),
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

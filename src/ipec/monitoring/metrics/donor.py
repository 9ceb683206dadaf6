"""The US Department of Labor's common indicators, aggregated by the database.

For an area subtree and a period. A beneficiary child is a child of the subtree with a case
(of either kind) opened on or before the period's end and at least one visit in the period;
each beneficiary child is judged at the latest visit in the period (the later id on the same
day), and grouped by sex and by age at that visit.

- POC1: beneficiary children in child labour at that visit / beneficiary children;
- POC2: ... in hazardous work (the visit's ``hazardous_work``) / beneficiary children;
- POC3: ... whose visit found a worst form other than hazardous work (reason code
  ``WFCL_OTHER`` among the visit's stored reasons) / beneficiary children;
- POC4: ... with regular school attendance, days attended >= 75% of the days the school was
  open (``4 * attended >= 3 * open``, exact) / beneficiary children whose visit recorded
  attendance with at least one day open.
- POH1-POH3: households with at least one beneficiary child in child labour / in hazardous
  work / in another worst form / households with at least one beneficiary child (total only:
  households have no sex or age).
- POH4: households where every beneficiary child whose visit recorded attendance attended
  regularly / households with at least one beneficiary child whose visit recorded
  attendance (children without attendance data neither count for nor against a household).
- E1: children of the subtree given an education or vocational service
  (``EDUCATION_SERVICES``) that started in the period, per service type and for all of them
  ("all": a child with two types counts once), by sex and by age at the child's latest visit
  up to the period's end.
- L1: households of the subtree with a livelihood service (income generation, savings group,
  cash transfer) that started in the period for one of their children, per type and "all".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Subquery, case, distinct, func, null, select, union_all
from sqlalchemy.orm import Session

from ipec.monitoring.flags import flag
from ipec.monitoring.metrics.common import (
    Count,
    Period,
    Rate,
    _age_group,
    _aggregate,
    _counts,
    _grouped,
)
from ipec.monitoring.models import (
    Case,
    Child,
    ChildFacts,
    RemediationService,
    ServiceType,
    Visit,
)
from ipec.monitoring.outcomes import EDUCATION_SERVICES
from ipec.monitoring.readmodel import children_as_of, latest_visit_as_of
from ipec.monitoring.scope import in_subtree

__all__ = [
    "LIVELIHOOD_SERVICES",
    "ChildIndicators",
    "HouseholdIndicators",
    "dol_child_indicators",
    "dol_education_services",
    "dol_household_indicators",
    "dol_livelihood_services",
]

#: Household livelihood services (L1).
LIVELIHOOD_SERVICES = frozenset(
    {ServiceType.INCOME_GENERATION, ServiceType.SAVINGS_GROUP, ServiceType.CASH_TRANSFER}
)


@dataclass(frozen=True, slots=True)
class ChildIndicators:
    """POC1-POC4, each a total and one rate per sex and age group."""

    poc1_child_labour: list[Rate]
    poc2_hazardous_work: list[Rate]
    poc3_other_worst_forms: list[Rate]
    poc4_regular_attendance: list[Rate]


@dataclass(frozen=True, slots=True)
class HouseholdIndicators:
    """POH1-POH4 (households have no sex or age: totals)."""

    poh1_child_labour: Rate
    poh2_hazardous_work: Rate
    poh3_other_worst_forms: Rate
    poh4_regular_attendance: Rate


def _beneficiaries(area_path: str, period: Period) -> Subquery:
    """One row per beneficiary child: what the latest visit in the period found, as 0/1,
    from the child's snapshot at the period's end."""
    with_case = select(Case.child_id).where(
        in_subtree(Case.area_id, area_path), Case.opened_on <= period.end
    )
    child = children_as_of(
        area_path,
        period.end,
        ["child_id", "sex", "household_id", "last_age", "last_child_labour", "last_hazardous",
         "last_worst", "last_attended", "last_open"],
        lambda c: [c.child_id.in_(with_case), c.last_date >= period.start],
    ).c  # fmt: skip
    recorded = child.last_open > 0
    return select(
        child.child_id,
        child.sex,
        child.household_id,
        child.last_age.label("age"),
        child.last_child_labour.label("child_labour"),
        child.last_hazardous.label("hazardous"),
        child.last_worst.label("worst"),
        flag(recorded).label("recorded"),
        flag(recorded & (child.last_attended * 4 >= child.last_open * 3)).label("regular"),
    ).subquery("beneficiaries")


@_aggregate
def dol_child_indicators(session: Session, *, area_path: str, period: Period) -> ChildIndicators:
    """POC1-POC4: shares of beneficiary children in child labour, hazardous work, other worst
    forms, and attending school regularly, at their latest visit in the period."""
    b = _beneficiaries(area_path, period).c
    group = _age_group(b.age)
    rows = session.execute(
        select(
            b.sex,
            group,
            func.sum(b.child_labour),
            func.sum(b.hazardous),
            func.sum(b.worst),
            func.count(),
            func.sum(b.regular),
            func.sum(b.recorded),
        ).group_by(b.sex, group)
    ).all()
    return ChildIndicators(
        poc1_child_labour=_grouped(rows, 2, 5),
        poc2_hazardous_work=_grouped(rows, 3, 5),
        poc3_other_worst_forms=_grouped(rows, 4, 5),
        poc4_regular_attendance=_grouped(rows, 6, 7),
    )


@_aggregate
def dol_household_indicators(
    session: Session, *, area_path: str, period: Period
) -> HouseholdIndicators:
    """POH1-POH4: the household versions of POC1-POC4 (see the module's definitions)."""
    b = _beneficiaries(area_path, period).c
    households = (
        select(
            b.household_id,
            func.max(b.child_labour).label("child_labour"),
            func.max(b.hazardous).label("hazardous"),
            func.max(b.worst).label("worst"),
            func.max(b.recorded).label("recorded"),
            # the smallest "regular" among children with attendance (NULL when none has it)
            func.min(case((b.recorded == 1, b.regular))).label("all_regular"),
        )
        .group_by(b.household_id)
        .subquery("households")
    ).c
    row = session.execute(
        select(
            func.sum(households.child_labour),
            func.sum(households.hazardous),
            func.sum(households.worst),
            func.count(),
            func.sum(flag(households.all_regular == 1)),
            func.sum(households.recorded),
        )
    ).one()
    child_labour, hazardous, worst, total, regular, recorded = (int(n or 0) for n in row)
    return HouseholdIndicators(
        poh1_child_labour=Rate("total", child_labour, total),
        poh2_hazardous_work=Rate("total", hazardous, total),
        poh3_other_worst_forms=Rate("total", worst, total),
        poh4_regular_attendance=Rate("total", regular, recorded),
    )


def _services_in(area_path: str, period: Period, types: frozenset[ServiceType]) -> Any:
    """(type, child_id) of each service of ``types`` started in the period for a case of the
    subtree (by the case's area)."""
    return (
        select(RemediationService.type, Case.child_id)
        .join(Case, Case.id == RemediationService.case_id)
        .where(
            in_subtree(Case.area_id, area_path),
            RemediationService.type.in_(types),
            RemediationService.started_on.between(period.start, period.end),
        )
        .cte("services_in")
    )


@_aggregate
def dol_education_services(
    session: Session, *, area_path: str, period: Period
) -> dict[str, list[Count]]:
    """E1: children given education or vocational services in the period, for "all" and per
    service type; each a total and one count per sex and age group."""
    services = _services_in(area_path, period, EDUCATION_SERVICES)
    child_id = services.c.child_id
    age = latest_visit_as_of(ChildFacts.last_age, Visit.age, child_id, period.end)
    # Materialised, so that the age is looked up once per row: as a subquery, the databases
    # copied the lookup into each branch of the age group's CASE (five probes a row).
    aged = (
        select(services.c.type, child_id, Child.sex, age.label("age"))
        .join(Child, Child.id == child_id)
        .join(ChildFacts, ChildFacts.child_id == child_id, isouter=True)
        .cte("aged")
        .prefix_with("MATERIALIZED")
    )
    group = _age_group(aged.c.age)
    # per type and for all types (the type NULL) from one statement, over rows found once
    counted = func.count(distinct(aged.c.child_id))
    rows = session.execute(
        union_all(
            select(aged.c.type, aged.c.sex, group, counted).group_by(
                aged.c.type, aged.c.sex, group
            ),
            select(null(), aged.c.sex, group, counted).group_by(aged.c.sex, group),
        )
    ).all()
    found = {"all": _counts([row[1:] for row in rows if row[0] is None], 2)}
    for service in sorted(EDUCATION_SERVICES, key=list(ServiceType).index):
        found[service.value] = _counts([row[1:] for row in rows if row[0] == service], 2)
    return found


@_aggregate
def dol_livelihood_services(session: Session, *, area_path: str, period: Period) -> dict[str, int]:
    """L1: households given a livelihood service in the period, for "all" and per type."""
    services = _services_in(area_path, period, LIVELIHOOD_SERVICES)
    # materialised: the two counts below read the rows found once
    served = (
        select(services.c.type, Child.household_id)
        .join(Child, Child.id == services.c.child_id)
        .cte("served")
        .prefix_with("MATERIALIZED")
    )
    # per type and for all types (the type NULL) from one statement
    counted = func.count(distinct(served.c.household_id))
    rows = session.execute(
        union_all(
            select(served.c.type, counted).group_by(served.c.type),
            select(null(), counted),
        )
    ).all()
    per_type = {service: int(n) for service, n in rows}
    found = {"all": per_type.pop(None, 0)}
    for service in sorted(LIVELIHOOD_SERVICES, key=list(ServiceType).index):
        found[service.value] = per_type.get(service, 0)
    return found

"""Rates over children and cases, aggregated by the database for an area subtree and a period.

Definitions follow MONITORING.md (a child is in the subtree when its household's area is):

- identification rate: children found in child labour at any visit in the period / children
  visited in the period; by sex and by age at the child's latest visit in the period;
- hazardous work rate: children in hazardous work at their latest visit in the period /
  children visited in the period; by sex and by age at that visit (a priority group: the
  worst forms);
- support rate: children whose child-labour case opened in the period and received at least
  ``at_least`` kinds of service (1 by default; 2+ and 4+ are the other shares reported) /
  children whose child-labour case opened in the period; by sex and by age at the child's
  first visit in child labour;
- follow-up compliance: follow-ups due in the period that have a visit linked / follow-ups
  due in the period; by sex and by age at the child's first visit;
- referral acceptance: referrals sent in the period now accepted or done / referrals sent in
  the period (total only);
- coverage: households of the subtree with at least one visit (to any of their children) in
  the 12 months ending at the period's end, i.e. after the same day a year earlier and up to
  the end (the period's start plays no part) / households of the subtree. Households carry no
  registration date, so the base is the register as it stands. Households have no sex or age:
  a "total" row, then one row per direct child area of the subtree's root that has households
  (group "area:<name>"); households registered in the root area itself count in the total only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from ipec.monitoring.flags import flag
from ipec.monitoring.followup import add_months
from ipec.monitoring.metrics.common import (
    Period,
    Rate,
    _age_group,
    _aggregate,
    _rates,
)
from ipec.monitoring.models import (
    Area,
    Case,
    CaseFacts,
    CaseKind,
    Child,
    ChildFacts,
    FollowUp,
    Household,
    Referral,
    ReferralStatus,
)
from ipec.monitoring.readmodel import children_as_of
from ipec.monitoring.scope import households_in_subtree, in_subtree, root_children
from ipec.monitoring.sqlhints import unindexed

__all__ = [
    "coverage",
    "follow_up_compliance",
    "hazardous_work_rate",
    "identification_rate",
    "referral_acceptance",
    "support_rate",
]


@_aggregate
def identification_rate(session: Session, *, area_path: str, period: Period) -> list[Rate]:
    """Children found in child labour / children visited, by sex and age at the last visit:
    the children whose snapshot at the period's end has its latest visit in the period,
    found when its latest visit that found child labour is in it."""
    return _visited_rate(
        session, area_path, period, "last_found_on", lambda c: flag(c >= period.start)
    )


@_aggregate
def hazardous_work_rate(session: Session, *, area_path: str, period: Period) -> list[Rate]:
    """Children in hazardous work at their latest visit in the period / children visited, by
    sex and age at that visit: the same children as :func:`identification_rate`, judged at
    their latest visit only."""
    return _visited_rate(session, area_path, period, "last_hazardous", lambda c: c)


def _visited_rate(
    session: Session,
    area_path: str,
    period: Period,
    column: str,
    counted: Callable[[Any], Any],
) -> list[Rate]:
    """Over the children whose latest visit by the period's end is in it: those for whom
    ``counted`` of their snapshot's ``column`` is 1, by sex and age at that visit."""
    child = children_as_of(
        area_path, period.end, ["sex", "last_age", column], lambda c: [c.last_date >= period.start]
    ).c
    group = _age_group(child.last_age)
    numerator = func.sum(counted(child[column]))
    query = select(child.sex, group, numerator, func.count()).group_by(child.sex, group)
    return _rates(session, query)


@_aggregate
def support_rate(
    session: Session, *, area_path: str, period: Period, at_least: int = 1
) -> list[Rate]:
    """Children identified in the period with ``at_least`` kinds of service / identified.

    The cases opened in the period are one index range per area; each brings its number of
    kinds of service from its facts and the child's age at its first visit in child labour
    (and sex) from the child's.
    """
    f = ChildFacts
    # A child with no visit has no facts: its sex comes from its record (and its age group
    # is unknown, as it has no visit in child labour).
    sex = func.coalesce(f.sex, select(Child.sex).where(Child.id == Case.child_id).scalar_subquery())
    # Every case has its facts (the ORM and the seeder write them); a case without would count
    # as one with no service rather than be left out.
    kinds = func.coalesce(CaseFacts.service_kinds, 0)
    opened = (
        select(sex.label("sex"), f.first_found_age.label("age"), kinds.label("service_kinds"))
        .select_from(Case)
        .join(CaseFacts, CaseFacts.case_id == Case.id, isouter=True)
        .join(f, f.child_id == Case.child_id, isouter=True)
        .where(
            in_subtree(Case.area_id, area_path),
            Case.kind == CaseKind.CHILD_LABOUR,
            Case.opened_on.between(period.start, period.end),
        )
        .subquery("opened")
    )
    group = _age_group(opened.c.age)
    supported = func.sum(flag(opened.c.service_kinds >= at_least))
    query = select(opened.c.sex, group, supported, func.count()).group_by(opened.c.sex, group)
    return _rates(session, query)


@_aggregate
def follow_up_compliance(session: Session, *, area_path: str, period: Period) -> list[Rate]:
    """Follow-ups due in the period that were done / follow-ups due, by sex and by age group
    at the child's first visit."""
    f = ChildFacts
    # The child's sex from its facts, read for the age anyway (a child with no visit has no
    # facts: its sex comes from its record).
    sex = func.coalesce(f.sex, select(Child.sex).where(Child.id == Case.child_id).scalar_subquery())
    due = (
        select(sex.label("sex"), f.first_age, FollowUp.visit_id)
        .select_from(FollowUp)
        .join(Case, Case.id == FollowUp.case_id)
        .join(f, f.child_id == Case.child_id, isouter=True)
        # Not by the due-date index: SQLite would start from every follow-up of the database
        # due in the period and climb to the areas; from the subtree's cases is far less work.
        .where(
            in_subtree(Case.area_id, area_path),
            unindexed(FollowUp.due_on).between(period.start, period.end),
        )
        .subquery("due")
    )
    group = _age_group(due.c.first_age)
    done = func.sum(case((due.c.visit_id.is_not(None), 1), else_=0))
    query = select(due.c.sex, group, done, func.count()).group_by(due.c.sex, group)
    return _rates(session, query)


@_aggregate
def referral_acceptance(session: Session, *, area_path: str, period: Period) -> Rate:
    """Referrals sent in the period that were accepted or done / referrals sent."""
    accepted = func.sum(
        case((Referral.status.in_([ReferralStatus.ACCEPTED, ReferralStatus.DONE]), 1), else_=0)
    )
    query = (
        select(accepted, func.count(Referral.id))
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .where(
            in_subtree(Case.area_id, area_path), Referral.sent_on.between(period.start, period.end)
        )
    )
    numerator, denominator = session.execute(query).one()
    return Rate("total", int(numerator or 0), int(denominator or 0))


@_aggregate
def coverage(session: Session, *, area_path: str, period: Period) -> list[Rate]:
    """Households visited in the 12 months up to the period's end / households registered:
    the total, then per direct child area of the subtree's root."""
    since = add_months(period.end, -12)
    # A household is visited when one of its children's latest visit by the period's end is
    # in the 12 months.
    child = children_as_of(
        area_path, period.end, ["area_id", "household_id"], lambda c: [c.last_date > since]
    ).c
    # Each household once (its children share its area), then counted per area: a DISTINCT
    # over the snapshot's rows hashes them as they come, where a COUNT(DISTINCT) per area
    # would first sort them all by area.
    households = select(child.area_id, child.household_id).distinct().subquery("visited_households")
    visited = (
        select(households.c.area_id, func.count().label("visited"))
        .group_by(households.c.area_id)
        .subquery("visited")
    )
    # Count per area first (a few hundred rows), then roll the areas up to the root's children.
    registered = (
        select(Household.area_id, func.count(Household.id).label("households"))
        .where(households_in_subtree(area_path))
        .group_by(Household.area_id)
        .subquery("registered")
    )
    per_area = (
        select(
            registered.c.area_id,
            func.coalesce(visited.c.visited, 0).label("visited"),
            registered.c.households,
        )
        .join(visited, visited.c.area_id == registered.c.area_id, isouter=True)
        .subquery("per_area")
    )
    top = aliased(Area, name="top")
    query = (
        select(top.name, func.sum(per_area.c.visited), func.sum(per_area.c.households))
        .select_from(per_area)
        .join(Area, Area.id == per_area.c.area_id)
        .join(top, root_children(top, area_path) & Area.path.startswith(top.path), isouter=True)
        .group_by(top.id, top.name)
    )
    rows = session.execute(query).all()
    areas = [
        Rate(f"area:{name}", int(num or 0), int(den)) for name, num, den in rows if name is not None
    ]
    total = Rate(
        "total", sum(int(num or 0) for _, num, _ in rows), sum(int(den) for _, _, den in rows)
    )
    return [total, *sorted(areas, key=lambda r: r.group)]

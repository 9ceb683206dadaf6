"""Rates over children and cases, aggregated by the database for an area subtree and a period.

Definitions follow MONITORING.md:

- identification rate: children found in child labour at a visit in the period / children
  visited in the period;
- support rate: children whose case opened in the period and received at least one service /
  children whose case opened in the period (also the shares with 2+ and 4+ service types);
- follow-up compliance: follow-ups due in the period that were done / follow-ups due;
- referral acceptance: referrals sent in the period that were accepted or done / referrals sent.
"""

from __future__ import annotations

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from ipec.monitoring.metrics.common import Period, Rate, _age_group, _in_subtree, _rates
from ipec.monitoring.models import (
    Area,
    Case,
    CaseKind,
    Child,
    FollowUp,
    Household,
    Referral,
    ReferralStatus,
    RemediationService,
    Visit,
)

__all__ = [
    "follow_up_compliance",
    "identification_rate",
    "referral_acceptance",
    "support_rate",
]


def identification_rate(session: Session, *, area_path: str, period: Period) -> list[Rate]:
    """Children found in child labour / children visited, by sex and age at the last visit."""
    last = (
        select(
            Visit.child_id,
            func.max(Visit.age).label("age"),
            func.max(case((Visit.child_labour, 1), else_=0)).label("found"),
        )
        .join(Child, Child.id == Visit.child_id)
        .join(Household, Household.id == Child.household_id)
        .join(Area, Area.id == Household.area_id)
        .where(_in_subtree(area_path), Visit.visit_date.between(period.start, period.end))
        .group_by(Visit.child_id)
        .subquery()
    )
    group = _age_group(last.c.age)
    query = (
        select(Child.sex, group, func.sum(last.c.found), func.count())
        .join(last, last.c.child_id == Child.id)
        .group_by(Child.sex, group)
    )
    return _rates(session, query)


def support_rate(
    session: Session, *, area_path: str, period: Period, at_least: int = 1
) -> list[Rate]:
    """Children identified in the period with ``at_least`` kinds of service / identified."""
    kinds = (
        select(RemediationService.case_id, func.count(distinct(RemediationService.type)).label("n"))
        .group_by(RemediationService.case_id)
        .subquery()
    )
    first_age = (
        select(Visit.child_id, func.min(Visit.age).label("age"))
        .where(Visit.child_labour)
        .group_by(Visit.child_id)
        .subquery()
    )
    group = _age_group(first_age.c.age)
    supported = func.sum(case((func.coalesce(kinds.c.n, 0) >= at_least, 1), else_=0))
    query = (
        select(Child.sex, group, supported, func.count(distinct(Case.id)))
        .select_from(Case)
        .join(Child, Child.id == Case.child_id)
        .join(Household, Household.id == Child.household_id)
        .join(Area, Area.id == Household.area_id)
        .join(first_age, first_age.c.child_id == Child.id, isouter=True)
        .join(kinds, kinds.c.case_id == Case.id, isouter=True)
        .where(
            _in_subtree(area_path),
            Case.kind == CaseKind.CHILD_LABOUR,
            Case.opened_on.between(period.start, period.end),
        )
        .group_by(Child.sex, group)
    )
    return _rates(session, query)


def follow_up_compliance(session: Session, *, area_path: str, period: Period) -> list[Rate]:
    """Follow-ups due in the period that were done / follow-ups due, by sex and by age group
    at the child's first visit."""
    first_age = (
        select(Visit.child_id, func.min(Visit.age).label("age")).group_by(Visit.child_id).subquery()
    )
    group = _age_group(first_age.c.age)
    done = func.sum(case((FollowUp.visit_id.is_not(None), 1), else_=0))
    query = (
        select(Child.sex, group, done, func.count(FollowUp.id))
        .select_from(FollowUp)
        .join(Case, Case.id == FollowUp.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(Household, Household.id == Child.household_id)
        .join(Area, Area.id == Household.area_id)
        .join(first_age, first_age.c.child_id == Child.id, isouter=True)
        .where(_in_subtree(area_path), FollowUp.due_on.between(period.start, period.end))
        .group_by(Child.sex, group)
    )
    return _rates(session, query)


def referral_acceptance(session: Session, *, area_path: str, period: Period) -> Rate:
    """Referrals sent in the period that were accepted or done / referrals sent."""
    accepted = func.sum(
        case((Referral.status.in_([ReferralStatus.ACCEPTED, ReferralStatus.DONE]), 1), else_=0)
    )
    query = (
        select(accepted, func.count(Referral.id))
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(Household, Household.id == Child.household_id)
        .join(Area, Area.id == Household.area_id)
        .where(_in_subtree(area_path), Referral.sent_on.between(period.start, period.end))
    )
    numerator, denominator = session.execute(query).one()
    return Rate("total", int(numerator or 0), int(denominator or 0))

"""The US Department of Labor's common indicators, as DOL's own toolkit defines them.

Source: ``USDepartmentofLabor/Child-Labor-Participant-Monitoring-Toolkit``, file
``lib/dbms/default_data/indicators.rb`` at commit
``1ccd1a82434789dd186c65b14c7996e23abdf866`` (2018-12-11); E1's split into children in child
labour and children at high risk (a child with both counted once, in child labour) from
``app/services/education_indicator.rb`` at the same commit. For an area subtree (a case's
area) and a reporting period (DOL reports every six months). Where DOL's text leaves a
choice, the choice is stated here and in docs/monitoring.md.

**Participant children** (POC): children receiving the project's education, training or
livelihood services, i.e. with a service of ``PARTICIPANT_SERVICES`` (education or training,
``EDUCATION_SERVICES``; livelihood, ``LIVELIHOOD_SERVICES``) on one of their own cases of the
subtree, received during the period: started by its end and not ended before its start (a
service without an end date is still being received). Choice: a livelihood service is
recorded on a child's case, so that child is its participant (not the siblings). Grouped by
sex and by age on the period's end (from the birth date: every participant has one, visited
or not).

**Reference period**: "the past six months, AND the past week; yes to either": a child's
visits record last week's work, so a participant is in child labour when any visit (with
consent) in the six calendar months ending on the period's end found it
(:func:`~ipec.monitoring.metrics.calendar.months_window_start`: for 1 Apr-30 Sep, exactly
the period).

- POC1: participants in child labour (any form) in the window / all participants;
- POC2: ... in hazardous child labour (the visit's ``hazardous_work``) / all participants;
- POC3: ... in a worst form other than hazardous work (reason ``WFCL_OTHER``) / all
  participants;
- POC4: participants attending school regularly during the window: days attended over all
  the window's visits at least 75% (DOL's default) of the days the school was open
  (``4 * attended >= 3 * open``, exact; days open exclude holidays by definition) / all
  participants. Choice: DOL's denominator is "total participant children", so a participant
  without a visit in the window counts in the denominators only; ``visited`` says how many
  were seen, so a reader can judge.

**Livelihood households** (L1, POH): households with a livelihood service started in the
period on a case of one of their children (``dol_livelihood_services`` per type). POH is
DOL's before-and-after comparison over those households, reported once at the end of the
project (pass the life of the project, or the part so far, as the period): each household is
judged at its **intake**, the day its first livelihood service of the period started, and at
the **end**, the period's end. Choice: ipec's visits are the household survey (DOL collects
at intake and at the end of the project): a household is judged from the visits (with consent)
to its children in the 12 calendar months ending on that day (child labour: "the past 12
months AND the past week"), and their attendance in the six months ending on it. Children
are those of the register then (not left on or before the day).

- POH1-POH3: households with at least one child in child labour / hazardous child labour /
  another worst form / livelihood households;
- POH4: households whose every child of compulsory school age (``COMPULSORY_SCHOOL_AGES``,
  6-16 by default: Côte d'Ivoire's law no. 2015-635 of 17 September 2015; pass the national
  ages) attended regularly / livelihood households with a child of that age. Choice: DOL needs
  the education status of *all* such children; a child of that age without attendance
  recorded in the window is not known to attend, so the household is not counted as regular.

- E1: children engaged in child labour or at high risk, provided education or vocational
  training (``EDUCATION_SERVICES``) that started in the period (DOL's toolkit counts the
  services started in the period), per service type and for all ("all" counts a child once),
  each child in ``child_labour`` (it has a child-labour case opened by the period's end) or
  else ``at_risk``, by sex and age on the period's end.
- L1: livelihood households, per livelihood type and "all" (a household once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    Subquery,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ipec.monitoring.flags import flag, found_worst_form
from ipec.monitoring.metrics.calendar import age_on_sql, months_window_start, window_start, ymd
from ipec.monitoring.metrics.common import (
    Count,
    Period,
    Rate,
    _age_group,
    _aggregate,
    _grouped,
)
from ipec.monitoring.models import (
    Case,
    CaseKind,
    Child,
    RemediationService,
    ServiceType,
    Visit,
)
from ipec.monitoring.outcomes import EDUCATION_SERVICES
from ipec.monitoring.scope import in_subtree

__all__ = [
    "COMPULSORY_SCHOOL_AGES",
    "LIVELIHOOD_SERVICES",
    "PARTICIPANT_SERVICES",
    "ChildIndicators",
    "HouseholdIndicators",
    "HouseholdRates",
    "dol_child_indicators",
    "dol_education_services",
    "dol_household_indicators",
    "dol_livelihood_services",
]

#: Household livelihood services (L1).
LIVELIHOOD_SERVICES = frozenset(
    {ServiceType.INCOME_GENERATION, ServiceType.SAVINGS_GROUP, ServiceType.CASH_TRANSFER}
)
#: The services that make a child a participant (POC): education, training or livelihood.
PARTICIPANT_SERVICES = EDUCATION_SERVICES | LIVELIHOOD_SERVICES
#: Compulsory school age, first and last year inclusive (Côte d'Ivoire: 6 to 16).
COMPULSORY_SCHOOL_AGES = (6, 16)


@dataclass(frozen=True, slots=True)
class ChildIndicators:
    """POC1-POC4, each a total and one rate per sex and age group; ``visited``: participants
    with a visit in the six months / participants."""

    poc1_child_labour: list[Rate]
    poc2_hazardous_work: list[Rate]
    poc3_other_worst_forms: list[Rate]
    poc4_regular_attendance: list[Rate]
    visited: list[Rate]


@dataclass(frozen=True, slots=True)
class HouseholdRates:
    """POH1-POH4 at one moment (households have no sex or age: totals)."""

    poh1_child_labour: Rate
    poh2_hazardous_work: Rate
    poh3_other_worst_forms: Rate
    poh4_regular_attendance: Rate


@dataclass(frozen=True, slots=True)
class HouseholdIndicators:
    """POH1-POH4 at the households' intake and at the period's end."""

    intake: HouseholdRates
    end: HouseholdRates


def _received_in(period: Period) -> Any:
    """A service received during the period (started by its end, not ended before it)."""
    return and_(
        RemediationService.started_on <= period.end,
        or_(RemediationService.ended_on.is_(None), RemediationService.ended_on >= period.start),
    )


def _on(day: date) -> Any:
    return literal(day, Date)


@_aggregate
def dol_child_indicators(session: Session, *, area_path: str, period: Period) -> ChildIndicators:
    """POC1-POC4 (see the module's definitions): one query over the participants' services
    and their visits of the six months ending on the period's end."""
    # the child's sex and birth date from the case's copies: no read of the children
    participants = (
        select(Case.child_id, Case.child_sex.label("sex"), Case.child_birth_date.label("born"))
        .join(RemediationService, RemediationService.case_id == Case.id)
        .where(
            in_subtree(Case.area_id, area_path),
            RemediationService.type.in_(PARTICIPANT_SERVICES),
            _received_in(period),
        )
        .distinct()
        .cte("participants")
    )
    end = _on(period.end)
    seen = (
        select(
            Visit.child_id,
            func.max(flag(Visit.child_labour)).label("child_labour"),
            func.max(flag(Visit.hazardous_work)).label("hazardous"),
            func.max(flag(found_worst_form(Visit.reasons))).label("worst"),
            func.sum(Visit.school_days_attended).label("attended"),
            func.sum(Visit.school_days_open).label("open"),
        )
        .where(
            Visit.child_id.in_(select(participants.c.child_id)),
            Visit.consent,
            Visit.visit_date.between(window_start(period.end, 6), period.end),
        )
        .group_by(Visit.child_id)
        .subquery("seen")
    )
    s, p = seen.c, participants.c
    group = _age_group(age_on_sql(p.born, end))
    regular = and_(s.open > 0, s.attended * 4 >= s.open * 3)
    rows = session.execute(
        select(
            p.sex,
            group,
            func.sum(func.coalesce(s.child_labour, 0)),
            func.sum(func.coalesce(s.hazardous, 0)),
            func.sum(func.coalesce(s.worst, 0)),
            func.count(),
            func.sum(flag(regular)),
            func.sum(flag(s.child_id.is_not(None))),
        )
        .select_from(participants)
        .outerjoin(seen, s.child_id == p.child_id)
        .group_by(p.sex, group)
    ).all()
    return ChildIndicators(
        poc1_child_labour=_grouped(rows, 2, 5),
        poc2_hazardous_work=_grouped(rows, 3, 5),
        poc3_other_worst_forms=_grouped(rows, 4, 5),
        poc4_regular_attendance=_grouped(rows, 6, 5),
        visited=_grouped(rows, 7, 5),
    )


def _livelihood_starts(area_path: str, period: Period) -> Any:
    """(type, household_id, started_on) of each livelihood service started in the period
    on a case of the subtree."""
    return (
        select(RemediationService.type, Child.household_id, RemediationService.started_on)
        .join(Case, Case.id == RemediationService.case_id)
        .join(Child, Child.id == Case.child_id)
        .where(
            in_subtree(Case.area_id, area_path),
            RemediationService.type.in_(LIVELIHOOD_SERVICES),
            RemediationService.started_on.between(period.start, period.end),
        )
        .cte("livelihood_starts")
    )


def _household_states(households: Subquery, school_ages: tuple[int, int]) -> Any:
    """Per (stage, household) of ``households`` (columns stage, household_id, day): whether a
    child was in child labour, hazardous work, another worst form in the 12 months ending on
    the day; how many children of compulsory school age it had then, and whether all of them
    attended regularly in the six months ending on it."""
    h = households.c
    day = h.day
    in_12 = and_(
        Visit.consent,
        ymd(Visit.visit_date) <= ymd(day),
        ymd(Visit.visit_date) >= months_window_start(day, 12),
    )
    in_6 = ymd(Visit.visit_date) >= months_window_start(day, 6)
    age = age_on_sql(Child.birth_date, day)
    per_child = (
        select(
            h.stage,
            h.household_id,
            Child.id.label("child_id"),
            func.max(flag(Visit.child_labour)).label("child_labour"),
            func.max(flag(Visit.hazardous_work)).label("hazardous"),
            func.max(flag(found_worst_form(Visit.reasons))).label("worst"),
            func.sum(case((in_6, Visit.school_days_attended))).label("attended"),
            func.sum(case((in_6, Visit.school_days_open))).label("open"),
            func.max(flag(age.between(*school_ages))).label("school_age"),
        )
        .select_from(households)
        .join(Child, Child.household_id == h.household_id)
        .outerjoin(Visit, and_(Visit.child_id == Child.id, in_12))
        .where(or_(Child.left_on.is_(None), Child.left_on > day))
        .group_by(h.stage, h.household_id, Child.id)
        .subquery("per_child")
    ).c
    regular = and_(per_child.open > 0, per_child.attended * 4 >= per_child.open * 3)
    per_household = (
        select(
            per_child.stage,
            per_child.household_id,
            func.max(func.coalesce(per_child.child_labour, 0)).label("child_labour"),
            func.max(func.coalesce(per_child.hazardous, 0)).label("hazardous"),
            func.max(func.coalesce(per_child.worst, 0)).label("worst"),
            func.max(per_child.school_age).label("school_age"),
            # the smallest "regular" among the children of school age (NULL when none)
            func.min(case((per_child.school_age == 1, flag(regular)))).label("all_regular"),
        )
        .group_by(per_child.stage, per_child.household_id)
        .subquery("per_household")
    ).c
    return select(
        per_household.stage,
        func.count(),
        func.sum(per_household.child_labour),
        func.sum(per_household.hazardous),
        func.sum(per_household.worst),
        func.sum(per_household.school_age),
        func.sum(flag(per_household.all_regular == 1)),
    ).group_by(per_household.stage)


@_aggregate
def dol_household_indicators(
    session: Session,
    *,
    area_path: str,
    period: Period,
    school_ages: tuple[int, int] = COMPULSORY_SCHOOL_AGES,
) -> HouseholdIndicators:
    """POH1-POH4 at intake and at the end (see the module's definitions), one query."""
    starts = _livelihood_starts(area_path, period)
    intake = select(
        literal("intake").label("stage"),
        starts.c.household_id,
        func.min(starts.c.started_on).label("day"),
    ).group_by(starts.c.household_id)
    at_end = select(
        literal("end").label("stage"), starts.c.household_id, _on(period.end).label("day")
    ).distinct()
    households = union_all(intake, at_end).subquery("households")
    found = {row[0]: [int(n or 0) for n in row[1:]] for row in session.execute(
        _household_states(households, school_ages)
    )}  # fmt: skip

    def rates(stage: str) -> HouseholdRates:
        total, child_labour, hazardous, worst, school_age, regular = found.get(stage, [0] * 6)
        return HouseholdRates(
            poh1_child_labour=Rate("total", child_labour, total),
            poh2_hazardous_work=Rate("total", hazardous, total),
            poh3_other_worst_forms=Rate("total", worst, total),
            poh4_regular_attendance=Rate("total", regular, school_age),
        )

    return HouseholdIndicators(intake=rates("intake"), end=rates("end"))


@_aggregate
def dol_education_services(
    session: Session, *, area_path: str, period: Period
) -> dict[str, list[Count]]:
    """E1: children given education or vocational services started in the period, for "all"
    and per service type: each a ``"total"`` count, then one per ``"<status>*<sex>*<age
    group>"`` (status ``child_labour`` or ``at_risk``, see the module's definitions)."""
    services = (
        select(RemediationService.type, Case.child_id)
        .join(Case, Case.id == RemediationService.case_id)
        .where(
            in_subtree(Case.area_id, area_path),
            RemediationService.type.in_(EDUCATION_SERVICES),
            RemediationService.started_on.between(period.start, period.end),
        )
        .cte("education_services")
    )
    child_id = services.c.child_id
    in_child_labour = exists().where(
        Case.child_id == child_id, Case.kind == CaseKind.CHILD_LABOUR, Case.opened_on <= period.end
    )
    status = case((in_child_labour, CaseKind.CHILD_LABOUR.value), else_=CaseKind.AT_RISK.value)
    group = _age_group(age_on_sql(Child.birth_date, _on(period.end)))
    # Materialised, so that the status and the age are computed once per row.
    described = (
        select(services.c.type, child_id, Child.sex, status.label("status"), group.label("age"))
        .join(Child, Child.id == child_id)
        .cte("described")
        .prefix_with("MATERIALIZED")
    )
    d = described.c
    counted = func.count(distinct(d.child_id))
    rows = session.execute(
        union_all(
            select(d.type, d.status, d.sex, d.age, counted).group_by(
                d.type, d.status, d.sex, d.age
            ),
            select(null(), d.status, d.sex, d.age, counted).group_by(d.status, d.sex, d.age),
        )
    ).all()

    def counts(kind: ServiceType | None) -> list[Count]:
        found = [Count(f"{r[1]}*{r[2]}*{r[3]}", int(r[4])) for r in rows if r[0] == kind]
        total = Count("total", sum(c.count for c in found))
        return [total, *sorted(found, key=lambda c: c.group)]

    found = {"all": counts(None)}
    for service in sorted(EDUCATION_SERVICES, key=list(ServiceType).index):
        found[service.value] = counts(service)
    return found


@_aggregate
def dol_livelihood_services(session: Session, *, area_path: str, period: Period) -> dict[str, int]:
    """L1: households given a livelihood service in the period, for "all" and per type."""
    starts = _livelihood_starts(area_path, period)
    counted = func.count(distinct(starts.c.household_id))
    rows = session.execute(
        union_all(
            select(starts.c.type, counted).group_by(starts.c.type),
            select(null(), counted),
        )
    ).all()
    per_type = {service: int(n) for service, n in rows}
    found = {"all": per_type.pop(None, 0)}
    for service in sorted(LIVELIHOOD_SERVICES, key=list(ServiceType).index):
        found[service.value] = per_type.get(service, 0)
    return found

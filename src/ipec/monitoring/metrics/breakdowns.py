"""Breakdowns the dashboard charts: by month, by area, by hazardous condition, by service.

Aggregated by the database for an area subtree (the child's household's area) and a period:

- visits by month: per calendar month of the period, the children visited in that month and
  those of them found in child labour at a visit in that month (a child visited in two
  months counts in both);
- identification by area: the identification rate's counts (children visited in the period,
  those found in child labour at any of these visits) per direct child area of the subtree's
  root; children of households registered in the root area itself are in no row;
- hazardous conditions: children found in child labour at a visit in the period, per
  hazardous-condition flag (``haz_<name>`` of the visit's record, true at one of those
  visits; a flag is true when recorded as true, 1, yes, y or t);
- services by type: children with a service of that type started in the period (a child
  counts once per type, whatever the number of cases or services).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, aliased

from ipec.classify.prepare import TRUE_WORDS
from ipec.monitoring.flags import flag
from ipec.monitoring.metrics.common import (
    Period,
    _aggregate,
    _month,
    _visits_in,
    months_of,
)
from ipec.monitoring.models import Area, Case, RemediationService, Visit
from ipec.monitoring.scope import in_subtree, root_children
from ipec.standards.codes import HAZARD_CONDITIONS

__all__ = [
    "AreaCounts",
    "MonthCounts",
    "hazard_counts",
    "identification_by_area",
    "services_by_type",
    "visits_by_month",
]


@dataclass(frozen=True, slots=True)
class MonthCounts:
    """Children visited in a month ("YYYY-MM"), and of them those found in child labour."""

    month: str
    visited: int
    identified: int


@dataclass(frozen=True, slots=True)
class AreaCounts:
    """Children visited in the period in one direct child area, and those identified."""

    area_id: int
    name: str
    visited: int
    identified: int


@_aggregate
def visits_by_month(session: Session, *, area_path: str, period: Period) -> list[MonthCounts]:
    """Children visited and found in child labour, per month of the period (every month
    included, with zeros)."""
    month = _month(Visit.visit_date)
    per_child = (
        select(
            month.label("month"),
            Visit.child_id,
            func.max(flag(Visit.child_labour)).label("found"),
        )
        .where(
            *_visits_in(area_path, period),
        )
        .group_by(month, Visit.child_id)
        .subquery("per_child")
    )
    query = select(per_child.c.month, func.count(), func.sum(per_child.c.found)).group_by(
        per_child.c.month
    )
    found = {key: (int(visited), int(identified or 0)) for key, visited, identified in
             session.execute(query).all()}  # fmt: skip
    return [MonthCounts(key, *found.get(key, (0, 0))) for key in months_of(period)]


@_aggregate
def identification_by_area(session: Session, *, area_path: str, period: Period) -> list[AreaCounts]:
    """Children visited and found in child labour in the period, per direct child area of the
    subtree's root that had a child visited, by name."""
    per_child = (
        select(
            Visit.area_id,
            Visit.child_id,
            func.max(flag(Visit.child_labour)).label("found"),
        )
        .where(
            *_visits_in(area_path, period),
        )
        .group_by(Visit.area_id, Visit.child_id)
        .subquery("per_child")
    )
    # Count per area first (a few hundred rows), then roll the areas up to the root's children.
    per_area = (
        select(
            per_child.c.area_id,
            func.count().label("visited"),
            func.sum(per_child.c.found).label("identified"),
        )
        .group_by(per_child.c.area_id)
        .subquery("per_area")
    )
    top = aliased(Area, name="top")
    query = (
        select(top.id, top.name, func.sum(per_area.c.visited), func.sum(per_area.c.identified))
        .select_from(per_area)
        .join(Area, Area.id == per_area.c.area_id)
        .join(top, root_children(top, area_path) & Area.path.startswith(top.path))
        .group_by(top.id, top.name)
    )
    rows = session.execute(query).all()
    return sorted(
        (AreaCounts(int(area_id), name, int(visited), int(identified or 0))
         for area_id, name, visited, identified in rows),
        key=lambda counts: counts.name,
    )  # fmt: skip


def _flag_is_true(record: Any, name: str) -> Any:
    """The record's ``haz_<name>`` flag says yes (whatever way it was written)."""
    value = cast(record[f"haz_{name}"].as_string(), String)
    return func.lower(value).in_(TRUE_WORDS)


@_aggregate
def hazard_counts(session: Session, *, area_path: str, period: Period) -> dict[str, int]:
    """Children found in child labour in the period, per hazardous condition they were
    exposed to at one of those visits (every condition included, with zeros)."""
    per_child = (
        select(
            Visit.child_id,
            *(
                func.max(flag(_flag_is_true(Visit.record, name))).label(name)
                for name in HAZARD_CONDITIONS
            ),
        )
        .where(
            *_visits_in(area_path, period),
            Visit.child_labour,
        )
        .group_by(Visit.child_id)
        .subquery("per_child")
    )
    row = session.execute(
        select(*(func.sum(per_child.c[name]) for name in HAZARD_CONDITIONS))
    ).one()
    return {name: int(count or 0) for name, count in zip(HAZARD_CONDITIONS, row, strict=True)}


@_aggregate
def services_by_type(session: Session, *, area_path: str, period: Period) -> dict[str, int]:
    """Children with a service of each type started in the period (types given to nobody
    are absent)."""
    query = (
        select(RemediationService.type, func.count(Case.child_id.distinct()))
        .select_from(RemediationService)
        .join(Case, Case.id == RemediationService.case_id)
        .where(
            in_subtree(Case.area_id, area_path),
            RemediationService.started_on.between(period.start, period.end),
        )
        .group_by(RemediationService.type)
    )
    return {kind.value: int(count) for kind, count in session.execute(query).all()}

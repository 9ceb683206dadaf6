"""Figures per direct child area of a subtree's root, for the map page: follow-ups overdue
and cases open, counted as the dashboard counts them for the whole subtree (so the areas'
counts add up to the dashboard's cards)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ipec.monitoring.metrics.cases import _open_at
from ipec.monitoring.metrics.common import Period
from ipec.monitoring.models import Area, Case, FollowUp
from ipec.monitoring.readmodel import cases_as_of
from ipec.monitoring.scope import in_subtree, root_children
from ipec.monitoring.sqlhints import unindexed

__all__ = ["open_cases_by_area", "overdue_by_area"]


def _rolled_up(session: Session, per_area: Any, area_path: str) -> dict[int, int]:
    """Counts per area (a subquery of ``area_id``, ``n``) summed up to the root's children."""
    top = aliased(Area, name="top")
    query = (
        select(top.id, func.sum(per_area.c.n))
        .select_from(per_area)
        .join(Area, Area.id == per_area.c.area_id)
        .join(top, root_children(top, area_path) & Area.path.startswith(top.path))
        .group_by(top.id)
    )
    return {int(area_id): int(count or 0) for area_id, count in session.execute(query)}


def overdue_by_area(session: Session, *, area_path: str, period: Period) -> dict[int, int]:
    """Follow-ups due in the period and not done (no visit recorded for them), by direct child
    area of the subtree's root (areas with none left out): the dashboard's "overdue"."""
    per_area = (
        select(Case.area_id.label("area_id"), func.count().label("n"))
        .select_from(FollowUp)
        .join(Case, Case.id == FollowUp.case_id)
        .where(
            in_subtree(Case.area_id, area_path),
            unindexed(FollowUp.due_on).between(period.start, period.end),
            FollowUp.visit_id.is_(None),
        )
        .group_by(Case.area_id)
        .subquery("overdue")
    )
    return _rolled_up(session, per_area, area_path)


def open_cases_by_area(session: Session, *, area_path: str, period: Period) -> dict[int, int]:
    """Cases open at the period's end (the caseload), by direct child area of the subtree's
    root (areas with none left out)."""
    open_cases = cases_as_of(area_path, period.end, ["area_id"],
                             lambda c: [_open_at(period, c)])  # fmt: skip
    per_area = (
        select(open_cases.c.area_id.label("area_id"), func.count().label("n"))
        .group_by(open_cases.c.area_id)
        .subquery("open_cases")
    )
    return _rolled_up(session, per_area, area_path)

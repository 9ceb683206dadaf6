"""Who a follow-up, and the visit it asks for, is assigned to.

A follow-up's own assignee (``FollowUp.assignee_id``) comes first. Without one, the follow-up
is the monitor's of the nearest area at or above the follow-up's area that has one
(:class:`~ipec.monitoring.models.AreaMonitor`): a district's monitor covers the communities
of the district that have no monitor of their own. A follow-up is in its case's area (a
copy), so a household that moves takes its follow-ups to the new area's monitor, except
those assigned one by one.

This module reads; the writes are ``ipec.monitoring.service``'s (``assign_area_monitor``,
``assign_follow_up``) and who may assign whom is the access gate's (``ipec.auth.team``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ipec.monitoring.models import Area, AreaMonitor, FollowUp

__all__ = [
    "Responsible",
    "area_ids_of_path",
    "areas_of",
    "assignee_of",
    "monitors_of",
    "responsible_for",
]


@dataclass(frozen=True, slots=True)
class Responsible:
    """Who a follow-up is assigned to: ``user_id`` (None: nobody), and how: its own assignee
    (``own``), or the monitor of area ``area_id`` (the follow-up's own area or one above)."""

    user_id: int | None
    own: bool = False
    area_id: int | None = None


def area_ids_of_path(path: str) -> list[int]:
    """The ids of an area and of the areas above it, the root first ("/1/4/17/" -> 1, 4, 17)."""
    return [int(part) for part in path.strip("/").split("/") if part]


def monitors_of(session: Session, area_ids: Iterable[int]) -> dict[int, int]:
    """The areas among ``area_ids`` that have a monitor of their own: area id -> user id."""
    wanted = sorted(set(area_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(AreaMonitor.area_id, AreaMonitor.user_id).where(AreaMonitor.area_id.in_(wanted))
    )
    return {row.area_id: row.user_id for row in rows}


def _nearest(path: str, monitors: dict[int, int]) -> Responsible:
    """The monitor of the nearest area at or above the area at ``path``."""
    for area_id in reversed(area_ids_of_path(path)):
        if area_id in monitors:
            return Responsible(monitors[area_id], area_id=area_id)
    return Responsible(None)


def responsible_for(session: Session, paths: Collection[str]) -> dict[str, Responsible]:
    """For each area path, who its follow-ups without an assignee of their own are assigned
    to (one read of the monitors of the areas and of those above them)."""
    monitors = monitors_of(session, (i for path in paths for i in area_ids_of_path(path)))
    return {path: _nearest(path, monitors) for path in paths}


def assignee_of(session: Session, follow_up: FollowUp) -> Responsible:
    """Who ``follow_up`` is assigned to: its own assignee, else its area's monitor."""
    if follow_up.assignee_id is not None:
        return Responsible(follow_up.assignee_id, own=True)
    path = session.scalar(select(Area.path).where(Area.id == follow_up.area_id))
    return responsible_for(session, [path])[path] if path else Responsible(None)


def areas_of(session: Session, user_id: int, scope_path: str) -> list[int]:
    """The ids of the areas, within the subtree at ``scope_path``, whose follow-ups without
    an assignee of their own are user ``user_id``'s: the subtrees of the areas the user is
    the monitor of, less those of the areas under them with another monitor of their own."""
    own = list(session.scalars(
        select(Area.path).join(AreaMonitor, AreaMonitor.area_id == Area.id)
        .where(AreaMonitor.user_id == user_id)
    ))  # fmt: skip
    if not own:
        return []
    under = or_(*(Area.path.startswith(path, autoescape=True) for path in own))
    inside = Area.path.startswith(scope_path, autoescape=True)
    areas = session.execute(select(Area.id, Area.path).where(under, inside)).all()
    others = session.execute(
        select(AreaMonitor.area_id, AreaMonitor.user_id)
        .join(Area, Area.id == AreaMonitor.area_id)
        .where(under)
    )
    monitors = {row.area_id: row.user_id for row in others}
    return sorted(row.id for row in areas if _nearest(row.path, monitors).user_id == user_id)

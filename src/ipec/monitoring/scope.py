"""Where a record is: the areas of a subtree, and whether a record lies in it.

Every list and metric filters by these expressions, so a subtree means the same thing
everywhere: the areas whose materialised path starts with the root's path, and the records
whose area (a household's, or the copy of it on a visit or case) is one of them: an index
range per area of the table filtered, not a scan of records.

The whole programme is the subtree at :data:`WHOLE_PROGRAMME` ("/"), which every area's path
starts with, areas added later included: the scope of an administrator without an area.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from ipec.monitoring.models import Area, Household

__all__ = [
    "PROGRAMME_AREA_ID",
    "WHOLE_PROGRAMME",
    "age_on",
    "households_in_subtree",
    "in_subtree",
    "programme_area",
    "root_children",
    "subtree_area_ids",
]

#: The path of the whole programme: every area's path ("/1/4/17/") starts with it.
WHOLE_PROGRAMME = "/"
#: The id that stands for the whole programme where an area id is expected (never an area's).
PROGRAMME_AREA_ID = 0


def programme_area(name: str = "") -> Area:
    """The whole programme as an area that is not stored: id 0, no parent, path "/" (what a
    dashboard or a metric over every area reads as its root)."""
    return Area(id=PROGRAMME_AREA_ID, parent_id=None, name=name, level="programme",
                path=WHOLE_PROGRAMME, code=None)  # fmt: skip


def root_children(area: Any, path: str) -> ColumnElement[bool]:
    """``area`` (``Area`` or an alias of it) is a direct child of the subtree's root at
    ``path``: a root area when ``path`` is the whole programme."""
    if path == WHOLE_PROGRAMME:
        is_root: ColumnElement[bool] = area.parent_id.is_(None)
        return is_root
    root = select(Area.id).where(Area.path == path).scalar_subquery()
    is_child: ColumnElement[bool] = area.parent_id == root
    return is_child


def subtree_area_ids(path: str) -> Select[Any]:
    """The ids of the areas of the subtree rooted at ``path``."""
    return select(Area.id).where(Area.path.startswith(path, autoescape=True))


def in_subtree(area_id: InstrumentedAttribute[int], path: str) -> ColumnElement[bool]:
    """The record whose area is ``area_id`` (``Visit.area_id``, ``Case.area_id``...) is in
    the subtree rooted at ``path``."""
    return area_id.in_(subtree_area_ids(path))


def households_in_subtree(path: str) -> ColumnElement[bool]:
    """The household (joined as ``Household``) is in the subtree rooted at ``path``."""
    return in_subtree(Household.area_id, path)


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day`` of a child born on ``birth``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

"""Where a record is: the areas of a subtree, and whether a record lies in it.

Every list and metric filters by these expressions, so a subtree means the same thing
everywhere: the areas whose materialised path starts with the root's path, and the records
whose area (a household's, or the copy of it on a visit or case) is one of them: an index
range per area of the table filtered, not a scan of records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from ipec.monitoring.models import Area, Household

__all__ = ["age_on", "households_in_subtree", "in_subtree", "subtree_area_ids"]


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

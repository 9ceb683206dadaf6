"""What several pages share: the areas a user may pick from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Principal
from ipec.monitoring.models import Area

__all__ = ["MAX_AREA_CHOICES", "areas_in_scope"]

#: Areas offered in a picker; deeper areas are reached by drilling down.
MAX_AREA_CHOICES = 500


def areas_in_scope(session: Session, principal: Principal) -> list[Area]:
    """The areas of the user's subtree, in tree order (a parent before its children)."""
    query = (
        select(Area)
        .where(Area.path.startswith(principal.scope_path, autoescape=True))
        .order_by(Area.path)
        .limit(MAX_AREA_CHOICES)
    )
    return list(session.scalars(query))

"""What several pages share: the areas a user may pick from."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Principal
from ipec.monitoring.models import Area

__all__ = ["MAX_AREA_CHOICES", "areas_in_scope", "natural_key"]

#: Areas offered in a picker; deeper areas are reached by drilling down.
MAX_AREA_CHOICES = 500


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """A name's sort key with its numbers compared as numbers: "1.1.2" before "1.1.10".

    >>> sorted(["Zone 10", "zone 9", "Zone 1.1.10", "Zone 1.1.2"], key=natural_key)
    ['Zone 1.1.2', 'Zone 1.1.10', 'zone 9', 'Zone 10']
    """
    parts = re.split(r"(\d+)", name.casefold())
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts if part)


def areas_in_scope(session: Session, principal: Principal) -> list[Area]:
    """The areas of the user's subtree, in tree order (a parent before its children), each
    area's children sorted naturally by name."""
    query = (
        select(Area)
        .where(Area.path.startswith(principal.scope_path, autoescape=True))
        .order_by(Area.path)
        .limit(MAX_AREA_CHOICES)
    )
    found = list(session.scalars(query))
    ids = {area.id for area in found}
    children: dict[int | None, list[Area]] = {}
    for area in found:
        children.setdefault(area.parent_id if area.parent_id in ids else None, []).append(area)
    ordered: list[Area] = []
    stack = sorted(children.get(None, []), key=lambda a: natural_key(a.name), reverse=True)
    while stack:
        area = stack.pop()
        ordered.append(area)
        below = sorted(children.get(area.id, []), key=lambda a: natural_key(a.name))
        stack.extend(reversed(below))
    return ordered

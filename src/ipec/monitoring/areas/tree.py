"""The stored hierarchy: an area by its code, and the tree with what each subtree holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.errors import NotFound
from ipec.monitoring.models import Area, Child, Household

__all__ = ["AreaNode", "area_by_code", "area_tree"]


@dataclass(frozen=True, slots=True)
class AreaNode:
    """One area of the tree, ``depth`` levels below the first listed, with the areas,
    households and children of its subtree (itself included for the last two)."""

    id: int
    code: str | None
    name: str
    level: str
    depth: int
    areas_below: int
    households: int
    children: int


def area_by_code(session: Session, code: str) -> Area:
    """The area with the national administrative ``code``."""
    area = session.scalar(select(Area).where(Area.code == code.strip()))
    if area is None:
        raise NotFound(f"no area has the code {code.strip()}",
                       hint="ipec areas list shows the codes")  # fmt: skip
    return area


def area_tree(
    session: Session, *, under: str | None = None, depth: int | None = None
) -> list[AreaNode]:
    """The areas depth first, each after its parent and siblings by name: every area, or
    the subtree of the area whose code is ``under``; ``depth`` levels at most (0: the top
    areas only). Each with the counts of its subtree."""
    rows = session.execute(select(Area.id, Area.parent_id, Area.code, Area.name, Area.level,
                                  Area.path)).all()  # fmt: skip
    households = dict(
        session.execute(select(Household.area_id, func.count()).group_by(Household.area_id)).all()
    )
    children = dict(
        session.execute(
            select(Household.area_id, func.count())
            .select_from(Child)
            .join(Household, Household.id == Child.household_id)
            .group_by(Household.area_id)
        ).all()
    )
    below: dict[int, int] = defaultdict(int)
    held: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    kids: dict[int | None, list[tuple[str, int]]] = defaultdict(list)
    for area_id, parent_id, _code, name, _level, path in rows:
        kids[parent_id].append((name, area_id))
        ancestors = [int(part) for part in path.strip("/").split("/") if part]
        for ancestor in ancestors:
            held[ancestor][0] += households.get(area_id, 0)
            held[ancestor][1] += children.get(area_id, 0)
            if ancestor != area_id:
                below[ancestor] += 1
    found = {row[0]: row for row in rows}
    if under is None:
        start = [area_id for _, area_id in sorted(kids[None])]
    else:
        start = [area_by_code(session, under).id]
    nodes: list[AreaNode] = []
    stack = [(area_id, 0) for area_id in reversed(start)]
    while stack:
        area_id, level = stack.pop()
        _, _, code, name, kind, _ = found[area_id]
        nodes.append(AreaNode(area_id, code, name, kind, level, below[area_id],
                              held[area_id][0], held[area_id][1]))  # fmt: skip
        if depth is None or level < depth:
            stack.extend((child, level + 1) for _, child in sorted(kids[area_id], reverse=True))
    return nodes

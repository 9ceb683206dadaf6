"""Checking a file of areas against itself and the stored areas, and laying out the import.

Pure: no database. :func:`plan_import` takes the file's rows and a snapshot of the stored
areas and either returns what to write (:class:`ImportPlan`) or refuses the file with every
bad row named (:class:`~ipec.monitoring.areas.files.AreaFileRefused`):

- a code, name or level that is empty or longer than the database keeps;
- a code on more than one row (every such row is named);
- a parent code that is neither in the file nor stored;
- an area that is its own ancestor (every area of the cycle is named, with the cycle);
- two areas of one name under one parent (the file's, or one of the file's and a stored one);
- a stored area given another parent: an import does not move areas.

Areas are matched by code: a stored area with the row's code gets the row's name, level and
boundary (when the file gives one); the others are added, parents before their children.
Each new area's materialised path ("/1/4/17/") is its parent's path and its own id, computed
in one pass once the ids are known (:meth:`ImportPlan.records`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ipec.monitoring.areas.files import AreaFile, AreaFileRefused, AreaRow, BadRow

__all__ = ["MAX_CODE", "MAX_LEVEL", "MAX_NAME", "MAX_PATH", "ImportPlan", "StoredArea",
           "plan_import"]  # fmt: skip

#: The longest code, name, level and path the database keeps.
MAX_CODE, MAX_NAME, MAX_LEVEL, MAX_PATH = 40, 200, 40, 400


@dataclass(frozen=True, slots=True)
class StoredArea:
    """What the plan needs of an area already in the database."""

    id: int
    parent_id: int | None
    code: str | None
    name: str
    level: str
    path: str


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import writes: the new areas (parents first), the stored areas whose name or
    level changes, and the stored areas whose boundary changes."""

    area_file: AreaFile
    new: tuple[AreaRow, ...]
    renamed: tuple[tuple[int, AreaRow], ...]
    reshaped: tuple[tuple[int, str], ...]
    unchanged: int
    #: The stored path of each stored area's code (a new area's parent may be one).
    stored_paths: Mapping[str, tuple[int, str]]

    @property
    def updated(self) -> int:
        """Stored areas changed (name, level or boundary)."""
        return len({area_id for area_id, _ in self.renamed} | {i for i, _ in self.reshaped})

    def records(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The rows to insert, parents first, given one new id per new area (in the order of
        :attr:`new`): each with its parent's id and its materialised path. Refuses areas
        whose path would be longer than the database keeps."""
        placed: dict[str, tuple[int, str]] = {}
        records: list[dict[str, Any]] = []
        too_deep: list[BadRow] = []
        for row, area_id in zip(self.new, ids, strict=True):
            parent = None
            if row.parent_code:
                parent = placed.get(row.parent_code) or self.stored_paths[row.parent_code]
            path = f"{parent[1] if parent else '/'}{area_id}/"
            placed[row.code] = (area_id, path)
            if len(path) > MAX_PATH:
                depth = path.count("/") - 1
                reason = f"lies {depth} levels deep: the hierarchy is too deep to store"
                too_deep.append(BadRow(row.number, reason))
            records.append({"id": area_id, "parent_id": parent[0] if parent else None,
                            "code": row.code, "name": row.name, "level": row.level,
                            "path": path, "boundary": row.boundary})  # fmt: skip
        if too_deep:
            raise AreaFileRefused(self.area_file, too_deep)
        return records


def plan_import(
    area_file: AreaFile,
    stored: Sequence[StoredArea],
    stored_boundaries: Mapping[int, str | None] | None = None,
) -> ImportPlan:
    """The import of ``area_file`` over the ``stored`` areas, or :class:`AreaFileRefused`
    naming every bad row. ``stored_boundaries`` (id to GeoJSON text) tells which boundaries
    change; without it every boundary the file gives is written."""
    problems = list(area_file.problems)
    by_code: dict[str, AreaRow] = {}
    rows_of: dict[str, list[int]] = defaultdict(list)
    for row in area_file.rows:
        problems.extend(BadRow(row.number, reason) for reason in _field_problems(row))
        if row.code:
            rows_of[row.code].append(row.number)
            by_code.setdefault(row.code, row)
    for code, numbers in rows_of.items():
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers)
            on = f"the code {code} is on {area_file.unit}s {listed}"
            problems.extend(BadRow(n, on) for n in numbers)
    stored_by_code = {area.code: area for area in stored if area.code is not None}
    stored_by_id = {area.id: area for area in stored}
    for row in by_code.values():
        parent = row.parent_code
        if parent and parent not in by_code and parent not in stored_by_code:
            problems.append(BadRow(row.number, f"its parent code {row.parent_code} is neither "
                                               "in the file nor in the database"))  # fmt: skip
        if row.code in stored_by_code:
            moved = _moved(row, stored_by_code[row.code], stored_by_id)
            if moved:
                problems.append(BadRow(row.number, moved))
    problems.extend(_cycles(by_code))
    problems.extend(_same_names(by_code, stored, stored_by_id, area_file.unit))
    if problems:
        raise AreaFileRefused(area_file, problems)
    renamed: list[tuple[int, AreaRow]] = []
    reshaped: list[tuple[int, str]] = []
    unchanged = 0
    for row in by_code.values():
        found = stored_by_code.get(row.code)
        if found is None:
            continue
        named = (row.name, row.level) != (found.name, found.level)
        shaped = row.boundary is not None and (
            stored_boundaries is None or row.boundary != stored_boundaries.get(found.id)
        )
        if named:
            renamed.append((found.id, row))
        if shaped and row.boundary is not None:
            reshaped.append((found.id, row.boundary))
        unchanged += not (named or shaped)
    new = [row for row in by_code.values() if row.code not in stored_by_code]
    return ImportPlan(
        area_file=area_file,
        new=tuple(_parents_first(new)),
        renamed=tuple(renamed),
        reshaped=tuple(reshaped),
        unchanged=unchanged,
        stored_paths={code: (area.id, area.path) for code, area in stored_by_code.items()},
    )


def _field_problems(row: AreaRow) -> list[str]:
    code, name, level, parent = row.code, row.name, row.level, row.parent_code
    if (
        code
        and name
        and level
        and len(code) <= MAX_CODE
        and len(name) <= MAX_NAME
        and (len(level) <= MAX_LEVEL and len(parent) <= MAX_CODE)
    ):
        return []
    found = []
    for what, value, longest in (("code", row.code, MAX_CODE), ("name", row.name, MAX_NAME),
                                 ("level", row.level, MAX_LEVEL)):  # fmt: skip
        if not value:
            found.append(f"the {what} is empty")
        elif len(value) > longest:
            found.append(f"the {what} is longer than {longest} characters")
    if len(row.parent_code) > MAX_CODE:
        found.append(f"the parent code is longer than {MAX_CODE} characters")
    return found


def _described(area: StoredArea | None) -> str:
    if area is None:
        return "none (a top area)"
    if area.code is None:
        return f"area {area.id} ({area.name}, without a code)"
    return area.code


def _moved(row: AreaRow, area: StoredArea, by_id: Mapping[int, StoredArea]) -> str | None:
    """Why the row would move the stored area to another parent, or None."""
    parent = by_id.get(area.parent_id) if area.parent_id is not None else None
    if (parent.code if parent else "") == row.parent_code:  # a parent without a code never is
        return None
    return (f"the area {row.code} has the parent {_described(parent)} in the database, not "
            f"{row.parent_code or 'none (a top area)'}: an import does not move areas")  # fmt: skip


def _cycles(by_code: Mapping[str, AreaRow]) -> list[BadRow]:
    """Every area of the file that is its own ancestor, with its cycle."""
    problems: list[BadRow] = []
    state: dict[str, int] = {}  # 1: on the walk going on, 2: done
    for start in by_code:
        walk: list[str] = []
        code = start
        while code in by_code and code not in state:
            state[code] = 1
            walk.append(code)
            code = by_code[code].parent_code
        if code in by_code and state[code] == 1:
            cycle = walk[walk.index(code) :]
            if len(cycle) == 1:
                problems.append(BadRow(by_code[code].number, f"the area {code} is its own parent"))
            else:
                shown = " -> ".join([*cycle, cycle[0]])
                problems.extend(BadRow(by_code[member].number, f"the area {member} is its own "
                                       f"ancestor: {shown}") for member in cycle)  # fmt: skip
        for code in walk:
            state[code] = 2
    return problems


def _same_names(
    by_code: Mapping[str, AreaRow],
    stored: Sequence[StoredArea],
    by_id: Mapping[int, StoredArea],
    unit: str,
) -> list[BadRow]:
    """Rows whose area would share its name with another area of the same parent."""
    # (parent, name) -> the areas so named: a row of the file, or a stored area the file
    # does not name (a stored area the file names takes the row's name).
    under: dict[tuple[str, str], list[AreaRow | StoredArea]] = defaultdict(list)
    for area in stored:
        if area.code not in by_code:
            parent = by_id.get(area.parent_id) if area.parent_id is not None else None
            under[(_parent_key(parent.code if parent else "", parent), area.name)].append(area)
    for row in by_code.values():
        if row.name:
            under[(_parent_key(row.parent_code, None), row.name)].append(row)
    problems: list[BadRow] = []
    for (_, name), owners in under.items():
        if len(owners) < 2:
            continue
        for owner in owners:
            if isinstance(owner, AreaRow):
                others = ", ".join(_owner(other, unit) for other in owners if other is not owner)
                where = f"under {owner.parent_code}" if owner.parent_code else "at the top"
                problems.append(BadRow(owner.number, f"another area {where} is named {name} "
                                                     f"({others})"))  # fmt: skip
    return problems


def _owner(area: AreaRow | StoredArea, unit: str) -> str:
    if isinstance(area, AreaRow):
        return f"{unit} {area.number}"
    return f"area {area.id}, in the database"


def _parent_key(parent_code: str | None, parent: StoredArea | None) -> str:
    """The same key for a parent named by its code in the file and the stored parent that has
    that code; stored parents without a code by their id."""
    if parent is not None and parent.code is None:
        return f"id:{parent.id}"
    return f"code:{parent_code}" if parent_code else "top"


def _parents_first(rows: Sequence[AreaRow]) -> list[AreaRow]:
    """The new areas, each after its parent (the file is known to have no cycle)."""
    by_code = {row.code: row for row in rows}
    placed: set[str] = set()
    ordered: list[AreaRow] = []
    for row in rows:
        climb: list[str] = []
        code = row.code
        while code in by_code and code not in placed:
            climb.append(code)
            placed.add(code)
            code = by_code[code].parent_code
        ordered.extend(by_code[code] for code in reversed(climb))
    return ordered

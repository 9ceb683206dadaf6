"""Importing a file of areas into the database: all of it or nothing.

:func:`import_areas` reads a snapshot of the stored areas, has the file checked against it
(:func:`~ipec.monitoring.areas.plan.plan_import`), takes the new areas' ids in one query, and
writes the new areas with their paths in one bulk load (:func:`ipec.db.bulk.bulk_load`:
``COPY`` on PostgreSQL, parents first; the table's indexes and keys stay in force, since it
is in use), then the changed names, levels and boundaries in batch updates, and one audit
row, all in the caller's transaction (the caller commits). A refused file writes nothing.

The stored areas cannot change between the check and the writes: on PostgreSQL the areas
table is locked against other writers (readers go on) until the transaction ends; on SQLite
the transaction must hold the write lock from its start (an engine made with
``make_engine(url, write_transactions=True)``, as ``ipec areas import`` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import polars as pl
from sqlalchemy import Connection, Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from ipec.db.bulk import bulk_load
from ipec.monitoring.areas.files import AreaFile
from ipec.monitoring.areas.plan import ImportPlan, StoredArea, plan_import
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area

__all__ = ["ImportSummary", "import_areas"]

_AREAS = cast(Table, Area.__table__)
#: The columns of a new area, as the bulk load takes them.
_SCHEMA = {"id": pl.Int64, "parent_id": pl.Int64, "code": pl.String, "name": pl.String,
           "level": pl.String, "path": pl.String, "boundary": pl.String}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did (or, checked only, would do): areas added, stored areas changed
    (name, level or boundary) and stored areas the file left as they were."""

    source: str
    created: int
    updated: int
    unchanged: int
    checked_only: bool = False


def import_areas(
    session: Session,
    area_file: AreaFile,
    *,
    actor: str,
    origin: str | None = None,
    check_only: bool = False,
) -> ImportSummary:
    """Import the areas of ``area_file`` in the caller's transaction, or refuse the whole
    file (:class:`~ipec.monitoring.areas.files.AreaFileRefused`, every bad row named).
    ``check_only``: check the file against the stored areas and write nothing. The import is
    audit-logged as ``areas.import`` by ``actor``."""
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql" and not check_only:
        connection.execute(text("LOCK TABLE areas IN SHARE ROW EXCLUSIVE MODE"))
    stored = [
        StoredArea(*row)
        for row in connection.execute(
            select(Area.id, Area.parent_id, Area.code, Area.name, Area.level, Area.path)
        )
    ]
    boundaries = None
    if any(row.boundary is not None for row in area_file.rows):
        query = select(Area.id, Area.boundary).where(Area.code.is_not(None))
        boundaries = {int(row.id): row.boundary for row in connection.execute(query)}
    plan = plan_import(area_file, stored, boundaries)
    summary = ImportSummary(area_file.source, len(plan.new), plan.updated, plan.unchanged,
                            checked_only=check_only)  # fmt: skip
    if check_only:
        top = max((area.id for area in stored), default=0)
        plan.records(range(top + 1, top + 1 + len(plan.new)))  # only to check the depth
        return summary
    _write(connection, plan)
    write_audit(session, actor=actor, action="areas.import", entity="area", entity_id=0,
                origin=origin, detail={"source": area_file.source, "created": summary.created,
                                       "updated": summary.updated,
                                       "unchanged": summary.unchanged})  # fmt: skip
    session.flush()
    # Areas the session holds may have changed under it.
    session.expire_all()
    return summary


def _new_ids(connection: Connection, count: int) -> list[int]:
    """``count`` ids for new areas: from the id sequence on PostgreSQL (so areas added at
    the same time by the API get others), after the largest id on SQLite (whose writers take
    turns)."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        taken = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('areas', 'id')) "
                 "FROM generate_series(1, :count)"),
            {"count": count},
        ).scalars()  # fmt: skip
        return sorted(int(value) for value in taken)
    top = connection.execute(select(func.max(Area.id))).scalar() or 0
    return list(range(top + 1, top + 1 + count))


def _write(connection: Connection, plan: ImportPlan) -> None:
    """The new areas (one batch, parents first), then the changed names and levels, then
    the changed boundaries."""
    records = plan.records(_new_ids(connection, len(plan.new)))
    if records:
        with bulk_load(connection, ()) as writer:
            writer.write("areas", pl.DataFrame(records, schema=_SCHEMA))
    if plan.renamed:
        rename = (
            update(_AREAS)
            .where(_AREAS.c.id == bindparam("area_id"))
            .values(name=bindparam("new_name"), level=bindparam("new_level"))
        )
        # First a name no other area has, so that areas may swap names within one parent
        # (the database checks each row's name as it is written).
        connection.execute(rename, [{"area_id": area_id, "new_name": f"\x1f{area_id}",
                                     "new_level": row.level}
                                    for area_id, row in plan.renamed])  # fmt: skip
        connection.execute(rename, [{"area_id": area_id, "new_name": row.name,
                                     "new_level": row.level}
                                    for area_id, row in plan.renamed])  # fmt: skip
    if plan.reshaped:
        reshape = (
            update(_AREAS)
            .where(_AREAS.c.id == bindparam("area_id"))
            .values(boundary=bindparam("new_boundary"))
        )
        connection.execute(reshape, [{"area_id": area_id, "new_boundary": boundary}
                                     for area_id, boundary in plan.reshaped])  # fmt: skip

"""Keep each child's facts (:class:`~ipec.monitoring.models.ChildFacts`) current with the
child's visits.

The metrics judge a child at its latest visit up to a period's end and read its age at the
first visit. Ranking a region's 600,000 visits for that on every metric took most of a
second; the facts give the same answers from one row per child whenever the period ends on or
after the child's latest visit, as the current period does (the metrics go back to the
visits for the other children).

The facts are computed from the visits themselves, never patched, so a visit recorded late
(dated before others) gives the same facts as one recorded in order. The ORM recomputes a
child's facts after each visit it inserts, changes or deletes, in the same transaction (a
visit's child never changes: the ORM refuses it); the demo seeder computes every child's at
once. On PostgreSQL the child's row is locked (``FOR NO KEY UPDATE``, which the foreign-key
checks of visits being inserted do not block) before the facts are computed, so two
transactions recording visits of the same child take turns, and under PostgreSQL's default
READ COMMITTED the second computes with the first's visit; SQLite has one writer at a time.
``record_visit`` already locks the child, more strongly; the lock here keeps the facts right
for any other writer of visits (a change or deletion through the ORM).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    case,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapper

from ipec.monitoring.flags import flag, found_worst_form
from ipec.monitoring.models import Child, ChildFacts, Visit

__all__ = ["facts_rows", "refresh_child_facts"]


def facts_rows(child_ids: Collection[int] | None = None) -> Select[Any]:
    """One row of facts per child with a visit (of ``child_ids``, or every child), in the
    order of :class:`ChildFacts`'s columns."""
    rank = func.row_number().over(
        partition_by=Visit.child_id, order_by=(Visit.visit_date.desc(), Visit.id.desc())
    )
    ranked = select(
        Visit.child_id,
        func.min(Visit.age).over(partition_by=Visit.child_id).label("first_age"),
        Visit.visit_date,
        Visit.age,
        Visit.monitor,
        flag(Visit.child_labour).label("child_labour"),
        flag(Visit.hazardous_work).label("hazardous"),
        flag(found_worst_form(Visit.reasons)).label("worst"),
        Visit.school_days_attended,
        Visit.school_days_open,
        rank.label("rank"),
    )
    if child_ids is not None:
        ranked = ranked.where(Visit.child_id.in_(child_ids))
    r = ranked.subquery("ranked").c

    def at(rank_wanted: int, column: Any) -> Any:
        return func.max(case((r.rank == rank_wanted, column)))

    return (
        select(
            r.child_id,
            func.max(r.first_age),
            at(1, r.visit_date),
            at(1, r.age),
            at(1, r.monitor),
            at(1, r.child_labour),
            at(1, r.hazardous),
            at(1, r.worst),
            at(1, r.school_days_attended),
            at(1, r.school_days_open),
            at(2, r.visit_date),
            at(2, r.child_labour),
        )
        .where(r.rank <= 2)
        .group_by(r.child_id)
    )


_COLUMNS = [column.name for column in ChildFacts.__table__.columns]


def refresh_child_facts(connection: Connection, child_ids: Collection[int] | None = None) -> None:
    """Compute the facts of ``child_ids`` (every child when None) again from their visits."""
    if child_ids is not None and not child_ids:
        return
    if child_ids is not None and connection.dialect.name == "postgresql":
        connection.execute(
            select(Child.id)
            .where(Child.id.in_(child_ids))
            .order_by(Child.id)
            .with_for_update(key_share=True)
        )
    removal = delete(ChildFacts)
    if child_ids is not None:
        removal = removal.where(ChildFacts.child_id.in_(child_ids))
    connection.execute(removal)
    connection.execute(insert(ChildFacts).from_select(_COLUMNS, facts_rows(child_ids)))


def _after_visit_written(_mapper: Mapper[Any], connection: Connection, target: Visit) -> None:
    refresh_child_facts(connection, [target.child_id])


for _moment in ("after_insert", "after_update", "after_delete"):
    event.listen(Visit, _moment, _after_visit_written)

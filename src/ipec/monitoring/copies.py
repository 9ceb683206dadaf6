"""The copies of other records' columns, set-wise, for writers that bypass the ORM.

:mod:`ipec.monitoring.models` copies, as each record is inserted through the ORM (its
row-local ``before_insert`` listeners), a visit's and a case's ``area_id`` from the child's
household, a case's ``child_sex`` and ``child_birth_date`` from its child
(:data:`~ipec.monitoring.models.CHILD_COPIES`), and a follow-up's ``area_id`` from its case.
A bulk writer (the demo seeder) writes the rows without those columns into a temporary table
and moves them in with :func:`insert_with_copies`: one ``INSERT ... SELECT`` gives every row
what the listeners would have given it (cases before their follow-ups, which copy the case's
area). The rows are complete when they are inserted, as through the ORM: a copy is never
filled in afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, column, insert, select, table

from ipec.monitoring.models import CHILD_COPIES, Case, Child, FollowUp, Household, Visit

__all__ = ["COPIED", "insert_with_copies"]

#: The columns each kind of record copies.
COPIED: dict[type[Visit | Case | FollowUp], tuple[str, ...]] = {
    Visit: ("area_id",),
    Case: ("area_id", *CHILD_COPIES),
    FollowUp: ("area_id",),
}


def _area_of_child(child_id: Any) -> Any:
    """The area of the household of the child ``child_id``."""
    return (
        select(Household.area_id)
        .join(Child, Child.household_id == Household.id)
        .where(Child.id == child_id)
        .scalar_subquery()
    )


def _copies(model: type[Visit | Case | FollowUp], row: Any) -> dict[str, Any]:
    """The copies of a record of ``model`` whose own columns are ``row``, as SQL."""
    if model is FollowUp:
        return {"area_id": select(Case.area_id).where(Case.id == row.case_id).scalar_subquery()}
    copies = {"area_id": _area_of_child(row.child_id)}
    if model is Case:
        for name, source in CHILD_COPIES.items():
            copies[name] = (
                select(getattr(Child, source)).where(Child.id == row.child_id).scalar_subquery()
            )
    return copies


def insert_with_copies(
    connection: Connection,
    model: type[Visit | Case | FollowUp],
    *,
    staged: str,
    columns: Sequence[str],
) -> None:
    """Insert the rows of the table ``staged`` (with ``columns`` of ``model``, its copies
    left out) into ``model``'s table, each with the copies the ORM's insert would give it,
    in the connection's transaction (the caller commits)."""
    given = [name for name in columns if name not in COPIED[model]]
    source = table(staged, *(column(name) for name in given))
    copies = _copies(model, source.c)
    rows = select(*(source.c[name] for name in given), *copies.values())
    connection.execute(insert(model).from_select([*given, *copies], rows))

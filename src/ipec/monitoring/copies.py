"""The copies of other records' columns, set-wise, for writers that bypass the ORM.

:mod:`ipec.monitoring.models` copies, as each record is inserted through the ORM (its
row-local ``before_insert`` listeners), a visit's and a case's ``area_id`` from the child's
household, a case's ``child_sex`` and ``child_birth_date`` from its child
(:data:`~ipec.monitoring.models.CHILD_COPIES`), and a follow-up's ``area_id`` from its case.
A bulk writer (the demo seeder) writes those columns with any stand-in value and then calls
:func:`fill_copies`: one statement per table gives every row (or every row it just wrote)
what the listeners would have given it. Cases are filled before their follow-ups, which copy
the case's area.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select, update

from ipec.monitoring.models import CHILD_COPIES, Case, Child, FollowUp, Household, Visit

__all__ = ["fill_copies"]


def _area_of_child(child_id: Any) -> Any:
    """The area of the household of the child ``child_id`` (a column of the row updated)."""
    return (
        select(Household.area_id)
        .join(Child, Child.household_id == Household.id)
        .where(Child.id == child_id)
        .scalar_subquery()
    )


def _of_child(column: Any) -> Any:
    """A column of the case's child."""
    return select(column).where(Child.id == Case.child_id).scalar_subquery()


def fill_copies(connection: Connection, *, since: Mapping[str, int] | None = None) -> None:
    """Set the copies of every visit, case and follow-up from what they copy, in the
    connection's transaction (the caller commits).

    ``since`` limits it to the rows of the tables it names (``visits``, ``cases``,
    ``follow_ups``) whose id is at least the one given, and leaves the other tables alone: a
    bulk writer fills the rows it has just appended while their pages are at hand.
    """
    copies = {name: _of_child(getattr(Child, source)) for name, source in CHILD_COPIES.items()}
    filled = (
        (Visit, {"area_id": _area_of_child(Visit.child_id)}),
        (Case, {"area_id": _area_of_child(Case.child_id), **copies}),
        (FollowUp, {"area_id": select(Case.area_id).where(Case.id == FollowUp.case_id)
                    .scalar_subquery()}),
    )  # fmt: skip
    for model, values in filled:
        table = model.__tablename__
        if since is None:
            connection.execute(update(model).values(values))
        elif table in since:
            connection.execute(update(model).where(model.id >= since[table]).values(values))

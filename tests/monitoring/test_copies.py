"""``insert_with_copies`` gives rows inserted set-wise the copies the ORM's listeners give
each record at insert."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from ipec.monitoring import Case, Child, Sex, Visit
from ipec.monitoring.copies import COPIED, insert_with_copies
from ipec.monitoring.models import CaseKind, CaseStatus, FollowUp
from ipec.monitoring.service import ChildInput, create_area, record_visit, register_household
from ipec.standards import load_profile

SDG = load_profile("sdg-8.7.1")
TODAY = date(2026, 6, 1)
IN_LABOUR = {"econ_any": True, "econ_hours": 30}
NOT_WORKING = {"econ_any": False, "econ_hours": None}
_names = itertools.count()


def _records(session: Session) -> None:
    """Households in four areas, children with visits, cases of both kinds, follow-ups:
    written through the ORM, whose listeners give the copies."""
    root = create_area(session, name=f"country {next(_names)}", level="country")
    districts = [
        create_area(session, name=f"district {i}", level="district", parent_id=root.id)
        for i in range(3)
    ]
    for number, area in enumerate([root, *districts]):
        household = register_household(
            session, area_id=area.id, head_name="head", actor="m", today=TODAY,
            children=[ChildInput("Ama", Sex.FEMALE, date(2014, 1, 1 + number)),
                      ChildInput("Kofi", Sex.MALE, date(2011, 3, 2 + number))],
        )  # fmt: skip
        kids = session.scalars(select(Child).where(Child.household_id == household.id)).all()
        for days, kid, record in zip((30, 200), kids, (IN_LABOUR, NOT_WORKING), strict=True):
            record_visit(session, child_id=kid.id, visit_date=TODAY - timedelta(days=days),
                         monitor="m", consent=True, record=record, profile=SDG, actor="m",
                         today=TODAY)  # fmt: skip
        session.add(Case(child_id=kids[1].id, kind=CaseKind.AT_RISK, status=CaseStatus.AT_RISK,
                         opened_on=TODAY))  # fmt: skip
    session.flush()
    for case in session.scalars(select(Case)).all():
        session.add_all(FollowUp(case_id=case.id, due_on=TODAY + timedelta(days=d))
                        for d in (90, 180))  # fmt: skip
    session.flush()


def _again(connection: Connection, model: type[Visit | Case | FollowUp]) -> list[tuple[Any, ...]]:
    """Write every row of ``model`` again, without its copies, with new ids, through
    ``insert_with_copies``; the copies of the old and of the new rows, in the same order."""
    columns = [c.name for c in model.__table__.columns if c.name not in COPIED[model]]
    names = ", ".join(columns)
    table = model.__tablename__
    staged = f"staged_{table}"
    connection.execute(text(f"CREATE TEMPORARY TABLE {staged} AS SELECT {names} FROM {table} "
                            "WHERE 1 = 0"))  # fmt: skip
    last = connection.scalar(text(f"SELECT max(id) FROM {table}"))
    moved = ", ".join(f"id + {last}" if name == "id" else name for name in columns)
    connection.execute(text(f"INSERT INTO {staged} ({names}) SELECT {moved} FROM {table}"))
    insert_with_copies(connection, model, staged=staged, columns=columns)
    copies = ", ".join(COPIED[model])
    rows = connection.execute(text(f"SELECT id, {copies} FROM {table} ORDER BY id")).all()
    connection.execute(text(f"DROP TABLE {staged}"))
    return [(row[0] - last if row[0] > last else row[0], *row[1:]) for row in rows]


@pytest.mark.parametrize("model", [Visit, Case, FollowUp], ids=lambda m: m.__tablename__)
def test_insert_with_copies_gives_what_the_listeners_give(
    session: Session, model: type[Visit | Case | FollowUp]
) -> None:
    _records(session)
    rows = _again(session.connection(), model)
    old, new = rows[: len(rows) // 2], rows[len(rows) // 2 :]
    assert len(old) >= 8
    assert len({row[1] for row in old}) == 4  # four areas
    assert new == old

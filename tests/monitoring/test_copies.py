"""``fill_copies`` gives every row, set-wise, the copies the ORM's listeners give at insert."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ipec.monitoring import Case, Child, Sex, Visit
from ipec.monitoring.copies import fill_copies
from ipec.monitoring.models import CaseKind, CaseStatus, FollowUp
from ipec.monitoring.service import ChildInput, create_area, record_visit, register_household
from ipec.standards import load_profile

SDG = load_profile("sdg-8.7.1")
TODAY = date(2026, 6, 1)
IN_LABOUR = {"econ_any": True, "econ_hours": 30}
NOT_WORKING = {"econ_any": False, "econ_hours": None}
_names = itertools.count()


def _copies(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every copied column of every visit, case and follow-up, by id."""
    return {
        "visits": list(session.execute(select(Visit.id, Visit.area_id).order_by(Visit.id))),
        "cases": list(session.execute(
            select(Case.id, Case.area_id, Case.child_sex, Case.child_birth_date).order_by(Case.id)
        )),
        "follow_ups": list(
            session.execute(select(FollowUp.id, FollowUp.area_id).order_by(FollowUp.id))
        ),
    }  # fmt: skip


def test_fill_copies_gives_what_the_listeners_give(session: Session) -> None:
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
    given = _copies(session)
    assert len(given["cases"]) == 8
    assert len({row[1] for row in given["visits"]}) == 4
    # Stand-ins everywhere (as a bulk writer leaves them), then the copies filled set-wise.
    connection = session.connection()
    connection.execute(update(Visit).values(area_id=root.id))
    connection.execute(
        update(Case).values(area_id=root.id, child_sex=Sex.MALE, child_birth_date=date(1900, 1, 1))
    )
    connection.execute(update(FollowUp).values(area_id=districts[0].id))
    session.expire_all()
    stand_ins = _copies(session)
    assert stand_ins != given
    # The rows from given ids on, of the tables named (a bulk writer's latest rows).
    since = {"visits": given["visits"][4][0], "cases": given["cases"][6][0]}
    fill_copies(connection, since=since)
    session.expire_all()
    assert _copies(session) == {
        "visits": stand_ins["visits"][:4] + given["visits"][4:],
        "cases": stand_ins["cases"][:6] + given["cases"][6:],
        "follow_ups": stand_ins["follow_ups"],
    }
    fill_copies(connection)
    session.expire_all()
    assert _copies(session) == given

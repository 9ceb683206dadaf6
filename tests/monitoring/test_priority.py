"""Cases come out in priority order from the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import Case, CaseKind, CaseStatus, Child, Sex
from ipec.monitoring.priority import priority_order
from ipec.monitoring.service import ChildInput, create_area, register_household

TODAY = date(2026, 6, 1)


def test_priority_order(session: Session) -> None:
    area = create_area(session, name="District", level="district")
    # name: (sex, birth date, worst forms, hazardous, opened on)
    people = {
        "boy 15, hazardous": (Sex.MALE, date(2011, 1, 1), False, True, date(2026, 1, 1)),
        "girl 14, older case": (Sex.FEMALE, date(2012, 1, 1), False, False, date(2025, 1, 1)),
        "boy 16, worst form": (Sex.MALE, date(2010, 1, 1), True, False, date(2026, 3, 1)),
        "boy 10, plain": (Sex.MALE, date(2016, 1, 1), False, False, date(2026, 2, 1)),
        "girl 10, plain": (Sex.FEMALE, date(2016, 2, 1), False, False, date(2026, 4, 1)),
        "boy 14, plain, newer case": (Sex.MALE, date(2012, 2, 1), False, False, date(2026, 5, 1)),
    }  # fmt: skip
    register_household(session, area_id=area.id, head_name="Head", actor="m", today=TODAY,
                       children=[ChildInput(name, sex, born) for name, (sex, born, *_) in
                                 people.items()])  # fmt: skip
    for child in session.scalars(select(Child)):
        _, _, worst, hazardous, opened = people[child.name]
        session.add(Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR,
                         status=CaseStatus.IDENTIFIED, worst_forms=worst, hazardous=hazardous,
                         opened_on=opened))  # fmt: skip
    session.flush()
    ordered = session.scalars(
        select(Child.name).join(Case, Case.child_id == Child.id).order_by(*priority_order(TODAY))
    ).all()
    assert ordered == [
        "boy 16, worst form",
        "boy 15, hazardous",
        "girl 10, plain",
        "boy 10, plain",
        "girl 14, older case",
        "boy 14, plain, newer case",
    ]

"""Visits and cases carry their household's area, follow-ups their case's: set on every write,
never able to go stale."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.errors import DataError, NotFound
from ipec.monitoring import Area, Case, Child, Household, Sex, Visit
from ipec.monitoring.models import CaseKind, CaseStatus, FollowUp
from ipec.monitoring.service import (
    ChildInput,
    create_area,
    record_visit,
    register_household,
    update_child,
    update_household,
)
from ipec.standards import load_profile

SDG = load_profile("sdg-8.7.1")
TODAY = date(2026, 6, 1)
RECORDS = (
    {"econ_any": True, "econ_hours": 30},  # child labour under 15: opens a case
    {"econ_any": True, "econ_hours": 45},  # hazardous
    {"econ_any": False, "econ_hours": None},
)
_names = itertools.count()


def _mismatches(session: Session, model: type[Visit | Case]) -> tuple[int, int]:
    """(rows of ``model``, rows whose area is not their child's household's area)."""
    rows = session.execute(
        select(func.count(), func.count().filter(model.area_id != Household.area_id))
        .select_from(model)
        .join(Child, Child.id == model.child_id)
        .join(Household, Household.id == Child.household_id)
    ).one()
    return int(rows[0]), int(rows[1])


scenario = st.lists(
    st.tuples(
        st.integers(0, 3),  # the area of the household
        st.lists(  # its children's visits: (days before today, record)
            st.lists(st.tuples(st.integers(0, 700), st.integers(0, 2)), max_size=3),
            min_size=1,
            max_size=3,
        ),
        st.booleans(),  # an at-risk case for the first child, written as a record
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(households=scenario)
def test_every_visit_and_case_is_in_its_households_area(
    session: Session, households: list[tuple[int, list[list[tuple[int, int]]], bool]]
) -> None:
    root = create_area(session, name=f"country {next(_names)}", level="country")
    region = create_area(session, name="region", level="region", parent_id=root.id)
    areas = [root, region] + [
        create_area(session, name=f"district {i}", level="district", parent_id=region.id)
        for i in range(2)
    ]
    for where, children, at_risk in households:
        household = register_household(
            session, area_id=areas[where].id, head_name="head", actor="m", today=TODAY,
            children=[ChildInput(f"child {i}", Sex.FEMALE, date(2014, 1, 1))
                      for i in range(len(children))],
        )  # fmt: skip
        kids = session.scalars(
            select(Child).where(Child.household_id == household.id).order_by(Child.id)
        ).all()
        for kid, visits in zip(kids, children, strict=True):
            for days, record in visits:
                record_visit(session, child_id=kid.id, visit_date=TODAY - timedelta(days=days),
                             monitor="m", consent=True, record=RECORDS[record], profile=SDG,
                             actor="m", today=TODAY)  # fmt: skip
        if at_risk:
            session.add(Case(child_id=kids[0].id, kind=CaseKind.AT_RISK,
                             status=CaseStatus.AT_RISK, opened_on=TODAY))  # fmt: skip
    session.flush()
    for model in (Visit, Case):
        _, wrong = _mismatches(session, model)
        assert wrong == 0, model.__name__
    visited = sum(len(v) for _, children, _ in households for v in children)
    assert _mismatches(session, Visit)[0] >= visited


def _one_child(session: Session) -> tuple[Area, Area, Child]:
    root = create_area(session, name=f"country {next(_names)}", level="country")
    other = create_area(session, name="elsewhere", level="district", parent_id=root.id)
    household = register_household(
        session, area_id=root.id, head_name="head", actor="m", today=TODAY,
        children=[ChildInput("Ama", Sex.FEMALE, date(2014, 1, 1))],
    )  # fmt: skip
    child = session.scalars(select(Child).where(Child.household_id == household.id)).one()
    record_visit(session, child_id=child.id, visit_date=TODAY, monitor="m", consent=True,
                 record=RECORDS[0], profile=SDG, actor="m", today=TODAY)  # fmt: skip
    return root, other, child


def test_a_case_written_as_a_record_gets_the_area_and_refuses_another(session: Session) -> None:
    root, other, child = _one_child(session)
    case = session.scalars(select(Case).where(Case.child_id == child.id)).one()
    assert case.area_id == root.id
    with session.begin_nested():
        session.add(Case(child_id=child.id, kind=CaseKind.AT_RISK, status=CaseStatus.AT_RISK,
                         opened_on=TODAY, area_id=other.id))  # fmt: skip
        with pytest.raises(DataError, match="not " + str(other.id)):
            session.flush()


def test_a_follow_up_gets_its_cases_area_and_refuses_another(session: Session) -> None:
    root, other, child = _one_child(session)
    case = session.scalars(select(Case).where(Case.child_id == child.id)).one()
    follow_up = FollowUp(case_id=case.id, due_on=TODAY)
    session.add(follow_up)
    session.flush()
    assert follow_up.area_id == case.area_id == root.id
    with session.begin_nested():
        session.add(FollowUp(case_id=case.id, due_on=TODAY, area_id=other.id))
        with pytest.raises(DataError, match=f"follow-up of case {case.id} .* not {other.id}"):
            session.flush()
    with session.begin_nested():
        session.add(FollowUp(case_id=10**9, due_on=TODAY))
        with pytest.raises(NotFound, match=f"case {10**9} not found"):
            session.flush()


@pytest.mark.parametrize(
    ("model", "column"),
    [
        (Household, "area_id"),
        (Child, "household_id"),
        (Visit, "child_id"),
        (Visit, "area_id"),
        (Case, "child_id"),
        (Case, "area_id"),
        (Case, "kind"),
        (Case, "child_sex"),
        (Case, "child_birth_date"),
        (FollowUp, "case_id"),
        (FollowUp, "area_id"),
    ],
)
def test_the_columns_the_copies_rely_on_cannot_change(
    session: Session, model: type[Household | Child | Visit | Case | FollowUp], column: str
) -> None:
    root, other, child = _one_child(session)
    second = register_household(
        session, area_id=other.id, head_name="other", actor="m", today=TODAY,
        children=[ChildInput("Kofi", Sex.MALE, date(2013, 1, 1))],
    )  # fmt: skip
    kofi = session.scalars(select(Child.id).where(Child.household_id == second.id)).one()
    case = session.scalars(select(Case).where(Case.child_id == child.id)).one()
    kofis_case = Case(child_id=kofi, kind=CaseKind.AT_RISK, status=CaseStatus.AT_RISK,
                      opened_on=TODAY)  # fmt: skip
    follow_up = FollowUp(case_id=case.id, due_on=TODAY)
    session.add_all([kofis_case, follow_up])
    session.flush()
    moved = {
        Household: lambda: session.get(Household, child.household_id),
        Child: lambda: child,
        Visit: lambda: session.scalars(select(Visit).where(Visit.child_id == child.id)).one(),
        Case: lambda: case,
        FollowUp: lambda: follow_up,
    }[model]()
    new_value = {
        "area_id": other.id,
        "household_id": second.id,
        "child_id": kofi,
        "kind": CaseKind.AT_RISK,
        "case_id": kofis_case.id,
        "child_sex": Sex.MALE,
        "child_birth_date": date(2015, 5, 5),
    }[column]
    with session.begin_nested():
        setattr(moved, column, new_value)
        with pytest.raises(DataError, match=f"the {column} of .* cannot change"):
            session.flush()
    assert session.get(Household, child.household_id).area_id == root.id  # type: ignore[union-attr]


def test_the_services_refuse_to_move_a_household_or_a_child(session: Session) -> None:
    _, other, child = _one_child(session)
    household = session.get(Household, child.household_id)
    assert household is not None
    with pytest.raises(DataError, match="cannot be changed: area_id"):
        update_household(session, household_id=household.id, expected_version=household.version,
                         changes={"area_id": other.id}, actor="m")  # fmt: skip
    with pytest.raises(DataError, match="cannot be changed: household_id"):
        update_child(session, child_id=child.id, expected_version=child.version,
                     changes={"household_id": household.id}, actor="m")  # fmt: skip


def test_moving_a_child_through_the_relationship_is_refused(session: Session) -> None:
    _, other, child = _one_child(session)
    elsewhere = register_household(session, area_id=other.id, head_name="other", children=[],
                                   actor="m", today=TODAY)  # fmt: skip
    with session.begin_nested():
        child.household = elsewhere
        with pytest.raises(DataError, match=r"the household_id of child .* cannot change"):
            session.flush()


def test_a_visit_of_a_missing_child_is_not_found(session: Session) -> None:
    with session.begin_nested():
        session.add(Visit(child_id=10**9, visit_date=TODAY, age=10, monitor="m", consent=True,
                          record={}, profile_id="p", profile_version="1", status="s", reasons=[],
                          explanation="", child_labour=False, hazardous_work=False))  # fmt: skip
        with pytest.raises(NotFound, match=f"child {10**9} not found"):
            session.flush()


def _cases_off_their_child(session: Session) -> int:
    """Cases whose copied sex or birth date differs from their child's."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Case)
            .join(Child, Child.id == Case.child_id)
            .where((Case.child_sex != Child.sex) | (Case.child_birth_date != Child.birth_date))
        )
        or 0
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    corrections=st.lists(
        st.tuples(
            st.integers(0, 2),  # which child
            st.one_of(st.none(), st.sampled_from(list(Sex))),  # a new sex, or none
            st.one_of(st.none(), st.integers(0, 2000)),  # a new birth date (days), or none
        ),
        max_size=6,
    ),
    cases_per_child=st.lists(st.integers(0, 2), min_size=3, max_size=3),
)
def test_cases_carry_their_childs_sex_and_birth_date_through_corrections(
    session: Session,
    corrections: list[tuple[int, Sex | None, int | None]],
    cases_per_child: list[int],
) -> None:
    savepoint = session.begin_nested()
    root = create_area(session, name=f"country {next(_names)}", level="country")
    household = register_household(
        session, area_id=root.id, head_name="head", actor="m", today=TODAY,
        children=[ChildInput(f"child {i}", Sex.FEMALE, date(2012, 1, 1) + timedelta(days=i))
                  for i in range(3)],
    )  # fmt: skip
    kids = session.scalars(
        select(Child).where(Child.household_id == household.id).order_by(Child.id)
    ).all()
    for kid, n in zip(kids, cases_per_child, strict=True):
        session.add_all(Case(child_id=kid.id, kind=CaseKind.AT_RISK, status=CaseStatus.AT_RISK,
                             opened_on=TODAY) for _ in range(n))  # fmt: skip
    session.flush()
    assert _cases_off_their_child(session) == 0
    for which, sex, days in corrections:
        kid = kids[which]
        changes: dict[str, object] = {}
        if sex is not None:
            changes["sex"] = sex
        if days is not None:
            changes["birth_date"] = date(2010, 1, 1) + timedelta(days=days)
        if changes:  # the children's names differ: no correction makes two of them one
            update_child(session, child_id=kid.id, expected_version=kid.version,
                         changes=changes, actor="m")  # fmt: skip
        assert _cases_off_their_child(session) == 0
        # The cases the session holds show the copies too, and a later write of one keeps them.
        held = session.scalars(select(Case).where(Case.child_id == kid.id)).all()
        assert all((c.child_sex, c.child_birth_date) == (kid.sex, kid.birth_date) for c in held)
        for c in held:
            c.status = CaseStatus.CLOSED
        session.flush()
    savepoint.rollback()


def test_a_case_given_another_sex_or_birth_date_than_its_childs_is_refused(
    session: Session,
) -> None:
    _, _, child = _one_child(session)
    for copies in ({"child_sex": Sex.MALE}, {"child_birth_date": date(2015, 1, 1)}):
        with session.begin_nested():
            session.add(Case(child_id=child.id, kind=CaseKind.AT_RISK, status=CaseStatus.AT_RISK,
                             opened_on=TODAY, **copies))  # fmt: skip
            with pytest.raises(DataError, match=f"a case of child {child.id} has the child's"):
                session.flush()

"""A list's page is the same whichever way the database is asked to find it: the case list
sorted or merged from its priority groups, the follow-ups gathered by area or walked by due
date (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import Case, CaseKind, CaseStatus, Child, Sex, queries
from ipec.monitoring.followup import add_months
from ipec.monitoring.models import FollowUp
from ipec.monitoring.queries import (
    CaseFilter,
    CaseList,
    FollowUpFilter,
    FollowUpList,
    _case_conditions,
    _merged_page,
    _sorted_page,
    follow_up_query,
    wide_subtree,
)
from ipec.monitoring.service import ChildInput, create_area, register_household
from tests.monitoring.metrics.world import CLEAN, visit

TODAY = date(2026, 6, 1)
TWELFTH_BIRTHDAY = add_months(TODAY, -12 * 12)

one_case = st.tuples(
    st.booleans(),  # worst forms
    st.booleans(),  # hazardous
    st.sampled_from([Sex.FEMALE, Sex.MALE]),
    st.integers(-2, 2),  # born this many days after the day that makes 12 today
    st.integers(0, 3),  # opened this many days into the year (ties are common)
    st.sampled_from([CaseStatus.IDENTIFIED, CaseStatus.IN_REMEDIATION, CaseStatus.CLOSED]),
    st.integers(0, 1),  # the district
    # a follow-up due days from today, done by a visit or not, or none
    st.sampled_from([None, (-3, False), (5, False), (-3, True)]),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    cases=st.lists(one_case, max_size=24),
    limit=st.integers(1, 6),
    offset=st.integers(0, 8),
    open_only=st.booleans(),
    district=st.sampled_from([None, 0, 1]),
    overdue=st.sampled_from([None, True, False]),
)
def test_merged_groups_give_the_sorted_page(
    session: Session,
    *,
    cases: list[tuple[bool, bool, Sex, int, int, CaseStatus, int, tuple[int, bool] | None]],
    limit: int,
    offset: int,
    open_only: bool,
    district: int | None,
    overdue: bool | None,
) -> None:
    """Merged or sorted, with the overdue cases probed one by one or gathered from the
    subtree's follow-ups: the same page, and (over the whole list) the cases asked for."""
    savepoint = session.begin_nested()
    country = create_area(session, name="Country", level="country")
    districts = [create_area(session, name=f"D{i}", level="district", parent_id=country.id)
                 for i in (0, 1)]  # fmt: skip
    expected: set[int] = set()
    for i, (worst, hazardous, sex, born, opened, status, where, due) in enumerate(cases):
        household = register_household(
            session, area_id=districts[where].id, head_name="Head", actor="m", today=TODAY,
            children=[ChildInput(f"child {i}", sex, TWELFTH_BIRTHDAY + timedelta(days=born))],
        )  # fmt: skip
        child = session.scalars(select(Child).where(Child.household_id == household.id)).one()
        case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=status,
                    worst_forms=worst, hazardous=hazardous,
                    opened_on=date(2026, 1, 1) + timedelta(days=opened))  # fmt: skip
        session.add(case)
        session.flush()
        if due is not None:
            days, done = due
            seen = visit(session, child, TODAY - timedelta(days=1), CLEAN) if done else None
            session.add(FollowUp(case_id=case.id, due_on=TODAY + timedelta(days=days),
                                 visit_id=seen.id if seen else None))  # fmt: skip
        late = due is not None and due[0] < 0 and not due[1]
        if ((not open_only or status != CaseStatus.CLOSED) and district in (None, where)
                and overdue in (None, late)):  # fmt: skip
            expected.add(case.id)
    session.flush()
    area_path = districts[district].path if district is not None else None
    filters = CaseFilter(area_path=area_path, open_only=open_only, overdue=overdue)
    probed = _case_conditions(country.path, filters, TODAY)
    gathered = _case_conditions(country.path, filters, TODAY, narrow=True)
    merged = session.scalars(select(_merged_page(probed, TODAY, limit=limit, offset=offset)))
    whole = session.scalars(select(_sorted_page(probed, TODAY, limit=limit, offset=offset)))
    narrow = session.scalars(select(_sorted_page(gathered, TODAY, limit=limit, offset=offset)))
    page = list(merged)
    assert page == list(whole) == list(narrow)
    everything = session.scalars(select(_sorted_page(gathered, TODAY, limit=100, offset=0)))
    assert set(everything) == expected
    savepoint.rollback()


def test_a_narrow_subtrees_follow_ups_are_searched_by_area(session: Session) -> None:
    """On SQLite a district's follow-ups to do are a range of the area index per area: with
    the area condition on the case, SQLite skip-scanned the whole index (every area's
    follow-ups not done) and sorted them, 0.7 s at a million children."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan is SQLite's")
    country = create_area(session, name="Country", level="country")
    query = follow_up_query(country.path, FollowUpFilter(due_by=TODAY), TODAY).limit(51)
    sql = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = [row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    steps = [step for step in plan if " follow_ups " in f" {step} "]
    assert steps == [
        "SEARCH follow_ups USING COVERING INDEX ix_follow_ups_area_open "
        "(area_id=? AND visit_id=? AND due_on<?)"
    ], plan


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    due=st.lists(st.tuples(st.integers(0, 1), st.integers(-20, 20), st.booleans()), max_size=20),
    district=st.sampled_from([None, 0, 1]),
    overdue_only=st.booleans(),
)
def test_follow_ups_walked_by_due_date_are_the_sorted_ones(
    session: Session, *, due: list[tuple[int, int, bool]], district: int | None,
    overdue_only: bool,
) -> None:  # fmt: skip
    savepoint = session.begin_nested()
    country = create_area(session, name="Country", level="country")
    districts = [create_area(session, name=f"D{i}", level="district", parent_id=country.id)
                 for i in (0, 1)]  # fmt: skip
    made: list[tuple[int, int, bool, int]] = []
    for i, (where, days, closed) in enumerate(due):
        household = register_household(
            session, area_id=districts[where].id, head_name="Head", actor="m", today=TODAY,
            children=[ChildInput(f"child {i}", Sex.FEMALE, date(2015, 1, 1))],
        )  # fmt: skip
        child = session.scalars(select(Child).where(Child.household_id == household.id)).one()
        case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, opened_on=date(2026, 1, 1),
                    status=CaseStatus.CLOSED if closed else CaseStatus.IN_REMEDIATION)  # fmt: skip
        session.add(case)
        session.flush()
        follow_up = FollowUp(case_id=case.id, due_on=TODAY + timedelta(days=days))
        session.add(follow_up)
        session.flush()
        made.append((where, days, closed, follow_up.id))
    area_path = districts[district].path if district is not None else None
    filters = FollowUpFilter(due_by=TODAY + timedelta(days=7), overdue_only=overdue_only,
                             area_path=area_path)  # fmt: skip
    walked = session.execute(follow_up_query(country.path, filters, TODAY, by_due_date=True))
    gathered = session.execute(follow_up_query(country.path, filters, TODAY))
    # By hand: open cases, due within the week (before today when overdue only), in the
    # district asked for, by due date then id.
    expected = [
        follow_up
        for where, days, closed, follow_up in sorted(made, key=lambda m: (m[1], m[3]))
        if not closed and days <= 7 and (days < 0 or not overdue_only) and district in (None, where)
    ]
    walked_ids = [row.FollowUp.id for row in walked]
    assert walked_ids == [row.FollowUp.id for row in gathered]
    assert walked_ids == expected
    savepoint.rollback()


def test_each_priority_group_is_searched_in_the_priority_index(session: Session) -> None:
    """On SQLite each of the sixteen groups seeks its (worst forms, hazardous) range of the
    priority index: a condition the index cannot seek (``worst_forms IS NOT 1``) made every
    group read the whole index, and a country's first page took seconds."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the merged groups are SQLite's plan")
    country = create_area(session, name="Country", level="country")
    where = _case_conditions(country.path, CaseFilter(open_only=True), TODAY)
    query = select(_merged_page(where, TODAY, limit=51, offset=0))
    sql = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = [row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert not [step for step in plan if " children " in f" {step} "], plan  # copies on cases
    cases_steps = [step for step in plan if " cases " in f" {step} "]
    seeks = [s for s in cases_steps if "ix_cases_priority (worst_forms=? AND hazardous=?)" in s]
    assert len(seeks) == 16, plan
    assert seeks == cases_steps, plan


def test_a_list_walks_in_order_over_a_tenth_of_the_areas_or_more(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan of a page is chosen by the queries, from the subtree listed (the area filter,
    else the scope): the priority groups merged and the follow-ups walked by due date for a
    tenth of the areas or more, the subtree's rows gathered and sorted for fewer."""
    country = create_area(session, name="Country", level="country")
    districts = [create_area(session, name=f"D{i}", level="district", parent_id=country.id)
                 for i in range(9)]  # fmt: skip
    assert wide_subtree(session, country.path)
    assert wide_subtree(session, districts[0].path)  # 1 area of 10
    create_area(session, name="V", level="community", parent_id=districts[1].id)
    assert not wide_subtree(session, districts[0].path)  # 1 of 11
    assert wide_subtree(session, districts[1].path)  # 2 of 11
    chosen: list[tuple[str, bool]] = []
    case_page_query, follow_up_query_ = queries.case_page_query, queries.follow_up_query

    def case_page(*args: Any, merge_groups: bool, **kwargs: Any) -> Any:
        chosen.append(("cases", merge_groups))
        return case_page_query(*args, merge_groups=merge_groups, **kwargs)

    def follow_ups(*args: Any, by_due_date: bool, **kwargs: Any) -> Any:
        chosen.append(("follow-ups", by_due_date))
        return follow_up_query_(*args, by_due_date=by_due_date, **kwargs)

    monkeypatch.setattr(queries, "case_page_query", case_page)
    monkeypatch.setattr(queries, "follow_up_query", follow_ups)
    for area_path, wide in ((None, True), (districts[0].path, False), (districts[1].path, True)):
        found = CaseList(CaseFilter(area_path=area_path), TODAY).page_in(session, country.path)
        assert (found.rows, found.has_next) == ([], False)
        due = FollowUpFilter(due_by=TODAY, area_path=area_path)
        assert FollowUpList(due, TODAY).page_in(session, country.path).rows == []
        assert chosen[-2:] == [("cases", wide), ("follow-ups", wide)], area_path
    CaseList(CaseFilter(), TODAY).page_in(session, districts[0].path)
    assert chosen[-1] == ("cases", False)

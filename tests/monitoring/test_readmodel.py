"""Each child's and case's facts equal what the records say, whatever order they were
recorded in."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session, object_session

from ipec.monitoring.models import (
    Case,
    CaseFacts,
    CaseKind,
    Child,
    ChildFacts,
    RemediationService,
    ServiceType,
    Sex,
    Visit,
)
from ipec.monitoring.outcomes import EDUCATION_SERVICES
from ipec.monitoring.readmodel import refresh_case_facts, refresh_child_facts
from ipec.monitoring.service import add_service, update_child
from ipec.monitoring.workflow import Action
from tests.monitoring.metrics.world import (
    CLEAN,
    RECORDS,
    WORKING,
    area,
    at_risk_case,
    case_of,
    child,
    close,
    visit,
    walk,
)

_NAMES = itertools.count()

#: A visit: days after 2024-01-01 (the child is 11 to 14), which record, school days
#: (attended, open) or none.
_VISITS = st.lists(
    st.tuples(
        st.integers(0, 800),
        st.sampled_from(range(len(RECORDS))),
        st.one_of(
            st.none(),
            st.integers(1, 20).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
        ),
    ),
    min_size=1,
    max_size=6,
)


def _session_of(record: Visit) -> Session:
    found = object_session(record)
    assert found is not None
    return found


def _expected(
    visits: list[Visit], remediation_start: date | None = None, sex: Sex = Sex.FEMALE
) -> dict[str, Any]:
    """The facts by hand: the latest two visits by date, the later id first on a day."""
    ordered = sorted(visits, key=lambda v: (v.visit_date, v.id), reverse=True)
    last = ordered[0]
    prev = ordered[1] if len(ordered) > 1 else None
    return {
        "area_id": last.area_id,
        "household_id": _session_of(last).get_one(Child, last.child_id).household_id,
        "sex": sex,
        "remediation_start": remediation_start,
        "last_found_on": max((v.visit_date for v in visits if v.child_labour), default=None),
        "first_age": min(v.age for v in visits),
        "last_date": last.visit_date,
        "last_age": last.age,
        "last_monitor": last.monitor,
        "last_child_labour": int(last.child_labour),
        "last_hazardous": int(last.hazardous_work),
        "last_worst": int("WFCL_OTHER" in last.reasons),
        "last_attended": last.school_days_attended,
        "last_open": last.school_days_open,
        "prev_date": prev.visit_date if prev else None,
        "prev_child_labour": int(prev.child_labour) if prev else None,
        "first_found_age": min((v.age for v in visits if v.child_labour), default=None),
    }


def _facts_of(session: Session, model: type[ChildFacts | CaseFacts], key: int) -> dict[str, Any]:
    """The stored facts of a child or a case, read again, without their key."""
    facts = session.get_one(model, key)
    session.refresh(facts)
    return {
        column.name: getattr(facts, column.name)
        for column in model.__table__.columns
        if not column.primary_key
    }


def _kept(session: Session, child_id: int) -> dict[str, Any]:
    return _facts_of(session, ChildFacts, child_id)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=_VISITS)
def test_facts_follow_every_visit_recorded_in_any_order(
    session: Session, plan: list[tuple[int, int, tuple[int, int] | None]]
) -> None:
    where = area(session, f"area {next(_NAMES)}")
    who = child(session, where, "Ama", Sex.FEMALE, date(2012, 3, 1))
    visits: list[Visit] = []
    for number, (days, record, school) in enumerate(plan):
        attended, days_open = school if school else (None, None)
        visits.append(visit(session, who, date(2024, 1, 1) + timedelta(days=days),
                            RECORDS[record], monitor=f"monitor {number}", attended=attended,
                            days_open=days_open))  # fmt: skip
        assert _kept(session, who.id) == _expected(visits)
    # Computing every child's facts at once (the seeder, the migration) gives the same.
    session.execute(delete(ChildFacts))
    refresh_child_facts(session.connection())
    assert _kept(session, who.id) == _expected(visits)


def test_a_child_without_visits_has_no_facts(session: Session) -> None:
    where = area(session, "quiet")
    who = child(session, where, "Kofi", Sex.MALE, date(2013, 5, 5))
    # A row left over (say, by a bulk write) is removed by computing the facts again.
    session.add(ChildFacts(child_id=who.id, area_id=where.id, household_id=who.household_id,
                           sex=Sex.MALE, first_age=9, last_date=date(2024, 1, 1), last_age=9,
                           last_monitor="m", last_child_labour=0, last_hazardous=0,
                           last_worst=0))  # fmt: skip
    session.flush()
    refresh_child_facts(session.connection(), [who.id])
    session.expire_all()
    assert session.get(ChildFacts, who.id) is None


def test_a_corrected_sex_changes_the_facts(session: Session) -> None:
    who = child(session, area(session, "corrected sex"), "Efua", Sex.FEMALE, date(2012, 3, 1))
    visits = [visit(session, who, date(2024, 1, 1), WORKING)]
    update_child(session, child_id=who.id, expected_version=who.version,
                 changes={"sex": Sex.MALE}, actor="m")  # fmt: skip
    assert _kept(session, who.id) == _expected(visits, sex=Sex.MALE)


def test_a_visit_changed_or_deleted_changes_the_facts(session: Session) -> None:
    """The child's facts and its case's (with their copies of the child's)."""
    who = child(session, area(session, "moving"), "Esi", Sex.FEMALE, date(2012, 3, 1))
    first = visit(session, who, date(2024, 1, 1), WORKING, monitor="first")
    second = visit(session, who, date(2024, 2, 1), CLEAN, monitor="second")
    case = case_of(session, who)
    assert _kept(session, who.id)["last_monitor"] == "second"
    second.visit_date = date(2023, 12, 1)  # corrected: it came before the first
    session.flush()
    assert _kept(session, who.id) == _expected([first, second])
    assert _kept(session, who.id)["last_monitor"] == "first"
    assert _case_kept(session, case.id) == _case_expected(case, [first, second], [], Sex.FEMALE)
    assert _case_kept(session, case.id)["last_monitor"] == "first"
    session.delete(first)
    session.flush()
    assert _kept(session, who.id) == _expected([second])
    assert _case_kept(session, case.id) == _case_expected(case, [second], [], Sex.FEMALE)
    session.delete(second)
    session.flush()
    session.expire_all()
    assert session.get(ChildFacts, who.id) is None
    assert _case_kept(session, case.id) == _case_expected(case, [], [], Sex.FEMALE)


#: A step: a visit (days after 2024-01-01, record), an at-risk case opened (days), or a
#: service (days, kind) for the case opened last (none before a case).
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("visit"), st.integers(0, 800), st.sampled_from(range(len(RECORDS)))),
        st.tuples(st.just("case"), st.integers(0, 800), st.just(0)),
        st.tuples(st.just("service"), st.integers(0, 800), st.sampled_from(list(ServiceType))),
    ),
    min_size=1,
    max_size=8,
)


#: What a case's facts copy of its child's facts.
_CHILD_COPIES = ("sex", "last_date", "prev_date", "last_age", "last_monitor",
                 "last_child_labour", "last_hazardous")  # fmt: skip


def _case_expected(case: Case, visits: list[Visit], services: list[RemediationService],
                   sex: Sex = Sex.MALE) -> dict[str, Any]:  # fmt: skip
    """A case's facts by hand: its child's first visit on or after the day it opened (the
    earlier id first on a day), its services' first starts and their kinds; copies of the
    case's columns, and of its child's latest two visits (none without a visit)."""
    since = sorted((v for v in visits if v.visit_date >= case.opened_on),
                   key=lambda v: (v.visit_date, v.id))  # fmt: skip
    own = [s for s in services if s.case_id == case.id]
    taught = [s.started_on for s in own if s.type in EDUCATION_SERVICES]
    child_facts = _expected(visits, sex=sex) if visits else {}
    return {
        "first_child_labour": int(since[0].child_labour) if since else None,
        "first_hazardous": int(since[0].hazardous_work) if since else None,
        "first_service_on": min((s.started_on for s in own), default=None),
        "first_education_on": min(taught, default=None),
        "service_kinds": len({s.type for s in own}),
        "area_id": case.area_id,
        "child_id": case.child_id,
        "kind": case.kind,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        **{name: child_facts.get(name) for name in _CHILD_COPIES},
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=_STEPS)
def test_case_facts_follow_visits_cases_and_services_in_any_order(
    session: Session, plan: list[tuple[str, int, Any]]
) -> None:
    where = area(session, f"area {next(_NAMES)}")
    who = child(session, where, "Yaw", Sex.MALE, date(2012, 3, 1))
    visits: list[Visit] = []
    services: list[RemediationService] = []
    for kind, days, detail in plan:
        day = date(2024, 1, 1) + timedelta(days=days)
        if kind == "visit":
            visits.append(visit(session, who, day, RECORDS[detail]))
        elif kind == "case":
            at_risk_case(session, who, day)
        else:
            cases = session.scalars(select(Case).where(Case.child_id == who.id)
                                    .order_by(Case.id.desc())).all()  # fmt: skip
            if not cases:
                continue
            started = max(day, cases[0].opened_on)
            services.append(add_service(
                session, case_id=cases[0].id, started_on=started, actor="m",
                service=detail))  # fmt: skip
        cases = session.scalars(select(Case).where(Case.child_id == who.id)).all()
        for case in cases:
            assert _case_kept(session, case.id) == _case_expected(case, visits, services)
        if visits:
            # The child's remediation starts with the first service of a child-labour case.
            labour = {c.id for c in cases if c.kind == CaseKind.CHILD_LABOUR}
            start = min((s.started_on for s in services if s.case_id in labour), default=None)
            assert _kept(session, who.id) == _expected(visits, start, Sex.MALE)
    # Computing every case's facts at once (the seeder, the migration) gives the same.
    session.execute(delete(CaseFacts))
    refresh_case_facts(session.connection())
    for case in session.scalars(select(Case).where(Case.child_id == who.id)).all():
        assert _case_kept(session, case.id) == _case_expected(case, visits, services)


def _case_kept(session: Session, case_id: int) -> dict[str, Any]:
    return _facts_of(session, CaseFacts, case_id)


def test_a_case_opened_on_another_day_changes_its_identification(session: Session) -> None:
    """A corrected opening day moves the identification visit; deleting the case removes
    its facts."""
    who = child(session, area(session, "corrected"), "Abena", Sex.FEMALE, date(2012, 3, 1))
    visits = [visit(session, who, date(2024, 1, 1), WORKING),
              visit(session, who, date(2024, 2, 1), CLEAN)]  # fmt: skip
    case = at_risk_case(session, who, date(2024, 1, 1))
    assert _case_kept(session, case.id)["first_child_labour"] == 1
    case.opened_on = date(2024, 1, 15)
    session.flush()
    assert _case_kept(session, case.id) == _case_expected(case, visits, [], Sex.FEMALE)
    assert _case_kept(session, case.id)["first_child_labour"] == 0
    case.opened_on = date(2024, 3, 1)  # after both visits: a copy of the day, no verdict
    session.flush()
    assert _case_kept(session, case.id) == _case_expected(case, visits, [], Sex.FEMALE)
    assert _case_kept(session, case.id)["first_child_labour"] is None
    session.delete(case)
    session.flush()
    session.expire_all()
    assert session.get(CaseFacts, case.id) is None


def test_a_case_closed_and_reopened_carries_its_closing_day(session: Session) -> None:
    """The copy of the closing day follows the workflow: set on closing, cleared by a
    relapse (which reopens the case)."""
    who = child(session, area(session, "closing"), "Kwesi", Sex.MALE, date(2012, 3, 1))
    visits = [visit(session, who, date(2024, 1, 1), WORKING)]
    case = case_of(session, who)
    close(session, case, date(2024, 6, 30))
    assert _case_kept(session, case.id)["closed_on"] == date(2024, 6, 30)
    assert _case_kept(session, case.id) == _case_expected(case, visits, [])
    walk(session, case, Action.RELAPSE, on=date(2024, 8, 1))
    assert case.closed_on is None
    assert _case_kept(session, case.id) == _case_expected(case, visits, [])


def test_a_corrected_sex_changes_the_copies_on_the_childs_cases(session: Session) -> None:
    who = child(session, area(session, "corrected copies"), "Adjoa", Sex.FEMALE, date(2012, 3, 1))
    visits = [visit(session, who, date(2024, 1, 1), WORKING),
              visit(session, who, date(2024, 2, 1), CLEAN, monitor="later")]  # fmt: skip
    cases = [case_of(session, who), at_risk_case(session, who, date(2024, 3, 1))]
    assert {_case_kept(session, c.id)["sex"] for c in cases} == {Sex.FEMALE}
    update_child(session, child_id=who.id, expected_version=who.version,
                 changes={"sex": Sex.MALE}, actor="m")  # fmt: skip
    for case in cases:
        assert _case_kept(session, case.id) == _case_expected(case, visits, [], Sex.MALE)


def test_a_new_visit_changes_the_copies_on_every_case_of_the_child(session: Session) -> None:
    who = child(session, area(session, "two cases"), "Kojo", Sex.MALE, date(2012, 3, 1))
    visits = [visit(session, who, date(2024, 1, 1), WORKING)]
    cases = [case_of(session, who), at_risk_case(session, who, date(2024, 3, 1))]
    visits.append(visit(session, who, date(2024, 4, 1), CLEAN, monitor="later"))
    for case in cases:
        kept = _case_kept(session, case.id)
        assert kept == _case_expected(case, visits, [])
        assert (kept["last_date"], kept["prev_date"], kept["last_monitor"]) == (
            date(2024, 4, 1),
            date(2024, 1, 1),
            "later",
        )


def _raw_visit(who: Child, day: date, *, age: int) -> Visit:
    """A visit written straight through the ORM (not ``record_visit``): what an import or a
    correction would flush."""
    return Visit(child_id=who.id, visit_date=day, age=age, monitor="m", consent=True,
                 record={}, profile_id="sdg-8.7.1", profile_version="2021.1",
                 status="not_working", reasons=[], explanation="", child_labour=False,
                 hazardous_work=False)  # fmt: skip


def test_one_flush_refreshes_each_child_once_children_first_in_id_order(
    session: Session,
) -> None:
    """Visits of two children (the later id first) and a service of one's case, flushed
    together: the read model is recomputed once for the flush, the children in id order and
    before the cases (which copy the children's rows), and the rows are right."""
    where = area(session, f"area {next(_NAMES)}")
    first = child(session, where, "Ama", Sex.FEMALE, date(2012, 3, 1))
    second = child(session, where, "Kofi", Sex.MALE, date(2013, 5, 5))
    visit(session, first, date(2024, 2, 1), WORKING)
    case = case_of(session, first)
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM") and "_facts" in statement:
            values = parameters.values() if isinstance(parameters, dict) else parameters
            statements.append((statement.split()[2], list(values)))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", keep)
    try:
        session.add_all([
            _raw_visit(second, date(2024, 3, 1), age=10),
            _raw_visit(first, date(2024, 3, 2), age=12),
            RemediationService(case_id=case.id, type=ServiceType.SCHOOL_ENROLMENT,
                               started_on=date(2024, 2, 10)),
        ])  # fmt: skip
        session.flush()
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    tables = [table for table, _ in statements]
    assert tables == ["child_facts", "case_facts"]
    assert statements[0][1] == sorted([first.id, second.id])
    assert _kept(session, first.id)["last_date"] == date(2024, 3, 2)
    assert _kept(session, first.id)["remediation_start"] == date(2024, 2, 10)
    assert _kept(session, second.id)["last_date"] == date(2024, 3, 1)
    assert _facts_of(session, CaseFacts, case.id)["last_date"] == date(2024, 3, 2)


def test_no_mapper_listener_writes_another_table() -> None:
    """Only row-local listeners stay on the models (copying the area at insert, refusing
    moves); everything the read model derives is refreshed by the one flush hook."""
    for model in (Visit, Case, Child, RemediationService, ChildFacts, CaseFacts):
        mapper_events = inspect(model).dispatch
        for moment in ("after_insert", "after_update", "after_delete", "before_delete"):
            assert not list(getattr(mapper_events, moment)), (model.__name__, moment)
    # the row-local ones are there (so the check above reads the right listeners)
    assert list(inspect(Visit).dispatch.before_insert)

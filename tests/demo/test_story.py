"""The demo tells one coherent story up to its day: every dashboard figure of the year says
something, and the records agree with each other and with the rules (case histories, ages,
hours, services, follow-ups), on SQLite and PostgreSQL. Seeded as a user would, through
``ipec demo`` with a fixed ``--today``."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from ipec.classify import Reason
from ipec.cli.main import run
from ipec.demo import DEMO_PROFILE
from ipec.monitoring import Area
from ipec.monitoring.metrics import (
    Period,
    caseload_per_monitor,
    coverage,
    effectiveness,
    follow_up_compliance,
    hazard_counts,
    identification_rate,
    outcome_counts,
    referral_acceptance,
    services_by_type,
    support_rate,
    time_to_resolution,
    visits_by_month,
)
from ipec.monitoring.models import CaseStatus
from ipec.monitoring.workflow import TRANSITIONS, Action
from ipec.standards import load_profile
from tests.conftest import _fresh_engine

TODAY = date(2026, 11, 29)
YEAR = Period(date(TODAY.year, 1, 1), TODAY)
PROFILE = load_profile(DEMO_PROFILE)
#: The most weekly hours of work, and of chores, that are believable at 5-11, 12-14, 15-17.
MOST_HOURS = {(5, 11): 21, (12, 14): 35, (15, 17): 56}
MOST_CHORES = {(5, 11): 21, (12, 14): 35, (15, 17): 42}
EDUCATION = {"school_enrolment": (5, 14), "school_kit": (5, 14), "bridging_class": (5, 14),
             "vocational_training": (15, 17), "apprenticeship": (15, 17)}  # fmt: skip
MACHETE_SPRAYING_LOADS = ("haz_heavy_loads", "haz_dangerous_tools", "haz_chemicals",
                          "haz_pod_breaking", "haz_machete_harvest", "haz_land_clearing",
                          "haz_spraying")  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    for engine in _fresh_engine(request.param, tmp_path_factory.mktemp("story")):
        url = engine.url.render_as_string(hide_password=False)
        args = ["demo", "--database-url", url, "--households", "500",
                "--today", TODAY.isoformat(), "--no-serve"]  # fmt: skip
        assert run(args) == 0
        yield engine


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)).all())


def _day(value: Any) -> date:
    """A date or time column as the driver returns it (SQLite gives text through raw SQL)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(value[:10])


def _json(value: Any) -> Any:
    return value if isinstance(value, (dict, list)) else json.loads(value)


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _band(age: int, bands: dict[tuple[int, int], int]) -> int:
    return next(most for (first, last), most in bands.items() if first <= age <= last)


def test_every_dashboard_figure_of_the_year_says_something(demo: Engine) -> None:
    with Session(demo) as session:
        path = session.scalars(select(Area.path).where(Area.level == "country")).one()
        year = {"area_path": path, "period": YEAR}
        identified = identification_rate(session, **year)[0]
        assert 0 < identified.numerator < identified.denominator
        supported = support_rate(session, **year)[0]
        assert 0 < supported.numerator < supported.denominator
        compliance = follow_up_compliance(session, **year)[0]
        assert compliance.value is not None
        assert 0.5 < compliance.value < 1
        referred = referral_acceptance(session, **year)
        assert 0 < referred.numerator < referred.denominator
        covered = coverage(session, **year)[0]
        assert covered.value is not None
        assert 0.5 < covered.value < 1
        effective = effectiveness(session, **year)
        assert 0 < effective.rates[0].numerator < effective.rates[0].denominator
        assert effective.still_in > 0
        assert effective.relapsed > 0
        outcomes = outcome_counts(session, minimum_age=PROFILE.ages.minimum, **year)[0]
        assert outcomes.withdrawn > 0
        assert outcomes.prevented > 0
        hazards = hazard_counts(session, **year)
        assert hazards["heavy_loads"] > 0
        assert hazards["dangerous_tools"] > 0
        assert hazards["chemicals"] > 0
        load = caseload_per_monitor(session, **year)
        assert len(load) > 1
        assert sum(monitor.open_cases for monitor in load) > 0
        resolved = time_to_resolution(session, **year)[0]
        assert resolved.cases > 0
        given = services_by_type(session, **year)
        assert set(EDUCATION) <= set(given)
        months = visits_by_month(session, **year)
        assert len(months) == TODAY.month
        assert all(month.visited > 0 and month.identified > 0 for month in months)
    # The national list: visits of the year whose work was hazardous by one of its tasks.
    national_reason = Reason.HAZ_NATIONAL_LIST.value
    national = _rows(demo, f"SELECT count(*) FROM visits WHERE visit_date >= '{YEAR.start}' "
                           f"AND CAST(reasons AS TEXT) LIKE '%{national_reason}%'")  # fmt: skip
    assert national[0][0] > 0


def test_each_case_is_where_its_history_ends(demo: Engine) -> None:
    """Each step follows the workflow's table from where the last one left the case; the
    case's status and closing day are where its steps end; a case under follow-up was
    planned, remediated and put under follow-up; a worst form was referred before it was
    planned."""
    steps: dict[int, list[tuple[str, str, str, date]]] = defaultdict(list)
    for case_id, action, source, target, at in _rows(
        demo, "SELECT case_id, action, from_status, to_status, at FROM case_events ORDER BY id"
    ):
        steps[case_id].append((action, source, target, _day(at)))
    referred = defaultdict(list)
    for case_id, sent, status in _rows(demo, "SELECT case_id, sent_on, status FROM referrals"):
        referred[case_id].append((_day(sent), status))
    cases = _rows(demo, "SELECT id, kind, status, opened_on, closed_on, worst_forms, version "
                        "FROM cases")  # fmt: skip
    for case_id, kind, status, opened, closed, worst, version in cases:
        now = CaseStatus.AT_RISK if kind == "at_risk" else CaseStatus.IDENTIFIED
        last = _day(opened)
        history = steps[case_id]
        if kind == "at_risk":  # opened by the prevention rule: a sibling in child labour
            (action, source, target, day), *history = history
            assert (action, source, target, day) == ("open_at_risk", None, "at_risk",
                                                     _day(opened))  # fmt: skip
        for action, source, target, day in history:
            assert source == now.value
            now = TRANSITIONS[(Action(action), now)]
            assert target == now.value
            assert last <= day <= TODAY
            last = day
            if action == Action.PLAN.value and worst:
                assert any(sent <= day and live != "rejected" for sent, live in referred[case_id])
        assert status == now.value
        closes = [day for action, *_, day in steps[case_id] if action == Action.CLOSE.value]
        assert (closed is not None) is (status == CaseStatus.CLOSED.value)
        if closed is not None:
            assert _day(closed) == closes[-1]
        if status == CaseStatus.UNDER_FOLLOW_UP.value:
            taken = {action for action, *_ in steps[case_id]}
            assert {"plan", "start_remediation", "start_follow_up"} <= taken
        assert version == 1 + len(history)
    taken = Counter(action for history in steps.values() for action, *_ in history)
    assert set(taken) == {"open_at_risk", "plan", "start_remediation", "start_follow_up",
                          "close", "relapse"}  # fmt: skip
    assert 0 < taken["open_at_risk"] == sum(kind == "at_risk" for _, kind, *_ in cases)
    assert taken["relapse"] < 0.1 * len(cases)


def test_services_suit_the_age(demo: Engine) -> None:
    rows = _rows(demo, "SELECT s.type, s.started_on, ch.birth_date, c.kind FROM services s "
                       "JOIN cases c ON c.id = s.case_id "
                       "JOIN children ch ON ch.id = c.child_id")  # fmt: skip
    kinds = Counter()
    for kind, started, born, _ in rows:
        age = _age(_day(born), _day(started))
        assert 5 <= age <= 17
        if kind in EDUCATION:
            first, last = EDUCATION[kind]
            assert first <= age <= last, (kind, age)
        if kind == "birth_registration":
            assert age <= 11
        kinds[kind] += 1
    assert set(kinds) >= {*EDUCATION, "income_generation", "savings_group", "cash_transfer"}


def test_visits_follow_each_child_up_to_today(demo: Engine) -> None:
    """Visits fall between two years ago and today (the last weeks included), at the age
    the birth date gives, 5 to 17."""
    seen: dict[int, list[tuple[date, int]]] = defaultdict(list)
    births = {
        child: _day(born) for child, born in _rows(demo, "SELECT id, birth_date FROM children")
    }
    for child, day, age in _rows(demo, "SELECT child_id, visit_date, age FROM visits"):
        seen[child].append((_day(day), age))
    for child, visits in seen.items():
        visits.sort()
        ages = [age for _, age in visits]
        assert ages == sorted(ages)
        for day, age in visits:
            assert (TODAY - day).days <= 730
            assert day <= TODAY
            assert age == _age(births[child], day)
            assert 5 <= age <= 17
    latest = max(day for visits in seen.values() for day, _ in visits)
    assert (TODAY - latest).days <= 7


def test_hours_and_hazards_look_like_survey_data(demo: Engine) -> None:
    """Younger children work fewer hours; no age has absurd hours of work or chores; the
    hazardous work comes mostly from machetes, spraying and heavy loads."""
    hours: dict[int, list[float]] = defaultdict(list)
    hazardous, typical = 0, 0
    tasks: Counter[str] = Counter()
    for record, reasons in _rows(demo, "SELECT record, reasons FROM visits"):
        values, fired = _json(record), _json(reasons)
        age = values["age"]
        if values["econ_any"]:
            assert 1 <= values["econ_hours"] <= _band(age, MOST_HOURS)
            hours[_band(age, {band: index for index, band in enumerate(MOST_HOURS)})].append(
                values["econ_hours"]
            )
        else:  # what only a working child is asked is skipped
            assert "haz_heavy_loads" not in values
        if values["chores_any"]:
            assert 1 <= values["chores_hours"] <= _band(age, MOST_CHORES)
        if {"HAZ_CONDITIONS", "HAZ_NATIONAL_LIST"} & set(fired):
            hazardous += 1
            typical += any(values.get(name) for name in MACHETE_SPRAYING_LOADS)
        tasks.update(item.column for item in PROFILE.hazards.national if values.get(item.column))
    medians = [statistics.median(hours[band]) for band in range(3)]
    assert medians[0] <= 6 < medians[1] < medians[2]
    assert typical > 0.8 * hazardous > 0
    assert tasks["haz_pod_breaking"] > tasks["haz_tree_felling"] > 0
    assert len(tasks) >= 6


def test_follow_ups_are_mostly_done_few_are_overdue(demo: Engine) -> None:
    rows = _rows(demo, "SELECT c.child_id, f.due_on, f.visit_id FROM follow_ups f "
                       "JOIN cases c ON c.id = f.case_id")  # fmt: skip
    due = [(child, _day(day), visit) for child, day, visit in rows if _day(day) < TODAY]
    overdue = Counter(child for child, _, visit in due if visit is None)
    assert overdue
    assert max(overdue.values()) <= 2
    assert len(overdue) < 0.1 * len(due)
    assert sum(visit is not None for *_, visit in due) > 0.85 * len(due)


def test_areas_have_codes_and_the_monitor_has_a_week(demo: Engine) -> None:
    """Areas carry codes as an areas file gives them, and the demo monitor is its district's
    monitor: its week lists follow-ups due within seven days or overdue."""
    codes = [code for (code,) in _rows(demo, "SELECT code FROM areas")]
    assert all(codes)
    assert len(set(codes)) == len(codes)
    assigned = _rows(demo, "SELECT a.path, a.level FROM area_monitors m "
                           "JOIN users u ON u.id = m.user_id JOIN areas a ON a.id = m.area_id "
                           "WHERE u.username = 'monitor'")  # fmt: skip
    assert [level for _, level in assigned] == ["district"]
    path = assigned[0][0]
    open_follow_ups = (
        "SELECT f.due_on FROM follow_ups f JOIN areas a ON a.id = f.area_id "
        "JOIN cases c ON c.id = f.case_id WHERE f.visit_id IS NULL AND c.status <> 'closed' "
        f"AND a.path LIKE '{path}%'"
    )
    week = [_day(day) for (day,) in _rows(demo, open_follow_ups)]
    assert any(day <= TODAY + timedelta(days=7) for day in week)

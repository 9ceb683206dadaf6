"""The demo country: built in bulk, consistent with the rules engine and the service rules,
on SQLite and PostgreSQL (its story and dashboard: test_story.py)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from ipec.auth import authenticate, principal_of, read_partner_referrals
from ipec.classify import Reason, classify, classify_child
from ipec.classify.explain import explain_row
from ipec.db import upgrade
from ipec.demo import (
    DEMO_PARTNER,
    DEMO_PASSWORD,
    DEMO_PROFILE,
    DemoSize,
    seed_database,
    seed_demo,
)
from ipec.errors import DataError
from ipec.monitoring import Area, Case, Child, Visit
from ipec.monitoring.followup import add_months
from ipec.monitoring.metrics import Period, identification_rate
from ipec.monitoring.models import PartnerKind
from ipec.monitoring.referrals import partner_view
from ipec.monitoring.service import create_area, create_partner
from ipec.standards import load_profile
from tests.conftest import _fresh_engine

TODAY = date(2026, 11, 29)
PROFILE = load_profile(DEMO_PROFILE)
SMALL = DemoSize(regions=2, districts_per_region=2, communities_per_district=2, households=400,
                 visits_per_child=3)  # fmt: skip
TABLES = ("areas", "partners", "households", "children", "visits", "cases", "case_events",
          "services", "referrals", "follow_ups")  # fmt: skip


def _day(value: Any) -> date:
    """A date column as the driver returns it (SQLite gives ISO text through raw SQL)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)).all())


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, dict[str, int]]]:
    """A small country seeded once per backend, in three chunks (so chunk boundaries are
    exercised); tests only read it, or write in a transaction they roll back."""
    for engine in _fresh_engine(request.param, tmp_path_factory.mktemp("demo")):
        yield engine, _seed_in_chunks(engine)


def _seed_in_chunks(engine: Engine) -> dict[str, int]:
    upgrade(engine)
    steps: list[tuple[int, int]] = []
    counts = seed_database(engine, PROFILE, size=SMALL, today=TODAY, chunk_households=150,
                           progress=lambda done, total: steps.append((done, total)))  # fmt: skip
    assert steps == [(150, 400), (300, 400), (400, 400)]
    return counts


def test_small_demo(session: Session) -> None:
    size = DemoSize(regions=2, districts_per_region=2, communities_per_district=2, households=60)
    counts = seed_demo(session, PROFILE, size=size, today=TODAY)
    assert counts["areas"] == 1 + 2 + 4 + 8
    assert session.scalar(select(func.count()).select_from(Area)) == counts["areas"]
    assert session.scalar(select(func.count()).select_from(Child)) == counts["children"]
    assert 1.5 * counts["children"] < counts["visits"] < 3 * counts["children"]
    visits = session.scalars(select(Visit)).all()
    for visit in visits[:50]:
        again = classify_child(dict(visit.record), PROFILE)
        assert again.child_labour is visit.child_labour
        assert [r.value for r in again.reasons] == visit.reasons
        assert again.explanation == visit.explanation
    cases = session.scalars(select(Case)).all()
    assert len(cases) == counts["cases"] > 0
    assert authenticate(session, username="monitor", password=DEMO_PASSWORD).role.value == (
        "monitor"
    )
    country = session.scalars(select(Area).where(Area.level == "country")).one()
    rates = identification_rate(
        session, area_path=country.path, period=Period(date(2024, 1, 1), TODAY)
    )
    visited = session.scalar(select(func.count(Visit.child_id.distinct())))
    assert rates[0].denominator == visited
    assert 0 < rates[0].numerator < rates[0].denominator


def test_counts_and_shape(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    for table in TABLES:
        assert _rows(engine, f"SELECT count(*) FROM {table}")[0][0] == counts[table], table
    assert counts["areas"] == 1 + 2 + 4 + 8
    assert counts["households"] == 400
    assert 2.5 * counts["children"] < counts["visits"] < 3.5 * counts["children"]
    assert 2.0 < counts["children"] / counts["households"] < 3.0
    levels = dict(_rows(engine, "SELECT level, count(*) FROM areas GROUP BY level"))
    assert levels == {"country": 1, "region": 2, "district": 4, "community": 8}
    paths = dict(_rows(engine, "SELECT id, path FROM areas"))
    for area_id, parent_id, path in _rows(engine, "SELECT id, parent_id, path FROM areas"):
        assert path == (paths[parent_id] if parent_id else "/") + f"{area_id}/"
    # Households live in communities only.
    assert _rows(engine, "SELECT count(*) FROM households h JOIN areas a ON a.id = h.area_id "
                         "WHERE a.level <> 'community'")[0][0] == 0  # fmt: skip
    # Three rounds, fewer for a child who turned 5 meanwhile, more for a child in a case.
    per_child = _rows(engine, "SELECT count(*) FROM visits GROUP BY child_id")
    assert {1, 2, 3, 4} <= {n for (n,) in per_child} <= set(range(1, 7))
    assert 0.9 * counts["children"] < len(per_child) <= counts["children"]


def test_visits_follow_birth_and_the_rules_engine(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    rows = _rows(
        engine,
        "SELECT v.visit_date, c.birth_date, v.age, v.record, v.status, v.reasons, "
        "v.explanation, v.child_labour, v.hazardous_work, v.profile_id, v.profile_version "
        "FROM visits v JOIN children c ON c.id = v.child_id ORDER BY v.id",
    )
    records = []
    for visited, born, age, record, *_ in rows:
        visit_day, birth = _day(visited), _day(born)
        assert birth <= visit_day <= TODAY
        assert visit_day >= TODAY - timedelta(days=730)
        assert age == _age_on(birth, visit_day)
        stored = record if isinstance(record, dict) else json.loads(record)
        assert stored["age"] == age
        records.append(stored)
    verdicts = classify(pl.DataFrame(records, infer_schema_length=None), PROFILE)
    for row, stored in zip(verdicts.iter_rows(named=True), rows, strict=True):
        status, reasons, explanation, labour, hazardous, profile_id, version = stored[4:]
        reasons = reasons if isinstance(reasons, list) else json.loads(reasons)
        assert status == row["work_status"]
        assert bool(labour) is row["child_labour"]
        assert bool(hazardous) is row["hazardous_work"]
        assert reasons == [r.value for r in Reason if row[f"reason_{r.value.lower()}"]]
        words = " ".join(f.text[0].upper() + f.text[1:] + "." for f in explain_row(row, PROFILE))
        assert explanation == words
        assert (profile_id, version) == (PROFILE.id, PROFILE.version)
    assert 0 < sum(bool(r[7]) for r in rows) < len(rows)


_Seen = dict[int, list[tuple[date, bool, bool, list[str]]]]


def _visits_by_child(engine: Engine) -> _Seen:
    """Each child's visits, by date: (date, child labour, hazardous work, reasons)."""
    visits: _Seen = defaultdict(list)
    for child_id, day, labour, hazardous, reasons in _rows(
        engine, "SELECT child_id, visit_date, child_labour, hazardous_work, reasons FROM visits"
    ):
        found = reasons if isinstance(reasons, list) else json.loads(reasons)
        visits[child_id].append((_day(day), bool(labour), bool(hazardous), found))
    return {child: sorted(seen) for child, seen in visits.items()}


def _cases(engine: Engine) -> list[tuple[int, int, str, str, bool, bool, date, date | None]]:
    rows = _rows(engine, "SELECT id, child_id, kind, status, worst_forms, hazardous, opened_on, "
                         "closed_on FROM cases")  # fmt: skip
    return [(i, child, kind, status, bool(worst), bool(hazardous), _day(opened),
             _day(closed) if closed else None)
            for i, child, kind, status, worst, hazardous, opened, closed in rows]  # fmt: skip


def _remediation(engine: Engine) -> dict[int, tuple[date, date]]:
    """Cases whose remediation started: (first service, closure or today)."""
    closed = {case[0]: case[7] for case in _cases(engine)}
    starts = _rows(engine, "SELECT case_id, min(started_on) FROM services GROUP BY case_id")
    return {case: (_day(start), closed[case] or TODAY) for case, start in starts}


def test_cases_open_at_the_first_visit_in_child_labour(
    seeded: tuple[Engine, dict[str, int]],
) -> None:
    """A child found in child labour has a case opened on that visit; a sibling seen that
    day may have an at-risk case opened then; the flags come from the visits in child labour;
    a case closes on a visit that found the child out of it, the child's last."""
    engine, _ = seeded
    visits = _visits_by_child(engine)
    cases = _cases(engine)
    in_labour = {child for child, seen in visits.items() if any(v[1] for v in seen)}
    children = [case[1] for case in cases]
    assert len(children) == len(set(children))  # one case a child at most
    kinds = {case[1]: case[2] for case in cases}
    assert in_labour <= set(kinds)
    households = dict(_rows(engine, "SELECT id, household_id FROM children"))
    opened_in = {(households[case[1]], case[6]) for case in cases if case[2] == "child_labour"}
    for _, child_id, kind, status, worst, hazardous, opened, closed in cases:
        seen = visits[child_id]
        if kind == "child_labour":
            assert opened == min(day for day, labour, _, _ in seen if labour)
        else:  # seen out of child labour the day a sibling was found in it
            assert kind == "at_risk"
            assert (opened, False) in {(day, labour) for day, labour, _, _ in seen}
            assert (households[child_id], opened) in opened_in
        found = [visit for visit in seen if visit[1]]
        assert worst is any("WFCL_OTHER" in reasons for *_, reasons in found)
        assert hazardous is any(h for _, _, h, _ in found)
        assert (closed is not None) is (status == "closed")
        if closed is not None:  # closed on a visit that found the child out of child labour
            assert (closed, False) in {(day, labour) for day, labour, _, _ in seen}
            assert seen[-1][0] == closed
    statuses = {case[3] for case in cases if case[2] == "child_labour"}
    assert statuses >= {"identified", "action_planned", "in_remediation", "under_follow_up",
                        "closed"}  # fmt: skip
    assert {case[3] for case in cases if case[2] == "at_risk"} >= {"under_follow_up", "closed"}


def test_services_start_after_the_case_opened(seeded: tuple[Engine, dict[str, int]]) -> None:
    """Services start the day remediation starts or later, by closure; distinct kinds."""
    engine, _ = seeded
    cases = {case[0]: case for case in _cases(engine)}
    starts = dict(_rows(engine, "SELECT case_id, min(at) FROM case_events "
                                "WHERE action = 'start_remediation' GROUP BY case_id"))  # fmt: skip
    services: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for case_id, kind, started in _rows(engine, "SELECT case_id, type, started_on FROM services"):
        services[case_id].append((kind, _day(started)))
    for case_id, (_, _, _, _, _, _, opened, closed) in cases.items():
        given = services.get(case_id, [])
        assert bool(given) is (case_id in starts)
        assert len({kind for kind, _ in given}) == len(given)  # distinct kinds of service
        assert all(opened < day <= (closed or TODAY) for _, day in given)
        if given:
            started = starts[case_id]
            first = started.date() if isinstance(started, datetime) else _day(started[:10])
            assert min(day for _, day in given) == first
    assert max(len(given) for given in services.values()) > 1


def _rolling(start: date, done: list[tuple[date, date | None]]) -> tuple[list[date], bool]:
    """The follow-ups the rolling rule (docs/monitoring.md) gives a case whose remediation
    started on ``start``, worked step by step from its follow-ups (due day, visit day or
    None, in due order): 3 and 6 months after the start; each done with none waiting after
    it is followed by the next, 6 months after its due day, or after its visit when the visit
    was more than 28 days late, which also moves those waiting to keep their months after
    the visit. Returns the due days, and whether the case's follow-ups all follow them."""
    waiting = [add_months(start, 3), add_months(start, 6)]
    expected: list[date] = []
    for due_on, visit_on in done:
        if not waiting or waiting[0] != due_on:
            return expected, False
        expected.append(waiting.pop(0))
        if visit_on is None:
            continue
        late = (visit_on - due_on).days > 28
        if late:
            months = [(w.year - due_on.year) * 12 + w.month - due_on.month for w in waiting]
            waiting = [add_months(visit_on, m) for m in months]
        if not waiting:
            waiting = [add_months(visit_on if late else due_on, 6)]
    return expected, True


def test_follow_ups_are_due_per_the_rule(seeded: tuple[Engine, dict[str, int]]) -> None:
    """Follow-ups are those the rolling rule schedules from the start of remediation (worked
    out again by :func:`_rolling`), dropped after closure; each done by a visit of the
    case's child on or after its due day; an open case always has one waiting."""
    engine, _ = seeded
    remediation = _remediation(engine)
    child_of_case = {case[0]: case[1] for case in _cases(engine)}
    closed = {case[0]: case[7] for case in _cases(engine)}
    visit_of = {v: (c, _day(d)) for v, c, d in
                _rows(engine, "SELECT id, child_id, visit_date FROM visits")}  # fmt: skip
    due: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    lags = []
    for case_id, due_on, visit_id in _rows(
        engine, "SELECT case_id, due_on, visit_id FROM follow_ups"
    ):
        visit_on = None
        if visit_id is not None:  # done by a visit of the same child, on time or late
            child, visit_on = visit_of[visit_id]
            assert child == child_of_case[case_id]
            lags.append((visit_on - _day(due_on)).days)
        due[case_id].append((_day(due_on), visit_on))
    assert set(due) <= set(remediation)
    shifted = 0
    for case_id, (start, _) in remediation.items():
        made = sorted(due.get(case_id, []))
        expected, follows = _rolling(start, made)
        assert follows, (case_id, start, made)
        assert expected == [day for day, _ in made]
        if not closed[case_id]:
            assert any(visit is None for _, visit in made)  # one waits, at least
        shifted += any((v - d).days > 28 for d, v in made if v is not None)
    assert shifted > 0  # some follow-ups were late, and moved the schedule
    assert min(lags) >= 0
    assert max(lags) <= 60
    assert sum(lag <= 21 for lag in lags) > 0.8 * len(lags)  # mostly on time
    assert 0 < len(lags) < sum(len(days) for days in due.values())


def test_copies_match_what_they_copy(seeded: tuple[Engine, dict[str, int]]) -> None:
    """The copies the ORM would make: each visit's and case's household's area, each case's
    child's sex and birth date, each follow-up's case's area."""
    engine, counts = seeded
    assert counts["cases"] > 0
    assert counts["follow_ups"] > 0
    for table in ("visits", "cases"):
        off_area = _rows(engine, f"SELECT count(*) FROM {table} t "
                                 "JOIN children ch ON ch.id = t.child_id "
                                 "JOIN households h ON h.id = ch.household_id "
                                 "WHERE t.area_id <> h.area_id")  # fmt: skip
        assert off_area[0][0] == 0, table
    off_child = _rows(engine, "SELECT count(*) FROM cases c JOIN children ch ON ch.id = c.child_id"
                              " WHERE c.child_sex <> ch.sex"
                              " OR c.child_birth_date <> ch.birth_date")  # fmt: skip
    off_case = _rows(engine, "SELECT count(*) FROM follow_ups f JOIN cases c ON c.id = f.case_id"
                             " WHERE f.area_id <> c.area_id")  # fmt: skip
    assert off_child[0][0] == 0
    assert off_case[0][0] == 0


def test_worst_forms_are_referred(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    referrals = _rows(engine, "SELECT r.case_id, r.status, r.consent, c.worst_forms, "
                              "r.sent_on, c.opened_on FROM referrals r "
                              "JOIN cases c ON c.id = r.case_id")  # fmt: skip
    live = {"sent", "accepted", "done"}
    referred = {case_id for case_id, status, *_ in referrals if status in live}
    worst_cases = {case[0] for case in _cases(engine) if case[4]}
    assert worst_cases, "the sample should hold worst-form cases"
    assert worst_cases <= referred
    assert referred - worst_cases, "other cases are referred too"
    for _, _, consent, worst, sent, opened in referrals:
        assert consent or worst  # only a worst form may go without consent
        assert _day(opened) <= _day(sent) <= TODAY


def test_accounts_metrics_and_later_writes(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    with Session(engine) as session:
        country = session.scalars(select(Area).where(Area.level == "country")).one()
        rates = identification_rate(session, area_path=country.path,
                                    period=Period(TODAY - timedelta(days=731), TODAY))  # fmt: skip
        visited = _rows(engine, "SELECT count(DISTINCT child_id) FROM visits")[0][0]
        assert rates[0].denominator == visited
        # Ids continue after the seeded ones (PostgreSQL's sequences were moved on).
        added = create_area(session, name="New district", level="district",
                            parent_id=country.id)  # fmt: skip
        assert added.id == counts["areas"] + 1
        session.rollback()
    with Session(engine) as session:
        user = authenticate(session, username="supervisor", password=DEMO_PASSWORD)
        assert session.get(Area, user.area_id).level == "district"  # type: ignore[union-attr]
        # the partner user reads the referrals sent to its partner (the demo's carry the
        # consent flag: the child is shown, no contact was recorded)
        partner = principal_of(session, authenticate(session, username="partner",
                                                     password=DEMO_PASSWORD))  # fmt: skip
        rows = read_partner_referrals(session, partner, per_page=5)
        sql = ("SELECT count(*) FROM referrals r JOIN partners p ON p.id = r.partner_id "
               f"WHERE p.name = '{DEMO_PARTNER}'")  # fmt: skip
        assert len(rows) == min(_rows(engine, sql)[0][0], 6) > 0
        assert {row.Referral.partner_id for row in rows} == {partner.partner_id}
        views = [partner_view(session, row.Referral, row.child_id, today=TODAY) for row in rows]
        assert [view.shared for view in views] == [row.Referral.consent for row in rows]
        session.rollback()


def test_indexes_survive_the_load(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    if engine.dialect.name == "sqlite":
        names = {n for (n,) in _rows(engine, "SELECT name FROM sqlite_master WHERE type='index'")}
    else:
        names = {n for (n,) in _rows(engine, "SELECT indexname FROM pg_indexes")}
    assert {"ix_visits_child_history", "ix_visits_visit_date",
            "ix_visits_child_labour", "ix_follow_ups_due_on",
            "ix_children_household_id"} <= names  # fmt: skip


def test_a_failed_load_leaves_nothing(engine: Engine) -> None:
    upgrade(engine)

    def fail(done: int, total: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        seed_database(engine, PROFILE, size=SMALL, today=TODAY, progress=fail, chunk_households=150)
    for table in TABLES:
        assert _rows(engine, f"SELECT count(*) FROM {table}")[0][0] == 0
    if engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type='index'"
    else:
        sql = "SELECT indexname FROM pg_indexes UNION SELECT conname FROM pg_constraint"
    names = {n for (n,) in _rows(engine, sql)}
    assert {"ix_visits_visit_date", "ix_households_area_id"} <= names
    if engine.dialect.name == "postgresql":
        assert "fk_visits_child_id_children" in names
    # The database is still usable for a demo.
    counts = seed_database(engine, PROFILE, size=DemoSize(regions=1, districts_per_region=1,
                           communities_per_district=1, households=10), today=TODAY)  # fmt: skip
    assert counts["households"] == 10


def test_refuses_a_database_with_data(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    with pytest.raises(DataError, match="already has areas"):
        seed_database(engine, PROFILE, size=SMALL, today=TODAY)
    assert _rows(engine, "SELECT count(*) FROM children")[0][0] == counts["children"]


def test_refuses_a_database_with_partners(session: Session) -> None:
    create_partner(session, name="Children First NGO", kind=PartnerKind.NGO)
    with pytest.raises(DataError, match="already has partners"):
        seed_demo(session, PROFILE, size=SMALL, today=TODAY)


def test_same_size_same_data(tmp_path: Any) -> None:
    from ipec.db import make_engine

    made = []
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        seed_database(engine, PROFILE, size=SMALL, today=TODAY)
        made.append(_rows(engine, "SELECT * FROM visits ORDER BY id"))
        engine.dispose()
    assert made[0] == made[1]


def test_size_examples_run() -> None:
    import doctest

    from ipec.demo import size

    failures, tried = doctest.testmod(size)
    assert (failures, tried > 0) == (0, True)


def test_sizes() -> None:
    assert DemoSize().households == 20_000
    assert DemoSize.for_children(1_000_000, visits_per_child=3) == DemoSize(
        households=400_000, visits_per_child=3
    )
    with pytest.raises(DataError, match="visits per child"):
        DemoSize(visits_per_child=0)
    with pytest.raises(DataError, match="at least one household"):
        DemoSize(households=0)

"""The register's lists: search by name (accents, case, sound), head of household, supply
unit and pseudonym; filters; scope; the same page whichever plan finds it; search keys that
follow every write (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ipec.monitoring import Area, Child, Household, Sex, registry
from ipec.monitoring.models import Case, CaseKind, CaseStatus, LeaveReason, NameKey
from ipec.monitoring.registry import (
    ChildFilter,
    ChildList,
    HouseholdFilter,
    HouseholdList,
    _Bounds,
    _Search,
    child_ids_query,
    household_ids_query,
)
from ipec.monitoring.search_keys import key_rows, refresh_name_keys
from ipec.monitoring.service import (
    ChildInput,
    add_child,
    create_area,
    move_household,
    record_leaving,
    register_household,
    update_child,
    update_household,
)
from tests.monitoring.metrics.world import CLEAN, visit

TODAY = date(2026, 12, 31)
_countries = itertools.count()


def _world(session: Session, name: str = "Country") -> dict[str, Any]:
    """A country with two districts: in A the Kouamé household (head Yao Kouassi, supply unit
    Coop Kapatchiva: Aya, 12, and Koffi N'Guessan, 8), in B the Traoré household (Fatoumata,
    15)."""
    country = create_area(session, name=name, level="country")
    a = create_area(session, name="A", level="district", parent_id=country.id)
    b = create_area(session, name="B", level="district", parent_id=country.id)
    kouame = register_household(
        session, area_id=a.id, head_name="Yao Kouassi", supply_unit="Coop Kapatchiva",
        actor="m", today=TODAY,
        children=[ChildInput("Aya Kouamé", Sex.FEMALE, date(2014, 3, 1)),
                  ChildInput("Koffi N'Guessan", Sex.MALE, date(2018, 6, 1))],
    )  # fmt: skip
    traore = register_household(
        session, area_id=b.id, head_name="Moussa Traoré", actor="m", today=TODAY,
        children=[ChildInput("Fatoumata Traoré", Sex.FEMALE, date(2011, 2, 1))],
    )  # fmt: skip
    session.flush()
    named = {c.name: c for c in session.scalars(select(Child))}
    return {"country": country, "a": a, "b": b, "kouame": kouame, "traore": traore, **named}


def _names(session: Session, filters: ChildFilter, scope: str = "/") -> list[str]:
    page = ChildList(filters, TODAY).page_in(session, scope)
    return [row.Child.name for row in page.rows]


def _heads(session: Session, filters: HouseholdFilter, scope: str = "/") -> list[str]:
    page = HouseholdList(filters, TODAY).page_in(session, scope)
    return [row.Household.head_name for row in page.rows]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("Aya Kouamé", ["Aya Kouamé"]),
        ("kouame", ["Aya Kouamé"]),
        ("KOUAMÉ", ["Aya Kouamé"]),
        ("Kwame", ["Aya Kouamé"]),  # by sound
        ("kou aya", ["Aya Kouamé"]),  # word prefixes, any order
        ("n'guessan", ["Koffi N'Guessan"]),
        ("kofi", ["Koffi N'Guessan"]),  # by sound
        ("Fatimata Traore", ["Fatoumata Traoré"]),
        ("yaw", ["Koffi N'Guessan", "Aya Kouamé"]),  # the head, Yao, by sound: his children
        ("kapatchiva", ["Koffi N'Guessan", "Aya Kouamé"]),  # the supply unit
        ("<pseudonym>", ["Aya Kouamé"]),  # Aya's, in lower case
        ("aya fatoumata", []),  # every word must match one child (or its household)
        ("aya yao", ["Aya Kouamé"]),  # her name and her household head's
        ("zzz", []),
        ("'; DROP TABLE children; --", []),
        ("%", ["Fatoumata Traoré", "Koffi N'Guessan", "Aya Kouamé"]),  # no word: no search
    ],
)
def test_children_are_found_by_name_head_unit_and_pseudonym(
    session: Session, search: str, expected: list[str]
) -> None:
    w = _world(session)
    search = search.replace("<pseudonym>", w["Aya Kouamé"].pseudonym.lower())
    assert _names(session, ChildFilter(search=search)) == expected


def test_households_are_found_by_head_unit_and_child(session: Session) -> None:
    _world(session)
    assert _heads(session, HouseholdFilter(search="kouassi")) == ["Yao Kouassi"]
    assert _heads(session, HouseholdFilter(search="coop")) == ["Yao Kouassi"]
    assert _heads(session, HouseholdFilter(search="kwame")) == ["Yao Kouassi"]
    assert _heads(session, HouseholdFilter(search="fatimata")) == ["Moussa Traoré"]
    assert _heads(session, HouseholdFilter()) == ["Moussa Traoré", "Yao Kouassi"]
    assert _heads(session, HouseholdFilter(search="traore"), scope="/1/2/") == []


def test_filters_and_scope(session: Session) -> None:
    w = _world(session)
    everyone = ["Fatoumata Traoré", "Koffi N'Guessan", "Aya Kouamé"]
    assert _names(session, ChildFilter()) == everyone
    assert _names(session, ChildFilter(), scope=w["a"].path) == everyone[1:]
    assert _names(session, ChildFilter(area_path=w["b"].path)) == everyone[:1]
    assert _names(session, ChildFilter(sex=Sex.FEMALE)) == ["Fatoumata Traoré", "Aya Kouamé"]
    assert _names(session, ChildFilter(min_age=12, max_age=14)) == ["Aya Kouamé"]
    assert _names(session, ChildFilter(max_age=11)) == ["Koffi N'Guessan"]
    session.add(Case(child_id=w["Aya Kouamé"].id, kind=CaseKind.AT_RISK,
                     status=CaseStatus.AT_RISK, opened_on=date(2026, 1, 1)))  # fmt: skip
    session.add(Case(child_id=w["Fatoumata Traoré"].id, kind=CaseKind.AT_RISK,
                     status=CaseStatus.CLOSED, opened_on=date(2026, 1, 1)))  # fmt: skip
    session.flush()
    assert _names(session, ChildFilter(open_case=True)) == ["Aya Kouamé"]
    assert _names(session, ChildFilter(open_case=False)) == everyone[:2]
    assert _heads(session, HouseholdFilter(open_case=True)) == ["Yao Kouassi"]
    assert _heads(session, HouseholdFilter(open_case=False)) == ["Moussa Traoré"]
    visit(session, w["Koffi N'Guessan"], date(2026, 10, 1), CLEAN)
    visit(session, w["Fatoumata Traoré"], date(2026, 3, 1), CLEAN)
    assert _names(session, ChildFilter(not_visited_months=6)) == ["Fatoumata Traoré",
                                                                  "Aya Kouamé"]  # fmt: skip
    assert _names(session, ChildFilter(not_visited_months=12)) == ["Aya Kouamé"]
    assert _heads(session, HouseholdFilter(not_visited_months=6)) == ["Moussa Traoré"]
    assert _heads(session, HouseholdFilter(not_visited_months=2)) == ["Moussa Traoré",
                                                                      "Yao Kouassi"]  # fmt: skip


def test_a_child_who_left_is_hidden_unless_asked(session: Session) -> None:
    w = _world(session)
    aya = w["Aya Kouamé"]
    record_leaving(session, child_id=aya.id, expected_version=aya.version,
                   left_on=date(2026, 11, 1), reason=LeaveReason.MOVED, actor="m",
                   today=TODAY)  # fmt: skip
    assert "Aya Kouamé" not in _names(session, ChildFilter())
    assert _names(session, ChildFilter(search="aya", include_left=True)) == ["Aya Kouamé"]
    assert _names(session, ChildFilter(search="aya")) == []
    page = HouseholdList(HouseholdFilter(search="kouassi"), TODAY).page_in(session, "/")
    assert [(row.children, row.active_children) for row in page.rows] == [(2, 1)]


def test_paging(session: Session) -> None:
    w = _world(session)
    for number in range(7):
        ama = ChildInput(f"Ama {number}", Sex.FEMALE, date(2015, 1, 1 + number))
        add_child(session, household_id=w["kouame"].id, child=ama, actor="m", today=TODAY)
    seen: list[str] = []
    for page in range(1, 5):
        found = ChildList(ChildFilter(search="ama"), TODAY, page=page, per_page=3)
        got = found.page_in(session, "/")
        seen.extend(row.Child.name for row in got.rows)
        assert got.has_next == (page < 3)
    assert seen == [f"Ama {number}" for number in reversed(range(7))]


@pytest.mark.parametrize("wide", [True, False])
def test_every_plan_gives_the_same_ids(session: Session, wide: bool) -> None:
    w = _world(session)
    for filters in (ChildFilter(), ChildFilter(area_path=w["a"].path), ChildFilter(sex=Sex.MALE)):
        ids = list(session.scalars(child_ids_query("/", filters, TODAY, wide=wide, search=None)))
        other = list(session.scalars(child_ids_query("/", filters, TODAY, wide=not wide,
                                                     search=None)))  # fmt: skip
        assert ids == other
    homes = household_ids_query("/", HouseholdFilter(), TODAY, wide=wide, search=None)
    assert list(session.scalars(homes)) == [w["traore"].id, w["kouame"].id]
    # a search gathered from its rarest word, or walked (as for common words): the same
    for search in ("kou", "yao kou", "kapatchiva", "aya"):
        found = _Search.of(session, search, _Bounds(("/",)))
        assert found is not None
        assert not found.common
        walked = replace(found, common=True)
        for run in (found, walked):
            ids = child_ids_query("/", ChildFilter(search=search), TODAY, wide=wide, search=run)
            assert list(session.scalars(ids)) == [
                w[name].id for name in _names(session, ChildFilter(search=search))
            ], search
            homes = household_ids_query("/", HouseholdFilter(search=search), TODAY, wide=wide,
                                        search=run)  # fmt: skip
            assert [session.get(Household, i).head_name for i in session.scalars(homes)] == (  # type: ignore[union-attr]
                _heads(session, HouseholdFilter(search=search))
            )


def test_the_rarest_word_leads_and_a_common_word_is_walked(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(session)
    monkeypatch.setattr(registry, "COMMON", 3)
    found = _Search.of(session, "k aya", _Bounds(("/",)))  # "k" starts four words, "aya" one
    assert found is not None
    assert (found.words, found.common) == (["aya", "k"], False)
    monkeypatch.setattr(registry, "COMMON", 2)
    common = _Search.of(session, "k", _Bounds(("/",)))
    assert common is not None
    assert common.common
    assert _names(session, ChildFilter(search="k")) == ["Koffi N'Guessan", "Aya Kouamé"]
    assert _heads(session, HouseholdFilter(search="k")) == ["Yao Kouassi"]
    assert _names(session, ChildFilter(search="k aya")) == ["Aya Kouamé"]


def _stored_keys(session: Session) -> set[tuple[Any, ...]]:
    return {tuple(row) for row in session.execute(
        select(NameKey.household_id, NameKey.child_id, NameKey.area_id, NameKey.word,
               NameKey.sound))}  # fmt: skip


def _computed_keys(session: Session) -> set[tuple[Any, ...]]:
    keys: set[tuple[Any, ...]] = set()
    for household in session.scalars(select(Household)):
        children = [(c.id, c.name) for c in session.scalars(
            select(Child).where(Child.household_id == household.id))]  # fmt: skip
        for row in key_rows(household.id, household.area_id, household.head_name,
                            household.supply_unit, children):  # fmt: skip
            keys.add((row["household_id"], row["child_id"], row["area_id"], row["word"],
                      row["sound"]))  # fmt: skip
    return keys


names = st.sampled_from(["Aya Kouamé", "Kwame", "Adjoua Yao", "Fatoumata", "N'Guessan Koffi",
                         "Jean-Baptiste Ouattara", "Aya", "Éloïse"])  # fmt: skip
writes = st.lists(
    st.tuples(st.sampled_from(["add", "rename", "head", "unit", "move"]), names,
              st.integers(0, 5)),
    max_size=8,
)  # fmt: skip


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=writes)
def test_the_search_keys_follow_every_write(
    session: Session, steps: list[tuple[str, str, int]]
) -> None:
    # examples add up in the test's transaction: the keys of every household are compared
    w = _world(session, f"Country {next(_countries)}")
    households = [w["kouame"], w["traore"]]
    areas = [w["a"], w["b"], w["country"]]
    for kind, name, number in steps:
        household = households[number % 2]
        children = list(session.scalars(select(Child).where(Child.household_id
                                                             == household.id)))  # fmt: skip
        if kind == "add":
            add_child(
                session,
                household_id=household.id,
                actor="m",
                today=TODAY,
                child=ChildInput(f"{name} {next(_countries)}", Sex.MALE, date(2016, 1, 2)),
            )
        elif kind == "rename" and children:
            child = children[number % len(children)]
            update_child(session, child_id=child.id, expected_version=child.version,
                         changes={"name": f"{name} {child.id}"}, actor="m")  # fmt: skip
        elif kind in ("head", "unit"):
            field = "head_name" if kind == "head" else "supply_unit"
            update_household(session, household_id=household.id,
                             expected_version=household.version, changes={field: name},
                             actor="m")  # fmt: skip
        elif kind == "move":
            target = areas[number % 3]
            if target.id != household.area_id:
                move_household(session, household_id=household.id,
                               expected_version=household.version, to_area_id=target.id,
                               moved_on=TODAY, actor="m", today=TODAY)  # fmt: skip
    session.flush()
    assert _stored_keys(session) == _computed_keys(session)
    stored = _stored_keys(session)
    session.execute(delete(NameKey))
    refresh_name_keys(session.connection())
    assert _stored_keys(session) == stored


def test_an_unknown_area_of_a_move_is_not_found(session: Session) -> None:
    from ipec.errors import NotFound

    w = _world(session)
    with pytest.raises(NotFound, match="area 999999 not found"):
        move_household(session, household_id=w["kouame"].id, expected_version=w["kouame"].version,
                       to_area_id=999_999, moved_on=TODAY, actor="m", today=TODAY)  # fmt: skip
    assert session.get(Area, w["a"].id) is not None


def test_the_children_of_a_monitors_areas(session: Session) -> None:
    from ipec.auth import Role, create_user
    from ipec.monitoring.service import assign_area_monitor

    w = _world(session)
    kofi = create_user(session, username=f"kofi{next(_countries)}", display_name="Kofi",
                       password="a long enough password", role=Role.MONITOR,
                       area_id=w["country"].id)  # fmt: skip
    filters = ChildFilter(monitor_id=kofi.id)
    assert _names(session, filters) == []  # no area is his
    assign_area_monitor(session, area_id=w["country"].id, user_id=kofi.id, actor="m")
    everyone = ["Fatoumata Traoré", "Koffi N'Guessan", "Aya Kouamé"]
    assert _names(session, filters) == everyone  # the country's, so every district's
    other = create_user(session, username=f"ama{next(_countries)}", display_name="Ama",
                        password="a long enough password", role=Role.MONITOR,
                        area_id=w["b"].id)  # fmt: skip
    assign_area_monitor(session, area_id=w["b"].id, user_id=other.id, actor="m")
    assert _names(session, filters) == everyone[1:]  # B has its own monitor now
    assert _names(session, ChildFilter(monitor_id=other.id)) == everyone[:1]
    assert _names(session, ChildFilter(monitor_id=other.id, search="kouame")) == []
    assert _names(session, replace(filters, search="fatoumata")) == []
    assert _heads(session, HouseholdFilter(monitor_id=other.id)) == ["Moussa Traoré"]

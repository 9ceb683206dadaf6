"""Invariants of the rules, checked on random children (hypothesis)."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipec.classify import REASON_COLUMNS, WorkStatus, classify, classify_child
from ipec.classify.record import HAZARD_COLUMNS
from ipec.standards import load_profile, shipped_profile_ids

#: Slow (about a minute in all): property searches over many generated children.
pytestmark = pytest.mark.slow

PROFILES = [load_profile(profile_id) for profile_id in shipped_profile_ids()]
_hours = st.one_of(st.none(), st.floats(min_value=0, max_value=80, allow_nan=False))
_known_hours = st.floats(min_value=0, max_value=80, allow_nan=False)


@st.composite
def children(draw: st.DrawFn, hours: st.SearchStrategy[float | None] = _hours) -> dict[str, Any]:
    child: dict[str, Any] = {
        "age": draw(st.integers(min_value=3, max_value=19)),
        "econ_any": draw(st.booleans()),
        "econ_hours": draw(hours),
    }
    for activity in ("chores", "water", "firewood"):
        child[f"{activity}_any"] = draw(st.booleans())
        child[f"{activity}_hours"] = draw(hours)
    for column in HAZARD_COLUMNS:
        child[column] = draw(st.booleans())
    child["isic"] = draw(st.sampled_from([None, "B", "0510", "4520", "F", "A"]))
    child["isco"] = draw(st.sampled_from([None, "8111", "2211", "9312"]))
    child["wfcl_other"] = draw(st.booleans())
    child["safeguards"] = draw(st.booleans())
    return child


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema_overrides={name: pl.Float64 for name in rows[0] if name.endswith("_hours")}
        | {"isic": pl.String, "isco": pl.String},
    )


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(children(), min_size=1, max_size=40))
def test_each_child_in_scope_is_exactly_one_status(rows: list[dict[str, Any]]) -> None:
    for profile in PROFILES:
        result = classify(_frame(rows), profile)
        in_scope = result.filter(pl.col("in_scope"))
        not_working = (
            ~in_scope["child_labour"]
            & ~in_scope["permitted_work"]
            & ~in_scope["undetermined"]
            & ~in_scope["in_economic_activity"]
        )
        exactly_one = (
            in_scope["child_labour"].cast(pl.Int8)
            + in_scope["permitted_work"].cast(pl.Int8)
            + in_scope["undetermined"].cast(pl.Int8)
            + not_working.cast(pl.Int8)
        )
        assert (exactly_one == 1).all()
        assert (in_scope["undetermined"] == (in_scope["work_status"] == "undetermined")).all()
        any_reason = in_scope.select(pl.any_horizontal(REASON_COLUMNS)).to_series()
        assert (in_scope["child_labour"] == any_reason).all()
        out = result.filter(~pl.col("in_scope"))
        assert not out.select(pl.any_horizontal(REASON_COLUMNS).any()).item()


@settings(max_examples=80, deadline=None)
@given(
    child=children(hours=_known_hours),
    extra=st.floats(min_value=0, max_value=60, allow_nan=False),
    activity=st.sampled_from(["econ", "chores", "water", "firewood"]),
)
def test_adding_hours_never_removes_child_labour(
    child: dict[str, Any], extra: float, activity: str
) -> None:
    more = {**child, f"{activity}_hours": child[f"{activity}_hours"] + extra}
    for profile in PROFILES:
        before = classify_child(child, profile)
        after = classify_child(more, profile)
        assert not (before.child_labour and not after.child_labour)
        assert set(before.reasons) <= set(after.reasons)


@settings(max_examples=60, deadline=None)
@given(child=children(), chores_hours=_hours, chores_any=st.booleans())
def test_econ_only_series_never_counts_chores(
    child: dict[str, Any], chores_hours: float | None, chores_any: bool
) -> None:
    profile = load_profile("sdg-8.7.1-econ")
    changed = {
        **child,
        "chores_any": chores_any,
        "chores_hours": chores_hours,
        "water_any": True,
        "water_hours": 100.0,
    }
    first, second = classify_child(child, profile), classify_child(changed, profile)
    assert first.status == second.status
    assert first.reasons == second.reasons
    assert not first.values["reason_hazardous_chores"]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(children(), min_size=1, max_size=20))
def test_one_child_api_equals_vectorised_row(rows: list[dict[str, Any]]) -> None:
    for profile in PROFILES:
        bulk = classify(_frame(rows), profile).to_dicts()
        for child, row in zip(rows, bulk, strict=True):
            single = classify_child(child, profile).values
            assert single == row


# Undetermined: unknown hours (or age) that could change the verdict (docs/classify.md).

_HOURS_FIELDS = ("econ_hours", "chores_hours", "water_hours", "firewood_hours")
_filling = st.floats(min_value=0, max_value=168, allow_nan=False)


def _unknown(child: dict[str, Any]) -> list[str]:
    """The hours fields of reported activities whose hours are unknown."""
    return [
        name
        for name in _HOURS_FIELDS
        if child[name.replace("_hours", "_any")] and child[name] is None
    ]


def _outcomes(status: WorkStatus, working: bool) -> set[WorkStatus]:
    """What a filling of the missing values may give a child of ``status``."""
    if status is not WorkStatus.UNDETERMINED:
        return {status}
    return {
        WorkStatus.CHILD_LABOUR,
        WorkStatus.PERMITTED_WORK if working else WorkStatus.NOT_WORKING,
    }


@settings(max_examples=60, deadline=None)
@given(child=children(hours=_known_hours))
def test_nothing_missing_is_never_undetermined(child: dict[str, Any]) -> None:
    for profile in PROFILES:
        result = classify_child(child, profile)
        assert result.status is not WorkStatus.UNDETERMINED
        assert result.missing == ()
        assert result.values["missing_values"] is None


@settings(max_examples=60, deadline=None)
@given(child=children(), fillings=st.lists(_filling, min_size=4, max_size=4))
def test_every_filling_gives_one_of_the_possible_outcomes(
    child: dict[str, Any], fillings: list[float]
) -> None:
    """A verdict reached with unknowns holds for every filling; an undetermined one becomes
    child labour or what the child is without it (permitted work or not working)."""
    filled = {**child, **dict(zip(_HOURS_FIELDS, fillings, strict=True))}
    filled = {name: filled[name] if name in _unknown(child) else child[name] for name in child}
    for profile in PROFILES:
        result = classify_child(child, profile)
        working = bool(result.values["in_economic_activity"])
        assert classify_child(filled, profile).status in _outcomes(result.status, working)


@settings(max_examples=60, deadline=None)
@given(child=children(), fillings=st.lists(_filling, min_size=4, max_size=4))
def test_values_not_named_do_not_matter(child: dict[str, Any], fillings: list[float]) -> None:
    """Unknown hours that ``missing_values`` does not name change nothing when filled."""
    for profile in PROFILES:
        result = classify_child(child, profile)
        unnamed = set(_unknown(child)) - set(result.missing)
        assert set(result.missing) <= set(_unknown(child))
        by_name = dict(zip(_HOURS_FIELDS, fillings, strict=True))
        filled = {**child, **{name: by_name[name] for name in unnamed}}
        again = classify_child(filled, profile)
        assert (again.status, again.missing) == (result.status, result.missing)


@settings(max_examples=60, deadline=None)
@given(child=children())
def test_undetermined_goes_either_way(child: dict[str, Any]) -> None:
    """The missing values could change the verdict: none of them gives the child's status
    without them, a full week of each gives child labour."""
    for profile in PROFILES:
        result = classify_child(child, profile)
        if result.status is not WorkStatus.UNDETERMINED:
            continue
        assert result.missing
        assert not result.reasons
        working = bool(result.values["in_economic_activity"])
        fewest = classify_child({**child, **dict.fromkeys(result.missing, 0.0)}, profile)
        most = classify_child({**child, **dict.fromkeys(result.missing, 168.0)}, profile)
        assert fewest.status is (WorkStatus.PERMITTED_WORK if working else WorkStatus.NOT_WORKING)
        assert most.status is WorkStatus.CHILD_LABOUR


@settings(max_examples=30, deadline=None)
@given(child=children(), age=st.integers(min_value=0, max_value=30))
def test_an_unknown_age_is_undetermined_and_asks_for_what_any_age_needs(
    child: dict[str, Any], age: int
) -> None:
    for profile in PROFILES:
        unknown = classify_child({**child, "age": None}, profile)
        assert unknown.status is WorkStatus.UNDETERMINED
        assert unknown.missing[0] == "age"
        assert not unknown.reasons
        known = classify_child({**child, "age": age}, profile)
        assert set(known.missing) <= set(unknown.missing)

"""Every threshold of every shipped profile, tested below, at and above.

The expected verdict is restated here from the profile's own numbers with plain comparisons, one
threshold at a time, independently of the engine's expressions.
"""

from __future__ import annotations

from typing import Any

import pytest

from ipec.classify import Reason, classify_child
from ipec.standards import Operator, Profile, load_profile, shipped_profile_ids

PROFILES = [load_profile(profile_id) for profile_id in shipped_profile_ids()]


def _reaches(hours: float, threshold: float, profile: Profile) -> bool:
    return hours >= threshold if profile.operator is Operator.AT_LEAST else hours > threshold


def _around(threshold: float) -> list[float]:
    return [h for h in (threshold - 0.5, threshold, threshold + 0.5) if 0 <= h <= 168]


def _cases() -> list[Any]:
    cases = []
    for profile in PROFILES:
        ages, economic = profile.ages, profile.economic
        below = economic.below_light_work_hours
        for age in (ages.scope.min, ages.light_work - 1):
            hours_list = [0.0, 0.5, 1.0] if below == "any" else _around(below)
            for hours in hours_list:
                expected = below == "any" or _reaches(hours, float(below), profile)
                cases.append(
                    pytest.param(
                        profile,
                        age,
                        hours,
                        Reason.BELOW_MIN_AGE,
                        expected,
                        id=f"{profile.id}-below-{age}y-{hours}h",
                    )
                )
        limit = economic.light_work_max_hours
        if limit is not None and ages.light_work < ages.minimum:
            for age in (ages.light_work, ages.minimum - 1):
                for hours in _around(limit):
                    cases.append(
                        pytest.param(
                            profile,
                            age,
                            hours,
                            Reason.EXCEEDS_LIGHT_WORK_HOURS,
                            _reaches(hours, limit, profile),
                            id=f"{profile.id}-light-{age}y-{hours}h",
                        )
                    )
        if economic.long_hours is not None:
            for age in (ages.minimum, ages.hazardous - 1):
                for hours in _around(economic.long_hours):
                    cases.append(
                        pytest.param(
                            profile,
                            age,
                            hours,
                            Reason.LONG_HOURS,
                            _reaches(hours, economic.long_hours, profile),
                            id=f"{profile.id}-long-{age}y-{hours}h",
                        )
                    )
    return cases


@pytest.mark.parametrize(("profile", "age", "hours", "reason", "expected"), _cases())
def test_economic_thresholds(
    profile: Profile, age: int, hours: float, reason: Reason, expected: bool
) -> None:
    result = classify_child({"age": age, "econ_any": True, "econ_hours": hours}, profile)
    assert (reason in result.reasons) is expected
    if reason is Reason.LONG_HOURS:
        assert result.hazardous_work is expected
    if age >= profile.ages.minimum:
        assert result.child_labour is expected


def _chores_cases() -> list[Any]:
    cases = []
    for profile in PROFILES:
        for band in profile.chores.bands:
            for age in (band.ages.min, band.ages.max):
                for hours in _around(band.hours):
                    cases.append(
                        pytest.param(
                            profile,
                            age,
                            hours,
                            _reaches(hours, band.hours, profile),
                            id=f"{profile.id}-chores-{age}y-{hours}h",
                        )
                    )
    return cases


@pytest.mark.parametrize(("profile", "age", "hours", "expected"), _chores_cases())
def test_chores_thresholds(profile: Profile, age: int, hours: float, expected: bool) -> None:
    record = {
        "age": age,
        "econ_any": False,
        "econ_hours": None,
        "chores_any": True,
        "chores_hours": hours,
    }
    result = classify_child(record, profile)
    assert (Reason.HAZARDOUS_CHORES in result.reasons) is expected
    assert result.child_labour is expected
    assert result.hazardous_work is False


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_chores_outside_every_band_never_count(profile: Profile) -> None:
    covered = {a for band in profile.chores.bands for a in range(band.ages.min, band.ages.max + 1)}
    for age in range(profile.ages.scope.min, profile.ages.scope.max + 1):
        if age in covered:
            continue
        record = {
            "age": age,
            "econ_any": False,
            "econ_hours": None,
            "chores_any": True,
            "chores_hours": 168,
        }
        assert not classify_child(record, profile).child_labour


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
@pytest.mark.parametrize("age", [4, 18])
def test_ages_outside_scope(profile: Profile, age: int) -> None:
    record = {
        "age": age,
        "econ_any": True,
        "econ_hours": 60,
        "chores_any": True,
        "chores_hours": 60,
        "wfcl_other": True,
        "haz_heights": True,
    }
    result = classify_child(record, profile)
    assert result.status.value == "out_of_scope"
    assert result.reasons == ()
    assert "outside the ages" in result.explanation


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_scope_edges_are_in_scope(profile: Profile) -> None:
    for age in (profile.ages.scope.min, profile.ages.scope.max):
        result = classify_child({"age": age, "econ_any": False, "econ_hours": None}, profile)
        assert result.status.value == "not_working"


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_unknown_hours_meet_no_hours_threshold(profile: Profile) -> None:
    for age in range(profile.ages.scope.min, profile.ages.scope.max + 1):
        result = classify_child({"age": age, "econ_any": True, "econ_hours": None}, profile)
        assert result.values["hours_unknown"] is True
        counts_any = profile.economic.below_light_work_hours == "any"
        expected = [Reason.BELOW_MIN_AGE] if counts_any and age < profile.ages.light_work else []
        assert list(result.reasons) == expected


def test_more_than_operator_moves_the_boundary() -> None:
    data = load_profile("sdg-8.7.1").model_dump()
    data["operator"] = ">"
    strict = Profile.model_validate(data)
    at = {"age": 13, "econ_any": True, "econ_hours": 14}
    assert not classify_child(at, strict).child_labour
    assert "does not exceed the 14 h limit" in classify_child(at, strict).explanation
    assert classify_child({**at, "econ_hours": 14.01}, strict).child_labour
    assert classify_child(at, "sdg-8.7.1").child_labour

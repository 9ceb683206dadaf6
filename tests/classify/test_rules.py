"""Rule details: water and firewood, industries and occupations, the age-16 exception."""

from __future__ import annotations

import polars as pl
import pytest

from ipec.classify import Reason, classify, classify_child
from ipec.errors import DataError
from ipec.standards import Profile, load_profile


def _with(profile_id: str, **changes: object) -> Profile:
    data = load_profile(profile_id).model_dump()
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        data[section][key] = value
    return Profile.model_validate(data)


def _chores(**parts: float | None) -> dict[str, object]:
    record: dict[str, object] = {"age": 10, "econ_any": False, "econ_hours": None}
    for name, hours in parts.items():
        record[f"{name}_any"] = True
        record[f"{name}_hours"] = hours
    return record


def test_water_and_firewood_add_to_chores() -> None:
    record = _chores(chores=10, water=6, firewood=5)
    result = classify_child(record, "sdg-8.7.1")
    assert result.values["chores_hours_total"] == 21
    assert result.reasons == (Reason.HAZARDOUS_CHORES,)
    below = classify_child(_chores(chores=10, water=6, firewood=4.5), "sdg-8.7.1")
    assert not below.child_labour


def test_decimal_hours_sum_without_float_error() -> None:
    result = classify_child(_chores(chores=19.9, water=0.7, firewood=0.4), "sdg-8.7.1")
    assert result.values["chores_hours_total"] == 21
    assert result.reasons == (Reason.HAZARDOUS_CHORES,)


def test_water_alone_makes_chores() -> None:
    result = classify_child(_chores(water=21), "sdg-8.7.1")
    assert result.values["in_chores"] is True
    assert result.child_labour


def test_water_ignored_or_economic() -> None:
    ignored = _with("sdg-8.7.1", chores__water_firewood="ignored")
    assert not classify_child(_chores(chores=10, water=11), ignored).child_labour
    economic = _with("sdg-8.7.1", chores__water_firewood="economic")
    result = classify_child(_chores(water=1), economic)
    assert result.values["in_economic_activity"] is True
    assert result.reasons == (Reason.BELOW_MIN_AGE,)


def test_unknown_chores_part_counts_as_zero() -> None:
    result = classify_child(_chores(chores=21, water=None), "sdg-8.7.1")
    assert result.values["hours_unknown"] is True
    assert result.child_labour
    unknown_only = classify_child(_chores(chores=None), "sdg-8.7.1")
    assert unknown_only.values["chores_hours_total"] is None
    assert not unknown_only.child_labour


def test_isic_sections_and_codes() -> None:
    national = load_profile("national-template")
    base = {"age": 15, "econ_any": True, "econ_hours": 10}
    expected = {
        "B": True,
        "0510": True,
        "09": True,
        "0990": True,
        "F": True,
        "4100": True,
        "0220": True,
        "0210": False,
        "A": False,
        "4520": False,
        "10": False,
    }
    got = {
        code: Reason.HAZ_INDUSTRY in classify_child({**base, "isic": code}, national).reasons
        for code in expected
    }
    assert got == expected


def test_isco_prefixes() -> None:
    national = load_profile("national-template")
    base = {"age": 15, "econ_any": True, "econ_hours": 10}
    assert classify_child({**base, "isco": "8111"}, national).reasons == (Reason.HAZ_OCCUPATION,)
    assert classify_child({**base, "isco": "8112"}, national).reasons == ()


@pytest.mark.parametrize(
    ("age", "safeguards", "expected"),
    [(15, True, True), (16, True, False), (17, True, False), (16, False, True), (17, None, True)],
)
def test_age_16_exception(age: int, safeguards: bool | None, expected: bool) -> None:
    national = load_profile("national-template")
    assert national.ages.hazardous_with_safeguards == 16
    record = {
        "age": age,
        "econ_any": True,
        "econ_hours": 20,
        "haz_heights": True,
        "isic": "F",
        "isco": "9312",
        "safeguards": safeguards,
    }
    result = classify_child(record, national)
    assert result.child_labour is expected
    if not expected:
        assert "strict safeguards" in result.explanation


def test_exception_does_not_excuse_long_hours() -> None:
    record = {"age": 16, "econ_any": True, "econ_hours": 50, "safeguards": True}
    result = classify_child(record, "national-template")
    assert result.reasons == (Reason.LONG_HOURS,)


def test_national_minimum_age_14() -> None:
    national = load_profile("national-template")
    assert classify_child(
        {"age": 14, "econ_any": True, "econ_hours": 30}, national
    ).status.value == ("permitted_work")
    assert classify_child({"age": 13, "econ_any": True, "econ_hours": 14}, national).reasons == (
        Reason.EXCEEDS_LIGHT_WORK_HOURS,
    )
    assert classify_child({"age": 11, "econ_any": True, "econ_hours": 0}, national).reasons == (
        Reason.BELOW_MIN_AGE,
    )


def test_conditions_only_listed_ones_count() -> None:
    record = {"age": 16, "econ_any": True, "econ_hours": 10, "haz_night_work": True}
    assert not classify_child(record, "mics6-2017").child_labour
    assert classify_child(record, "ilo-global-estimates").reasons == (Reason.HAZ_CONDITIONS,)


def test_lazy_and_eager_agree() -> None:
    frame = pl.DataFrame(
        {"age": [5, 12, 16], "econ_any": [True, True, True], "econ_hours": [1.0, 20.0, 50.0]}
    )
    eager = classify(frame, "sdg-8.7.1-econ")
    lazy = classify(frame.lazy(), "sdg-8.7.1-econ")
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(eager)
    assert eager["child_labour"].to_list() == [True, True, True]


def test_existing_output_columns_are_replaced() -> None:
    frame = pl.DataFrame(
        {"age": [10], "econ_any": [True], "econ_hours": [5.0], "child_labour": ["stale"]}
    )
    result = classify(frame, "sdg-8.7.1-econ")
    assert result["child_labour"].to_list() == [True]


def test_numeric_industry_codes_keep_their_zeros() -> None:
    frame = pl.DataFrame(
        {"age": [16] * 5, "econ_any": [True] * 5, "econ_hours": [2.0] * 5,
         "isic": [510, 5, 41, 4520, None]}
    )  # fmt: skip
    result = classify(frame, "ilo-global-estimates")
    assert result["isic"].to_list() == ["0510", "05", "41", "4520", None]
    assert result["reason_haz_industry"].to_list() == [True, True, True, False, False]


def test_fractional_industry_codes_are_refused() -> None:
    frame = pl.DataFrame({"age": [16], "econ_any": [True], "econ_hours": [2.0], "isic": [510.5]})
    with pytest.raises(DataError, match="codes must be whole numbers"):
        classify(frame, "ilo-global-estimates")

"""Tasks of a profile's national hazardous-work list: hazardous work at the ages the list gives,
explained with the task's wording and source (docs/classify.md, rule 3)."""

from __future__ import annotations

import polars as pl
import pytest

from ipec.classify import (
    HAZARDOUS_REASONS,
    Reason,
    WorkStatus,
    child_fields,
    classify,
    classify_child,
    hazard_columns,
    reason_column,
)
from ipec.errors import DataError
from ipec.standards import Profile, load_profile

_COLUMN = reason_column(Reason.HAZ_NATIONAL_LIST)


@pytest.fixture(scope="module")
def profile() -> Profile:
    """The ILO Global Estimates rules with two tasks: one forbidden under 18, one under 16 and
    allowed from 14 under safeguards."""
    data = load_profile("ilo-global-estimates").model_dump()
    data["id"] = "national-test"
    data["hazards"]["national"] = [
        {"code": "machete_use", "ages": {"min": 5, "max": 17}, "source": "List, art. 3, item 1",
         "label": {"en": "Clears land with a machete", "fr": "Défriche à la machette"}},
        {"code": "spraying", "ages": {"min": 5, "max": 15}, "source": "List, art. 3, item 4",
         "label": {"en": "Sprays pesticides"}, "safeguards_from": 14},
    ]  # fmt: skip
    return Profile.model_validate(data)


def _working(age: int, **flags: object) -> dict[str, object]:
    return {"age": age, "econ_any": True, "econ_hours": 6, **flags}


def test_a_task_at_an_age_it_applies_to_is_hazardous_work(profile: Profile) -> None:
    result = classify_child(_working(16, haz_machete_use=True), profile)
    assert result.status is WorkStatus.CHILD_LABOUR
    assert result.reasons == (Reason.HAZ_NATIONAL_LIST,)
    assert result.hazardous_work
    assert Reason.HAZ_NATIONAL_LIST in HAZARDOUS_REASONS


def test_the_explanation_cites_the_tasks_wording_and_source(profile: Profile) -> None:
    result = classify_child(_working(12, haz_machete_use=True, haz_spraying="yes"), profile)
    fired = [f for f in result.findings if f.reason is Reason.HAZ_NATIONAL_LIST]
    assert [f.value for f in fired] == ["Clears land with a machete", "Sprays pesticides"]
    assert [f.threshold for f in fired] == ["ages 5-17", "ages 5-15"]
    assert (
        'The work includes "Clears land with a machete", on the national list of hazardous '
        "work for ages 5-17 (List, art. 3, item 1)."
    ) in result.explanation
    assert "(List, art. 3, item 4)" in result.explanation
    assert result.to_dict()["reasons"] == ["HAZ_NATIONAL_LIST"]


def test_a_task_outside_its_ages_is_not_counted_and_the_explanation_says_why(
    profile: Profile,
) -> None:
    result = classify_child(_working(16, haz_spraying=True), profile)
    assert result.status is WorkStatus.PERMITTED_WORK
    assert result.reasons == ()
    assert not result.hazardous_work
    assert (
        '"Sprays pesticides" (List, art. 3, item 4) is hazardous work for ages 5-15 only, '
        "not at age 16"
    ) in result.explanation


def test_the_tasks_own_safeguards_age_excepts_it(profile: Profile) -> None:
    guarded = classify_child(_working(14, haz_spraying=True, safeguards=True), profile)
    assert guarded.reasons == ()
    assert "is allowed from age 14 under strict safeguards" in guarded.explanation
    younger = classify_child(_working(13, haz_spraying=True, safeguards=True), profile)
    assert younger.reasons == (Reason.HAZ_NATIONAL_LIST,)
    unguarded = classify_child(_working(14, haz_spraying=True), profile)
    assert unguarded.reasons == (Reason.HAZ_NATIONAL_LIST,)
    # No safeguards age on the task: the flag changes nothing.
    machete = classify_child(_working(16, haz_machete_use=True, safeguards=True), profile)
    assert machete.reasons == (Reason.HAZ_NATIONAL_LIST,)


def test_a_task_counts_only_with_economic_activity(profile: Profile) -> None:
    result = classify_child({"age": 10, "econ_any": False, "haz_machete_use": True}, profile)
    assert result.status is WorkStatus.NOT_WORKING
    assert "hazards count only with economic activity" in result.explanation


def test_bulk_classification_reads_the_tasks_like_conditions(profile: Profile) -> None:
    frame = pl.DataFrame(
        {
            "age": ["9", "16", "16", "17", "4"],
            "econ_any": ["yes", "yes", "yes", "yes", "yes"],
            "econ_hours": ["2", "2", "2", "2", "2"],
            "haz_machete_use": ["no", "", "no", "Yes", "yes"],
            "haz_spraying": ["1", "yes", "0", "no", "no"],
        }
    )
    out = classify(frame, profile)
    assert out[_COLUMN].to_list() == [True, False, False, True, False]
    assert out["hazardous_work"].to_list() == [True, False, False, True, False]
    assert out["haz_machete_use"].dtype == pl.Boolean
    second = pl.int_range(pl.len()) == 1
    bad = frame.with_columns(pl.when(second).then(pl.lit("maybe")).otherwise("haz_spraying")
                             .alias("haz_spraying"))  # fmt: skip
    with pytest.raises(DataError, match=r"column 'haz_spraying': row 2: not a yes/no flag"):
        classify(bad, profile)


def test_the_record_names_the_profiles_task_flags(profile: Profile) -> None:
    assert hazard_columns(profile)[-2:] == ("haz_machete_use", "haz_spraying")
    fields = {field.name: field for field in child_fields(profile)}
    assert fields["haz_spraying"].kind == "flag"
    assert "List, art. 3, item 4" in fields["haz_spraying"].description
    with pytest.raises(DataError) as caught:
        classify_child(_working(12, haz_spraying=True), "ilo-global-estimates")
    assert "unknown field(s) haz_spraying" in caught.value.one_line()
    with pytest.raises(DataError) as caught:
        classify_child(_working(12, haz_sprayin=True), profile)
    assert "national list (haz_machete_use, haz_spraying)" in caught.value.one_line()


def test_profiles_without_a_list_never_fire_the_reason() -> None:
    frame = pl.DataFrame({"age": [12], "econ_any": [True], "econ_hours": [50.0]})
    assert not classify(frame, "ilo-global-estimates")[_COLUMN].any()


def test_the_cocoa_example_classifies_its_tasks() -> None:
    cocoa = load_profile("cocoa-ci-2017")
    result = classify_child(_working(15, haz_field_burning=True), cocoa)
    assert result.reasons == (Reason.HAZ_NATIONAL_LIST,)
    assert "Arrêté n°2017-017 MEPS/CAB" in result.explanation
    assert classify_child(_working(15), cocoa).status is WorkStatus.PERMITTED_WORK

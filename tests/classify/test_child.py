"""The one-child API and its plain-language explanation."""

from __future__ import annotations

import pytest

from ipec.classify import Reason, WorkStatus, classify_child
from ipec.errors import DataError


def test_explanation_names_rule_threshold_and_value() -> None:
    result = classify_child({"age": 10, "econ_any": True, "econ_hours": 6}, "sdg-8.7.1")
    assert result.reasons == (Reason.BELOW_MIN_AGE,)
    finding = result.findings[0]
    assert finding.reason is Reason.BELOW_MIN_AGE
    assert (finding.threshold, finding.value) == ("1 h", "6 h")
    assert result.explanation == (
        "Age 10 is below 12, the youngest age for light work, and 6 h of economic activity "
        "reach the 1 h threshold."
    )


def test_explanation_for_every_fired_reason() -> None:
    record = {
        "age": 13,
        "econ_any": True,
        "econ_hours": 50,
        "haz_heights": True,
        "haz_heavy_loads": True,
        "isic": "0510",
        "chores_any": True,
        "chores_hours": 30,
        "wfcl_other": True,
    }
    result = classify_child(record, "ilo-global-estimates")
    assert set(result.reasons) == {
        Reason.EXCEEDS_LIGHT_WORK_HOURS,
        Reason.LONG_HOURS,
        Reason.HAZ_INDUSTRY,
        Reason.HAZ_CONDITIONS,
        Reason.WFCL_OTHER,
    }
    fired = [f for f in result.findings if f.reason]
    assert [f.reason for f in fired] == list(result.reasons)
    text = result.explanation
    assert "14 h light-work limit" in text
    assert "43 h long-hours threshold" in text
    assert "industry 0510" in text
    assert "heavy loads, heights" in text
    assert "C182" in text


def test_explanation_of_permitted_work_and_chores() -> None:
    record = {"age": 13, "econ_any": True, "econ_hours": 10, "chores_any": True, "chores_hours": 12}
    result = classify_child(record, "sdg-8.7.1")
    assert result.status is WorkStatus.PERMITTED_WORK
    assert "is light work (is below the 14 h limit)" in result.explanation
    assert "12 h of household chores" in result.explanation
    assert "below the 21 h threshold" in result.explanation


def test_to_dict_is_what_a_visit_stores() -> None:
    stored = classify_child({"age": 16, "econ_any": True, "econ_hours": 45}, "sdg-8.7.1").to_dict()
    assert stored["profile_id"] == "sdg-8.7.1"
    assert stored["profile_version"] == "2021.1"
    assert stored["reasons"] == ["LONG_HOURS"]
    assert stored["status"] == "child_labour"
    assert stored["hazardous_work"] is True


def test_text_values_are_coerced_like_files() -> None:
    result = classify_child({"age": "12", "econ_any": "yes", "econ_hours": "20"}, "sdg-8.7.1")
    assert result.reasons == (Reason.EXCEEDS_LIGHT_WORK_HOURS,)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"age": 10, "econ_any": True, "econ_hours": "six"}, "hours are not a number"),
        ({"age": 10, "econ_any": True, "econ_hours": 200}, "between 0 and 168"),
        ({"age": 10.5, "econ_any": True, "econ_hours": 2}, "whole number"),
        ({"age": 10, "econ_any": "maybe", "econ_hours": 2}, "not a yes/no flag"),
        ({"age": 10, "econ_any": True, "econ_hours": 2, "colour": "red"}, "unknown field"),
        ({"econ_any": True, "econ_hours": 2}, "missing required column(s) age"),
        ({"age": 10, "econ_any": True}, "missing required column(s) econ_hours"),
        ({"age": 10, "econ_any": 9, "econ_hours": 2}, "not a yes/no flag"),
        ({"age": 10, "econ_any": 2, "econ_hours": 2}, "not a yes/no flag"),
        ({"age": 10, "econ_any": 0.5, "econ_hours": 2}, "not a yes/no flag"),
        ({"age": True, "econ_any": True, "econ_hours": 2}, "age is not a number"),
        ({"age": 16, "econ_any": True, "econ_hours": 2, "haz_heights": 9}, "not a yes/no flag"),
    ],
)
def test_bad_child_records(record: dict[str, object], message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        classify_child(record, "sdg-8.7.1")


def test_no_work_needs_no_hours() -> None:
    """A child not in economic activity may leave the hours out; chores still count."""
    left_out = classify_child({"age": 10, "econ_any": False}, "sdg-8.7.1")
    zero = classify_child({"age": 10, "econ_any": False, "econ_hours": 0}, "sdg-8.7.1")
    assert left_out.status == zero.status
    assert left_out.reasons == zero.reasons == ()
    chores = classify_child({"age": 10, "econ_any": False, "chores_any": True,
                             "chores_hours": 30}, "sdg-8.7.1")  # fmt: skip
    assert chores.child_labour
    assert chores.reasons == (Reason.HAZARDOUS_CHORES,)

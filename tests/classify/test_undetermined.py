"""Undetermined: a value the verdict depends on is unknown, worked out by hand (issue 17).

Thresholds of sdg-8.7.1 (METHODOLOGY section 2): 5-11 econ >= 1 h; 12-14 >= 14 h; 15-17
>= 43 h; chores 5-14 >= 21 h, water and firewood included; no hazardous conditions.
mics6-2017: the same economic thresholds, chores 5-14 >= 28 h, any hazardous condition counts.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from ipec.classify import WorkStatus, classify, classify_child
from ipec.errors import DataError

U = WorkStatus.UNDETERMINED


@pytest.mark.parametrize(
    ("profile", "record", "status", "missing"),
    [
        # 7, working, hours unknown: 1 h or more would be child labour, less would not.
        ("sdg-8.7.1", {"age": 7, "econ_any": True, "econ_hours": None}, U, ("econ_hours",)),
        # ... unless a hazardous condition counts: child labour at any number of hours.
        (
            "mics6-2017",
            {"age": 7, "econ_any": True, "econ_hours": None, "haz_heavy_loads": True},
            WorkStatus.CHILD_LABOUR,
            (),
        ),
        # sdg-8.7.1 does not count conditions: still undetermined.
        (
            "sdg-8.7.1",
            {"age": 7, "econ_any": True, "econ_hours": None, "haz_heavy_loads": True},
            U,
            ("econ_hours",),
        ),
        # ILO GE counts any economic activity under 12: the hours do not matter.
        (
            "ilo-global-estimates",
            {"age": 7, "econ_any": True, "econ_hours": None},
            WorkStatus.CHILD_LABOUR,
            (),
        ),
        # 13, economic hours unknown, 25 h of chores >= 21 h: child labour already.
        (
            "sdg-8.7.1",
            {"age": 13, "econ_any": True, "econ_hours": None, "chores_any": True,
             "chores_hours": 25},
            WorkStatus.CHILD_LABOUR,
            (),
        ),
        # Under mics6-2017 25 h < 28 h: the economic hours decide (14 h or more at 13).
        (
            "mics6-2017",
            {"age": 13, "econ_any": True, "econ_hours": None, "chores_any": True,
             "chores_hours": 25},
            U,
            ("econ_hours",),
        ),
        # A worst form is child labour whatever the hours.
        (
            "mics6-2017",
            {"age": 16, "econ_any": True, "econ_hours": None, "wfcl_other": True},
            WorkStatus.CHILD_LABOUR,
            (),
        ),
        # 16: 43 h or more would be long hours.
        ("sdg-8.7.1", {"age": 16, "econ_any": True, "econ_hours": None}, U, ("econ_hours",)),
        # Not working, chores 20 h and water unknown: 1 h of water would reach 21 h.
        (
            "sdg-8.7.1",
            {"age": 10, "econ_any": False, "chores_any": True, "chores_hours": 20,
             "water_any": True, "water_hours": None},
            U,
            ("water_hours",),
        ),
        # Chores are not counted at 16 (band 5-14): unknown chores hours do not matter.
        (
            "sdg-8.7.1",
            {"age": 16, "econ_any": False, "chores_any": True, "chores_hours": None},
            WorkStatus.NOT_WORKING,
            (),
        ),
        # ... nor under the economic-only series.
        (
            "sdg-8.7.1-econ",
            {"age": 10, "econ_any": False, "chores_any": True, "chores_hours": None},
            WorkStatus.NOT_WORKING,
            (),
        ),
        # Both unknown at 13: either could reach its threshold.
        (
            "sdg-8.7.1",
            {"age": 13, "econ_any": True, "econ_hours": None, "chores_any": True,
             "chores_hours": None},
            U,
            ("econ_hours", "chores_hours"),
        ),
        # Economic hours known above the limit: the unknown chores hours cannot matter.
        (
            "sdg-8.7.1",
            {"age": 13, "econ_any": True, "econ_hours": 20, "chores_any": True,
             "chores_hours": None},
            WorkStatus.CHILD_LABOUR,
            (),
        ),
        # Out of scope whatever the hours.
        ("sdg-8.7.1", {"age": 18, "econ_any": True, "econ_hours": None}, WorkStatus.OUT_OF_SCOPE,
         ()),
        # Unknown age: in scope or not, the rules depend on it.
        ("sdg-8.7.1", {"age": None, "econ_any": False}, U, ("age",)),
        ("sdg-8.7.1", {"age": None, "econ_any": True, "econ_hours": 50}, U, ("age",)),
        (
            "sdg-8.7.1",
            {"age": None, "econ_any": True, "econ_hours": None},
            U,
            ("age", "econ_hours"),
        ),
    ],
)  # fmt: skip
def test_hand_worked(
    profile: str, record: dict[str, Any], status: WorkStatus, missing: tuple[str, ...]
) -> None:
    result = classify_child(record, profile)
    assert (result.status, result.missing) == (status, missing)
    assert result.undetermined is (status is U)
    assert result.values["undetermined"] is (status is U)
    if status is U:
        assert result.reasons == ()
        assert not result.child_labour
        assert result.values["permitted_work"] is False


def test_the_explanation_says_what_to_ask_again() -> None:
    result = classify_child({"age": 7, "econ_any": True, "econ_hours": None}, "sdg-8.7.1")
    texts = [finding.text for finding in result.findings]
    assert texts == [
        "economic activity was reported, but the hours are unknown: 1 h or more at age 7 "
        "would be child labour, fewer would not",
        "ask again: hours of economic activity",
    ]
    assert result.findings[-1].value == "econ_hours"
    assert result.to_dict()["missing"] == ["econ_hours"]
    assert result.to_dict()["status"] == "undetermined"


def test_an_unknown_age_is_explained() -> None:
    result = classify_child({"age": None, "econ_any": True, "econ_hours": None}, "sdg-8.7.1")
    assert result.explanation == (
        "The age is unknown: this profile classifies ages 5-17 and its thresholds depend on "
        "age. Ask again: the age, hours of economic activity."
    )
    assert result.values["in_scope"] is None


def test_partly_known_chores_are_explained() -> None:
    record = {"age": 10, "econ_any": False, "chores_any": True, "chores_hours": 20,
              "water_any": True, "water_hours": None}  # fmt: skip
    result = classify_child(record, "mics6-2017")
    assert (
        "20 h of household chores (fetching water and firewood included) are known and other "
        "hours are unknown: 28 h or more in all at ages 5-14" in result.explanation
    )


def test_a_file_still_needs_every_age() -> None:
    """Files and surveys keep refusing a missing age; one child may leave it unknown."""
    frame = pl.DataFrame({"age": [None, 12], "econ_any": [True, True], "econ_hours": [3.0, 3.0]},
                         schema_overrides={"age": pl.Int64})  # fmt: skip
    with pytest.raises(DataError, match="age is missing"):
        classify(frame, "sdg-8.7.1-econ")
    allowed = classify(frame, "sdg-8.7.1-econ", allow_unknown_age=True)
    assert allowed["work_status"].to_list() == ["undetermined", "permitted_work"]
    assert allowed["missing_values"].to_list() == ["age", None]


def test_the_bulk_engine_names_several_missing_values() -> None:
    frame = pl.DataFrame(
        {"age": [13, 13, 9], "econ_any": [True, True, False], "econ_hours": [None, 2.0, None],
         "chores_any": [True, True, True], "chores_hours": [None, None, 30.0]}
    )  # fmt: skip
    result = classify(frame, "sdg-8.7.1")
    assert result["work_status"].to_list() == ["undetermined", "undetermined", "child_labour"]
    assert result["missing_values"].to_list() == ["econ_hours;chores_hours", "chores_hours", None]
    assert result["permitted_work"].to_list() == [False, False, False]
    assert result["reason_hazardous_chores"].to_list() == [False, False, True]

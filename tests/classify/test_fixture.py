"""The engine against the hand-worked fixture (see tests/fixtures/classify/README.md)."""

from __future__ import annotations

import polars as pl
import pytest

from ipec.classify import REASON_COLUMNS, Reason, classify, reason_column
from tests.conftest import FIXTURES

_CHILDREN = FIXTURES / "classify" / "children.csv"
_EXPECTED = pl.read_csv(FIXTURES / "classify" / "expected.csv", infer_schema=False)


@pytest.mark.parametrize("profile_id", sorted(set(_EXPECTED["profile"])))
def test_fixture_matches_hand_worked_results(profile_id: str) -> None:
    children = pl.read_csv(_CHILDREN, infer_schema=False)
    result = classify(children, profile_id)
    expected = _EXPECTED.filter(pl.col("profile") == profile_id)
    assert result["id"].to_list() == expected["id"].to_list()
    for got, want in zip(result.iter_rows(named=True), expected.iter_rows(named=True), strict=True):
        fired = {reason.value for reason in Reason if got[reason_column(reason)]}
        wanted = set(filter(None, (want["reasons"] or "").split(";")))
        assert (got["id"], fired) == (want["id"], wanted)
        assert (got["id"], got["work_status"]) == (want["id"], want["work_status"])
        missing = (got["id"], got["missing_values"] or "")
        assert missing == (want["id"], want["missing_values"] or "")
        assert (got["id"], got["hazardous_work"]) == (want["id"], want["hazardous_work"] == "true")
        assert got["child_labour"] == bool(wanted)


def test_fixture_unknown_hours_flag() -> None:
    result = classify(pl.read_csv(_CHILDREN, infer_schema=False), "sdg-8.7.1")
    flagged = result.filter(pl.col("hours_unknown"))["id"].to_list()
    assert flagged == ["c04", "c09"]


def test_output_columns_are_complete() -> None:
    result = classify(pl.read_csv(_CHILDREN, infer_schema=False), "sdg-8.7.1")
    for column in (
        "in_scope",
        "in_economic_activity",
        "in_chores",
        "hours_unknown",
        *REASON_COLUMNS,
        "child_labour",
        "hazardous_work",
        "permitted_work",
        "undetermined",
        "missing_values",
        "work_status",
    ):
        assert column in result.columns

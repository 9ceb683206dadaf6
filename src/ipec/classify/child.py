"""Classify one child, with the reasons in plain language: the case worker's view.

It runs the very expressions the bulk engine runs, on a one-row frame, so a child met on a field
visit and the same child in a survey file always get the same verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from ipec.classify.engine import classify, resolve_profile
from ipec.classify.explain import Finding, explain_row
from ipec.classify.record import CHILD_FIELDS, OUTPUT_FIELDS, Reason, WorkStatus, reason_column
from ipec.errors import DataError
from ipec.standards.model import Profile

__all__ = ["ChildResult", "classify_child"]

_KNOWN = {field.name for field in CHILD_FIELDS}
_SCHEMA_KIND = {"age": pl.Float64, "flag": pl.Boolean, "hours": pl.Float64}
#: Activities a one-child record may leave out: they were not reported.
_NOT_REPORTED: dict[str, Any] = {
    "chores_any": False,
    "chores_hours": None,
    "water_any": False,
    "water_hours": None,
    "firewood_any": False,
    "firewood_hours": None,
}


@dataclass(frozen=True, slots=True)
class ChildResult:
    """The verdict for one child under one profile, with the findings behind it."""

    profile_id: str
    profile_version: str
    status: WorkStatus
    reasons: tuple[Reason, ...]
    findings: tuple[Finding, ...]
    values: Mapping[str, Any]

    @property
    def child_labour(self) -> bool:
        return self.status is WorkStatus.CHILD_LABOUR

    @property
    def hazardous_work(self) -> bool:
        return bool(self.values["hazardous_work"])

    @property
    def explanation(self) -> str:
        """All findings as sentences, fired rules first."""
        if not self.findings:
            return ""
        sentences = [finding.text[0].upper() + finding.text[1:] + "." for finding in self.findings]
        return " ".join(sentences)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (what a visit stores with its classification)."""
        return {
            "profile_id": self.profile_id,
            "profile_version": self.profile_version,
            "status": self.status.value,
            "reasons": [reason.value for reason in self.reasons],
            "explanation": self.explanation,
            "findings": [
                {
                    "reason": finding.reason.value if finding.reason else None,
                    "text": finding.text,
                    "threshold": finding.threshold,
                    "value": finding.value,
                }
                for finding in self.findings
            ],
            **{field.name: self.values[field.name] for field in OUTPUT_FIELDS},
        }


def _one_row_frame(record: Mapping[str, Any]) -> pl.DataFrame:
    unknown = sorted(set(record) - _KNOWN)
    if unknown:
        raise DataError(
            f"unknown field(s) {', '.join(unknown)}",
            hint="use the canonical child record fields (see ipec.classify.record)",
        )
    kinds = {field.name: field.kind for field in CHILD_FIELDS}
    filled = {**_NOT_REPORTED, **record}
    if filled.get("econ_any") is False:
        filled.setdefault("econ_hours", 0.0)
    columns: dict[str, pl.Series] = {}
    for name, value in filled.items():
        if value is None:
            columns[name] = pl.Series(name, [None], dtype=_SCHEMA_KIND.get(kinds[name], pl.String))
        elif isinstance(value, bool | int | float | str):
            columns[name] = pl.Series(name, [value])
        else:
            columns[name] = pl.Series(name, [str(value)], dtype=pl.String)
    return pl.DataFrame(columns)


def classify_child(record: Mapping[str, Any], profile: Profile | str) -> ChildResult:
    """Classify one child given as a mapping of canonical fields (``age``, ``econ_any``, ...).

    ``age``, ``econ_any`` and ``econ_hours`` are required (``econ_hours`` may be left out when
    ``econ_any`` is false: no work, no hours); chores, water and firewood left out were not
    reported; other optional fields left out were not measured.
    """
    rules = resolve_profile(profile)
    row = classify(_one_row_frame(record), rules, source="child record").row(0, named=True)
    reasons = tuple(reason for reason in Reason if row[reason_column(reason)])
    return ChildResult(
        profile_id=rules.id,
        profile_version=rules.version,
        status=WorkStatus(row["work_status"]),
        reasons=reasons,
        findings=tuple(explain_row(row, rules)),
        values=row,
    )

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
from ipec.classify.explain import ENGLISH, Finding, Wording, explain_row, sentences
from ipec.classify.record import (
    MISSING_SEPARATOR,
    OUTPUT_FIELDS,
    Reason,
    WorkStatus,
    child_fields,
    reason_column,
)
from ipec.errors import DataError
from ipec.standards.model import Profile

__all__ = ["ChildResult", "classify_child"]

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
    def undetermined(self) -> bool:
        """A value the verdict depends on is unknown: ask again for :attr:`missing`."""
        return self.status is WorkStatus.UNDETERMINED

    @property
    def missing(self) -> tuple[str, ...]:
        """The fields to ask again when undetermined (``age``, ``econ_hours``...), else ()."""
        text = self.values.get("missing_values")
        return tuple(text.split(MISSING_SEPARATOR)) if text else ()

    @property
    def explanation(self) -> str:
        """All findings as sentences, fired rules first (in English: what a visit stores)."""
        return sentences(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (what a visit stores with its classification)."""
        return {
            "profile_id": self.profile_id,
            "profile_version": self.profile_version,
            "status": self.status.value,
            "reasons": [reason.value for reason in self.reasons],
            "missing": list(self.missing),
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


def _one_row_frame(record: Mapping[str, Any], profile: Profile) -> pl.DataFrame:
    kinds = {field.name: field.kind for field in child_fields(profile)}
    unknown = sorted(set(record) - set(kinds))
    if unknown:
        national = ", ".join(item.column for item in profile.hazards.national)
        also = f", or the flags of profile {profile.id}'s national list ({national})"
        raise DataError(
            f"unknown field(s) {', '.join(unknown)}",
            hint="use the canonical child record fields (see ipec.classify.record)"
            + (also if national else ""),
        )
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


def classify_child(
    record: Mapping[str, Any], profile: Profile | str, wording: Wording = ENGLISH
) -> ChildResult:
    """Classify one child given as a mapping of canonical fields (``age``, ``econ_any``, ...).

    ``age``, ``econ_any`` and ``econ_hours`` are required (``econ_hours`` may be left out when
    ``econ_any`` is false: no work, no hours); chores, water and firewood left out were not
    reported; other optional fields left out were not measured. An age or hours given as None
    are unknown: when they could change the verdict, the status is ``undetermined`` and
    :attr:`ChildResult.missing` names them. The findings are said in ``wording``.

    >>> classify_child({"age": 7, "econ_any": True, "econ_hours": None}, "sdg-8.7.1").missing
    ('econ_hours',)
    """
    rules = resolve_profile(profile)
    frame = _one_row_frame(record, rules)
    row = classify(frame, rules, source="child record", allow_unknown_age=True).row(0, named=True)
    reasons = tuple(reason for reason in Reason if row[reason_column(reason)])
    return ChildResult(
        profile_id=rules.id,
        profile_version=rules.version,
        status=WorkStatus(row["work_status"]),
        reasons=reasons,
        findings=tuple(explain_row(row, rules, wording)),
        values=row,
    )

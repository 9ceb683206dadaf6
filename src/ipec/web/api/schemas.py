"""Request and response bodies of the JSON API (pydantic)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ipec.monitoring.workflow import Action

__all__ = ["CaseOut", "ChildOut", "RateOut", "TransitionIn", "VisitIn", "VisitOut"]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ChildOut(_Out):
    id: int
    pseudonym: str
    name: str
    sex: str
    birth_date: date
    household_id: int
    version: int


class VisitIn(BaseModel):
    """A visit: the canonical child record (age comes from the birth date)."""

    model_config = ConfigDict(extra="forbid")

    visit_date: date
    monitor: str = Field(min_length=1, max_length=100)
    consent: bool
    record: dict[str, Any]


class VisitOut(_Out):
    id: int
    child_id: int
    visit_date: date
    age: int
    status: str
    reasons: list[str]
    explanation: str
    child_labour: bool
    hazardous_work: bool
    profile_id: str
    profile_version: str


class CaseOut(_Out):
    id: int
    child_id: int
    status: str
    kind: str
    worst_forms: bool
    hazardous: bool
    opened_on: date
    closed_on: date | None
    version: int


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action
    version: int = Field(description="The case version the caller read (stale writes fail).")
    reason: str | None = Field(default=None, max_length=2000)


class RateOut(BaseModel):
    group: str
    numerator: int
    denominator: int
    value: float | None

"""Outcomes computed from a case's history, never typed in (MONITORING.md).

- withdrawn: in child labour at identification, received an education or training service,
  and not in child labour at the latest verification;
- protected: above the minimum age, in hazardous work at identification, not in hazardous work
  (nor child labour) at the latest verification;
- prevented: at risk at identification, received a qualifying service, not in child labour at
  the latest verification.
A child counts once: withdrawn before protected; prevented only for children at risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ipec.monitoring.models import CaseKind, ServiceType

__all__ = ["EDUCATION_SERVICES", "Outcome", "Verification", "outcome"]

EDUCATION_SERVICES = frozenset(
    {
        ServiceType.SCHOOL_ENROLMENT,
        ServiceType.SCHOOL_KIT,
        ServiceType.BRIDGING_CLASS,
        ServiceType.VOCATIONAL_TRAINING,
        ServiceType.APPRENTICESHIP,
    }
)


class Outcome(StrEnum):
    WITHDRAWN = "withdrawn"
    PROTECTED = "protected"
    PREVENTED = "prevented"


@dataclass(frozen=True, slots=True)
class Verification:
    """What one visit found."""

    day: date
    age: int
    child_labour: bool
    hazardous_work: bool


def outcome(
    kind: CaseKind,
    visits: Sequence[Verification],
    services: Sequence[ServiceType],
    minimum_age: int,
) -> Outcome | None:
    """The outcome of a case from its visits (first = identification) and services, if any."""
    if len(visits) < 2:
        return None
    ordered = sorted(visits, key=lambda visit: visit.day)
    first, latest = ordered[0], ordered[-1]
    if latest.child_labour:
        return None
    educated = any(service in EDUCATION_SERVICES for service in services)
    if kind is CaseKind.CHILD_LABOUR and first.child_labour and educated:
        return Outcome.WITHDRAWN
    if (
        kind is CaseKind.CHILD_LABOUR
        and first.hazardous_work
        and latest.age >= minimum_age
        and not latest.hazardous_work
    ):
        return Outcome.PROTECTED
    if kind is CaseKind.AT_RISK and not first.child_labour and services:
        return Outcome.PREVENTED
    return None

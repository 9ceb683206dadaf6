"""Outcomes computed from a case's history, never typed in (MONITORING.md); the rule is
written once, in SQL, by :mod:`ipec.monitoring.metrics.outcomes`.

- withdrawn: in child labour at identification, received an education or training service,
  and not in child labour at the latest verification;
- protected: above the minimum age, in hazardous work at identification, not in hazardous work
  (nor child labour) at the latest verification;
- prevented: at risk at identification, received a qualifying service, not in child labour at
  the latest verification.
A child counts once: withdrawn before protected; prevented only for children at risk.
"""

from __future__ import annotations

from enum import StrEnum

from ipec.monitoring.models import ServiceType

__all__ = ["EDUCATION_SERVICES", "Outcome"]

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
    """What a case achieved for its child (the lowest in this order wins for a child)."""

    WITHDRAWN = "withdrawn"
    PROTECTED = "protected"
    PREVENTED = "prevented"

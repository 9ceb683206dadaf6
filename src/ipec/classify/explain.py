"""Plain-language reasons for one classified child, for case workers and families.

The sentences are built from a row the vectorised engine already classified, so an explanation
can never disagree with the verdict: it only puts the fired rules, their thresholds and the
child's values into words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ipec.classify.record import Reason, reason_column
from ipec.standards.model import Operator, Profile, WaterFirewood

__all__ = ["Finding", "explain_row"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired (``reason`` set) or one fact that explains why none fired."""

    reason: Reason | None
    text: str
    threshold: str | None = None
    value: str | None = None


def _hours(value: float | None) -> str:
    if value is None:
        return "unknown hours"
    return f"{value:g} h"


def _verb(profile: Profile) -> str:
    return "reach" if profile.operator is Operator.AT_LEAST else "exceed"


def _below(profile: Profile) -> str:
    """How to say that hours miss a threshold under the profile's operator."""
    return "is below" if profile.operator is Operator.AT_LEAST else "does not exceed"


def _chores_label(profile: Profile) -> str:
    if profile.chores.water_firewood is WaterFirewood.CHORES:
        return "household chores (fetching water and firewood included)"
    return "household chores"


def _fired(row: Mapping[str, Any], profile: Profile) -> list[Finding]:
    ages, economic = profile.ages, profile.economic
    age = int(row["age"])
    hours = row["economic_hours"]
    verb = _verb(profile)
    findings: list[Finding] = []

    def fired(reason: Reason) -> bool:
        return bool(row[reason_column(reason)])

    if fired(Reason.BELOW_MIN_AGE):
        threshold = economic.below_light_work_hours
        if threshold == "any":
            text = (
                f"age {age} is below {ages.light_work}, the youngest age for light work, "
                "and any economic activity counts"
            )
            shown = "any"
        else:
            text = (
                f"age {age} is below {ages.light_work}, the youngest age for light work, and "
                f"{_hours(hours)} of economic activity {verb} the {threshold:g} h threshold"
            )
            shown = f"{threshold:g} h"
        findings.append(Finding(Reason.BELOW_MIN_AGE, text, shown, _hours(hours)))
    if fired(Reason.EXCEEDS_LIGHT_WORK_HOURS):
        limit = economic.light_work_max_hours
        assert limit is not None
        findings.append(
            Finding(
                Reason.EXCEEDS_LIGHT_WORK_HOURS,
                f"at age {age} only light work is allowed (ages {ages.light_work}-"
                f"{ages.minimum - 1}), and {_hours(hours)} of economic activity {verb} the "
                f"{limit:g} h light-work limit",
                f"{limit:g} h",
                _hours(hours),
            )
        )
    if fired(Reason.LONG_HOURS):
        limit = economic.long_hours
        assert limit is not None
        findings.append(
            Finding(
                Reason.LONG_HOURS,
                f"{_hours(hours)} of economic activity {verb} the {limit:g} h long-hours "
                f"threshold for children under {ages.hazardous}: hazardous work",
                f"{limit:g} h",
                _hours(hours),
            )
        )
    if fired(Reason.HAZ_INDUSTRY):
        listed = ", ".join(profile.hazards.industries)
        findings.append(
            Finding(
                Reason.HAZ_INDUSTRY,
                f"the work is in industry {row['isic']} (ISIC Rev.4), on the hazardous list "
                f"({listed}), under age {ages.hazardous}",
                listed,
                str(row["isic"]),
            )
        )
    if fired(Reason.HAZ_OCCUPATION):
        listed = ", ".join(profile.hazards.occupations)
        findings.append(
            Finding(
                Reason.HAZ_OCCUPATION,
                f"the occupation {row['isco']} (ISCO-08) is on the hazardous list ({listed}), "
                f"under age {ages.hazardous}",
                listed,
                str(row["isco"]),
            )
        )
    if fired(Reason.HAZ_CONDITIONS):
        present = [
            name.replace("_", " ")
            for name in profile.hazards.conditions
            if row.get(f"haz_{name}") is True
        ]
        findings.append(
            Finding(
                Reason.HAZ_CONDITIONS,
                f"the work exposes the child to {', '.join(present)}, hazardous conditions "
                f"under age {ages.hazardous}",
                "any listed condition",
                ", ".join(present),
            )
        )
    if fired(Reason.HAZARDOUS_CHORES):
        band = next(b for b in profile.chores.bands if b.ages.min <= age <= b.ages.max)
        chores = row["chores_hours_total"]
        findings.append(
            Finding(
                Reason.HAZARDOUS_CHORES,
                f"{_hours(chores)} of {_chores_label(profile)} {verb} the {band.hours:g} h "
                f"threshold for ages {band.ages.label()}",
                f"{band.hours:g} h",
                _hours(chores),
            )
        )
    if fired(Reason.WFCL_OTHER):
        findings.append(
            Finding(
                Reason.WFCL_OTHER,
                "a worst form of child labour other than hazardous work was recorded "
                "(ILO C182 Art. 3 a-c)",
            )
        )
    return findings


def _context(row: Mapping[str, Any], profile: Profile) -> list[Finding]:
    """Why no (further) rule fired: the child's values against the thresholds that apply."""
    ages, economic = profile.ages, profile.economic
    age = int(row["age"])
    hours = row["economic_hours"]
    notes: list[str] = []
    if not row["in_economic_activity"]:
        notes.append("no economic activity was reported")
    elif hours is None:
        notes.append(
            "economic activity was reported but its hours are unknown, so its hours "
            "thresholds could not be tested"
        )
    elif not row["child_labour"]:
        limit = economic.light_work_max_hours
        below = economic.below_light_work_hours
        if age < ages.light_work and below != "any":
            notes.append(
                f"{_hours(hours)} of economic activity at age {age} {_below(profile)} the "
                f"{below:g} h threshold"
            )
        elif age < ages.minimum and limit is not None:
            notes.append(
                f"{_hours(hours)} of economic activity at age {age} is light work "
                f"({_below(profile)} the {limit:g} h limit)"
            )
        else:
            notes.append(
                f"at age {age}, at or above the minimum age {ages.minimum}, "
                f"{_hours(hours)} of economic activity with no hazard recorded is permitted work"
            )
    excepted = (
        ages.hazardous_with_safeguards is not None
        and age >= ages.hazardous_with_safeguards
        and row.get("safeguards") is True
    )
    if excepted and row["in_economic_activity"]:
        notes.append(
            f"hazardous industries, occupations and conditions are allowed from age "
            f"{ages.hazardous_with_safeguards} under strict safeguards, which were recorded"
        )
    if (
        profile.chores.counted
        and row["in_chores"]
        and not row[reason_column(Reason.HAZARDOUS_CHORES)]
    ):
        chores = row["chores_hours_total"]
        band = next((b for b in profile.chores.bands if b.ages.min <= age <= b.ages.max), None)
        if band is None:
            notes.append(f"household chores are not counted at age {age}")
        elif chores is None:
            notes.append("household chores were reported but their hours are unknown")
        else:
            notes.append(
                f"{_hours(chores)} of {_chores_label(profile)} {_below(profile)} the "
                f"{band.hours:g} h threshold for ages {band.ages.label()}"
            )
    return [Finding(None, note) for note in notes]


def explain_row(row: Mapping[str, Any], profile: Profile) -> list[Finding]:
    """Findings for one classified row: the rules that fired, then the facts behind the rest."""
    if not row["in_scope"]:
        scope = profile.ages.scope
        return [
            Finding(
                None,
                f"age {row['age']} is outside the ages this profile classifies ({scope.label()})",
            )
        ]
    return _fired(row, profile) + _context(row, profile)

"""Plain-language reasons for one classified child, for case workers and families.

The sentences are built from a row the vectorised engine already classified, so an explanation
can never disagree with the verdict: it only puts the fired rules, their thresholds and the
child's values into words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ipec.classify.record import ACTIVITY_COLUMNS, MISSING_SEPARATOR, Reason, reason_column
from ipec.standards.model import NationalHazard, Operator, Profile, WaterFirewood

__all__ = ["ASK_AGAIN", "Finding", "explain_row"]

#: How to ask again for each field an undetermined status can miss.
ASK_AGAIN: dict[str, str] = {
    "age": "the age",
    "econ_hours": "hours of economic activity",
    "chores_hours": "hours of household chores",
    "water_hours": "hours fetching water",
    "firewood_hours": "hours collecting firewood",
}


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


def _safeguarded(row: Mapping[str, Any], item: NationalHazard, age: int) -> bool:
    """The list allows the task at this age under safeguards, and they were recorded."""
    start = item.safeguards_from
    return start is not None and age >= start and row.get("safeguards") is True


def _national_counted(row: Mapping[str, Any], item: NationalHazard, age: int) -> bool:
    """The task was recorded at an age the list forbids it (the rule's test, restated)."""
    return (
        row.get(item.column) is True
        and item.ages.min <= age <= item.ages.max
        and not _safeguarded(row, item, age)
    )


def _national_not_counted(row: Mapping[str, Any], profile: Profile) -> list[str]:
    """Why each national task recorded did not make the work hazardous."""
    recorded = [item for item in profile.hazards.national if row.get(item.column) is True]
    if row["age"] is None:
        return []
    age = int(row["age"])
    if recorded and not row["in_economic_activity"]:
        names = ", ".join(f'"{item.label.en}"' for item in recorded)
        verb = "was" if len(recorded) == 1 else "were"
        return [f"{names} {verb} recorded, but hazards count only with economic activity"]
    notes = []
    for item in recorded:
        if not item.ages.min <= age <= item.ages.max:
            notes.append(
                f'"{item.label.en}" ({item.source}) is hazardous work for ages '
                f"{item.ages.label()} only, not at age {age}"
            )
        elif _safeguarded(row, item, age):
            notes.append(
                f'"{item.label.en}" ({item.source}) is allowed from age {item.safeguards_from} '
                "under strict safeguards, which were recorded"
            )
    return notes


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
    if fired(Reason.HAZ_NATIONAL_LIST):
        for item in profile.hazards.national:
            if _national_counted(row, item, age):
                findings.append(
                    Finding(
                        Reason.HAZ_NATIONAL_LIST,
                        f'the work includes "{item.label.en}", on the national list of '
                        f"hazardous work for ages {item.ages.label()} ({item.source})",
                        f"ages {item.ages.label()}",
                        item.label.en,
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


def _missing(row: Mapping[str, Any]) -> list[str]:
    text = row.get("missing_values")
    return text.split(MISSING_SEPARATOR) if text else []


def _asks_for(row: Mapping[str, Any], activities: tuple[str, ...]) -> bool:
    """The status waits for the hours of one of these activities."""
    wanted = {ACTIVITY_COLUMNS[activity][1] for activity in activities}
    return bool(wanted & set(_missing(row)))


def _economic_activities(profile: Profile) -> tuple[str, ...]:
    if profile.chores.water_firewood is WaterFirewood.ECONOMIC:
        return ("econ", "water", "firewood")
    return ("econ",)


def _chores_activities(profile: Profile) -> tuple[str, ...]:
    if profile.chores.water_firewood is WaterFirewood.CHORES:
        return ("chores", "water", "firewood")
    return ("chores",)


def _economic_threshold(profile: Profile, age: int) -> float | None:
    """The fewest weekly hours of economic activity that are child labour at ``age``."""
    ages, economic = profile.ages, profile.economic
    below, limit, long_hours = (
        economic.below_light_work_hours,
        economic.light_work_max_hours,
        economic.long_hours,
    )
    found: list[float] = []
    if age < ages.light_work and below != "any":
        found.append(below)
    if ages.light_work <= age < ages.minimum and limit is not None:
        found.append(limit)
    if age < ages.hazardous and long_hours is not None:
        found.append(long_hours)
    return min(found, default=None)


def _open_hours(
    profile: Profile, known: float | None, what: tuple[str, str], threshold: float, where: str
) -> str:
    """Why unknown hours leave the status undetermined: the threshold they could reach.
    ``what`` is the activity and the verb of its report ("household chores", "were")."""
    if profile.operator is Operator.AT_LEAST:
        reach = f"{threshold:g} h or more"
    else:
        reach = f"more than {threshold:g} h"
    activity, verb = what
    if known is None:
        return (
            f"{activity} {verb} reported, but the hours are unknown: {reach} {where} would be "
            "child labour, fewer would not"
        )
    return (
        f"{_hours(known)} of {activity} are known and other hours are unknown: {reach} in all "
        f"{where} would be child labour, fewer would not"
    )


def _context(row: Mapping[str, Any], profile: Profile) -> list[Finding]:
    """Why no (further) rule fired: the child's values against the thresholds that apply."""
    ages, economic = profile.ages, profile.economic
    age = int(row["age"])
    hours = row["economic_hours"]
    notes: list[str] = []
    economic_threshold = _economic_threshold(profile, age)
    if not row["in_economic_activity"]:
        notes.append("no economic activity was reported")
    elif _asks_for(row, _economic_activities(profile)) and economic_threshold is not None:
        notes.append(
            _open_hours(
                profile, hours, ("economic activity", "was"), economic_threshold, f"at age {age}"
            )
        )
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
                f"{_hours(hours)} of economic activity with no hazard counted is permitted work"
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
    notes += _national_not_counted(row, profile)
    if (
        profile.chores.counted
        and row["in_chores"]
        and not row[reason_column(Reason.HAZARDOUS_CHORES)]
    ):
        chores = row["chores_hours_total"]
        band = next((b for b in profile.chores.bands if b.ages.min <= age <= b.ages.max), None)
        if band is None:
            notes.append(f"household chores are not counted at age {age}")
        elif _asks_for(row, _chores_activities(profile)):
            where = f"at ages {band.ages.label()}"
            what = (_chores_label(profile), "were")
            notes.append(_open_hours(profile, chores, what, band.hours, where))
        elif chores is None:
            notes.append("household chores were reported but their hours are unknown")
        else:
            notes.append(
                f"{_hours(chores)} of {_chores_label(profile)} {_below(profile)} the "
                f"{band.hours:g} h threshold for ages {band.ages.label()}"
            )
    return [Finding(None, note) for note in notes]


def _ask_again(row: Mapping[str, Any]) -> list[Finding]:
    """What an undetermined status waits for, as the question to ask again."""
    missing = _missing(row)
    if not missing:
        return []
    asked = ", ".join(ASK_AGAIN.get(name, name) for name in missing)
    return [Finding(None, f"ask again: {asked}", value=", ".join(missing))]


def explain_row(row: Mapping[str, Any], profile: Profile) -> list[Finding]:
    """Findings for one classified row: the rules that fired, then the facts behind the rest,
    then, when the status is undetermined, what to ask again."""
    if row["age"] is None:
        scope = profile.ages.scope
        unknown_age = Finding(
            None,
            f"the age is unknown: this profile classifies ages {scope.label()} and its "
            "thresholds depend on age",
        )
        return [unknown_age, *_ask_again(row)]
    if not row["in_scope"]:
        scope = profile.ages.scope
        return [
            Finding(
                None,
                f"age {row['age']} is outside the ages this profile classifies ({scope.label()})",
            )
        ]
    return _fired(row, profile) + _context(row, profile) + _ask_again(row)

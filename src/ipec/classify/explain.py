"""Plain-language reasons for one classified child, for case workers and families.

The sentences are built from a row the vectorised engine already classified, so an explanation
can never disagree with the verdict: it only puts the fired rules, their thresholds and the
child's values into words.

They are written in English and can be said in another language: each sentence is a template
passed through :attr:`Wording.gettext` (the pages give their catalog's, so the templates are
in the pages' message catalog) and national hazards are named in :attr:`Wording.language`.
A visit stores its explanation in English; the pages say it again in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ipec.classify.record import ACTIVITY_COLUMNS, MISSING_SEPARATOR, Reason, reason_column
from ipec.standards.model import NationalHazard, Operator, Profile, WaterFirewood

__all__ = ["ASK_AGAIN", "ENGLISH", "Finding", "Wording", "explain_row", "sentences"]


def _same(message: str) -> str:
    return message


def translatable(message: str) -> str:
    """Mark a sentence's template for the catalogs; :class:`_Say` translates it."""
    return message


@dataclass(frozen=True, slots=True)
class Wording:
    """The language an explanation is said in: its code and the translation of a template."""

    language: str = "en"
    gettext: Callable[[str], str] = _same


#: Explanations as stored with a visit and printed by the command line.
ENGLISH = Wording()

#: How to ask again for each field an undetermined status can miss.
ASK_AGAIN: dict[str, str] = {
    "age": translatable("the age"),
    "econ_hours": translatable("hours of economic activity"),
    "chores_hours": translatable("hours of household chores"),
    "water_hours": translatable("hours fetching water"),
    "firewood_hours": translatable("hours collecting firewood"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired (``reason`` set) or one fact that explains why none fired."""

    reason: Reason | None
    text: str
    threshold: str | None = None
    value: str | None = None


def sentences(findings: Sequence[Finding]) -> str:
    """The findings as sentences, each capitalised and ended with a full stop."""
    return " ".join(finding.text[0].upper() + finding.text[1:] + "." for finding in findings)


class _Say:
    """Sentences in one wording: ``say(template, **values)`` translates, then fills in."""

    def __init__(self, wording: Wording, profile: Profile) -> None:
        self.wording = wording
        self.profile = profile
        self.at_least = profile.operator is Operator.AT_LEAST

    def __call__(self, template: str, **values: Any) -> str:
        return self.wording.gettext(template).format(**values)

    def hours(self, value: float | None) -> str:
        if value is None:
            return self.wording.gettext(translatable("unknown hours"))
        return f"{value:g} h"

    def label(self, item: NationalHazard) -> str:
        return item.label.text(self.wording.language)

    def chores(self) -> str:
        if self.profile.chores.water_firewood is WaterFirewood.CHORES:
            return self.wording.gettext(
                translatable("household chores (fetching water and firewood included)")
            )
        return self.wording.gettext(translatable("household chores"))


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


def _national_not_counted(row: Mapping[str, Any], say: _Say) -> list[str]:
    """Why each national task recorded did not make the work hazardous."""
    recorded = [item for item in say.profile.hazards.national if row.get(item.column) is True]
    if row["age"] is None:
        return []
    age = int(row["age"])
    if recorded and not row["in_economic_activity"]:
        names = ", ".join(f'"{say.label(item)}"' for item in recorded)
        if len(recorded) == 1:
            return [say("{names} was recorded, but hazards count only with economic activity",
                        names=names)]  # fmt: skip
        return [say("{names} were recorded, but hazards count only with economic activity",
                    names=names)]  # fmt: skip
    notes = []
    for item in recorded:
        if not item.ages.min <= age <= item.ages.max:
            notes.append(say(
                '"{task}" ({source}) is hazardous work for ages {ages} only, not at age {age}',
                task=say.label(item), source=item.source, ages=item.ages.label(), age=age,
            ))  # fmt: skip
        elif _safeguarded(row, item, age):
            notes.append(say(
                '"{task}" ({source}) is allowed from age {start} under strict safeguards, '
                "which were recorded",
                task=say.label(item), source=item.source, start=item.safeguards_from,
            ))  # fmt: skip
    return notes


def _fired(row: Mapping[str, Any], say: _Say) -> list[Finding]:
    profile = say.profile
    ages, economic = profile.ages, profile.economic
    age = int(row["age"])
    hours = row["economic_hours"]
    findings: list[Finding] = []

    def fired(reason: Reason) -> bool:
        return bool(row[reason_column(reason)])

    def add(reason: Reason, text: str, threshold: str | None, value: str | None) -> None:
        findings.append(Finding(reason, text, threshold, value))

    if fired(Reason.BELOW_MIN_AGE):
        threshold = economic.below_light_work_hours
        if threshold == "any":
            add(Reason.BELOW_MIN_AGE, say(
                "age {age} is below {light}, the youngest age for light work, and any economic "
                "activity counts", age=age, light=ages.light_work,
            ), "any", say.hours(hours))  # fmt: skip
        else:
            template = (
                translatable(
                    "age {age} is below {light}, the youngest age for light work, and {hours} of "
                    "economic activity reach the {limit} h threshold"
                )
                if say.at_least
                else translatable(
                    "age {age} is below {light}, the youngest age for light work, and {hours} of "
                    "economic activity exceed the {limit} h threshold"
                )
            )
            add(Reason.BELOW_MIN_AGE, say(template, age=age, light=ages.light_work,
                hours=say.hours(hours), limit=f"{threshold:g}"),
                f"{threshold:g} h", say.hours(hours))  # fmt: skip
    if fired(Reason.EXCEEDS_LIGHT_WORK_HOURS):
        limit = economic.light_work_max_hours
        assert limit is not None
        template = (
            translatable(
                "at age {age} only light work is allowed (ages {light}-{last}), and {hours} of "
                "economic activity reach the {limit} h light-work limit"
            )
            if say.at_least
            else translatable(
                "at age {age} only light work is allowed (ages {light}-{last}), and {hours} of "
                "economic activity exceed the {limit} h light-work limit"
            )
        )
        add(Reason.EXCEEDS_LIGHT_WORK_HOURS, say(template, age=age, light=ages.light_work,
            last=ages.minimum - 1, hours=say.hours(hours), limit=f"{limit:g}"),
            f"{limit:g} h", say.hours(hours))  # fmt: skip
    if fired(Reason.LONG_HOURS):
        limit = economic.long_hours
        assert limit is not None
        template = (
            translatable(
                "{hours} of economic activity reach the {limit} h long-hours threshold for "
                "children under {hazardous}: hazardous work"
            )
            if say.at_least
            else translatable(
                "{hours} of economic activity exceed the {limit} h long-hours threshold for "
                "children under {hazardous}: hazardous work"
            )
        )
        add(Reason.LONG_HOURS, say(template, hours=say.hours(hours), limit=f"{limit:g}",
            hazardous=ages.hazardous), f"{limit:g} h", say.hours(hours))  # fmt: skip
    if fired(Reason.HAZ_INDUSTRY):
        listed = ", ".join(profile.hazards.industries)
        add(Reason.HAZ_INDUSTRY, say(
            "the work is in industry {code} (ISIC Rev.4), on the hazardous list ({listed}), "
            "under age {hazardous}", code=row["isic"], listed=listed, hazardous=ages.hazardous,
        ), listed, str(row["isic"]))  # fmt: skip
    if fired(Reason.HAZ_OCCUPATION):
        listed = ", ".join(profile.hazards.occupations)
        add(Reason.HAZ_OCCUPATION, say(
            "the occupation {code} (ISCO-08) is on the hazardous list ({listed}), under age "
            "{hazardous}", code=row["isco"], listed=listed, hazardous=ages.hazardous,
        ), listed, str(row["isco"]))  # fmt: skip
    if fired(Reason.HAZ_CONDITIONS):
        present = ", ".join(
            say(CONDITIONS.get(name, name.replace("_", " ")))
            for name in profile.hazards.conditions
            if row.get(f"haz_{name}") is True
        )
        add(Reason.HAZ_CONDITIONS, say(
            "the work exposes the child to {present}, hazardous conditions under age "
            "{hazardous}", present=present, hazardous=ages.hazardous,
        ), say("any listed condition"), present)  # fmt: skip
    if fired(Reason.HAZ_NATIONAL_LIST):
        for item in profile.hazards.national:
            if _national_counted(row, item, age):
                add(Reason.HAZ_NATIONAL_LIST, say(
                    'the work includes "{task}", on the national list of hazardous work for '
                    "ages {ages} ({source})",
                    task=say.label(item), ages=item.ages.label(), source=item.source,
                ), say("ages {ages}", ages=item.ages.label()), say.label(item))  # fmt: skip
    if fired(Reason.HAZARDOUS_CHORES):
        band = next(b for b in profile.chores.bands if b.ages.min <= age <= b.ages.max)
        chores = row["chores_hours_total"]
        template = (
            translatable("{hours} of {chores} reach the {limit} h threshold for ages {ages}")
            if say.at_least
            else translatable("{hours} of {chores} exceed the {limit} h threshold for ages {ages}")
        )
        add(Reason.HAZARDOUS_CHORES, say(template, hours=say.hours(chores), chores=say.chores(),
            limit=f"{band.hours:g}", ages=band.ages.label()),
            f"{band.hours:g} h", say.hours(chores))  # fmt: skip
    if fired(Reason.WFCL_OTHER):
        add(Reason.WFCL_OTHER, say(
            "a worst form of child labour other than hazardous work was recorded "
            "(ILO C182 Art. 3 a-c)"
        ), None, None)  # fmt: skip
    return findings


#: The hazardous conditions of the profiles' vocabulary as sentences name them (their names,
#: spelt out here so that the catalogs hold them).
CONDITIONS: dict[str, str] = {
    "heavy_loads": translatable("heavy loads"),
    "dangerous_tools": translatable("dangerous tools"),
    "dust_fumes": translatable("dust fumes"),
    "extreme_temperature": translatable("extreme temperature"),
    "noise_vibration": translatable("noise vibration"),
    "heights": translatable("heights"),
    "chemicals": translatable("chemicals"),
    "other": translatable("other"),
    "night_work": translatable("night work"),
    "abuse": translatable("abuse"),
    "underground_confined": translatable("underground confined"),
}


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


def _open_hours(say: _Say, known: float | None, unknown: str, activity: str, *,
                threshold: float, ages: str) -> str:  # fmt: skip
    """Why unknown hours leave the status undetermined: the threshold they could reach at
    ``ages`` (an age or a band, as words). ``unknown`` is the sentence's template when no hours
    are known; ``activity`` names the activity otherwise."""
    if say.at_least:
        reach = say("{limit} h or more", limit=f"{threshold:g}")
    else:
        reach = say("more than {limit} h", limit=f"{threshold:g}")
    if known is None:
        return say(unknown, activity=activity, reach=reach, ages=ages)
    return say(
        "{hours} of {activity} are known and other hours are unknown: {reach} in all {ages} "
        "would be child labour, fewer would not",
        hours=say.hours(known), activity=activity, reach=reach, ages=ages,
    )  # fmt: skip


def _economic_context(row: Mapping[str, Any], say: _Say) -> list[str]:
    """Why the economic activity did not (further) count, or could not be judged."""
    profile = say.profile
    ages, economic = profile.ages, profile.economic
    age = int(row["age"])
    hours = row["economic_hours"]
    threshold = _economic_threshold(profile, age)
    if not row["in_economic_activity"]:
        return [say("no economic activity was reported")]
    if _asks_for(row, _economic_activities(profile)) and threshold is not None:
        at_age = say("at age {age}", age=age)
        unknown = translatable(
            "economic activity was reported, but the hours are unknown: {reach} {ages} would "
            "be child labour, fewer would not"
        )
        return [
            _open_hours(
                say, hours, unknown, say("economic activity"), threshold=threshold, ages=at_age
            )
        ]
    if hours is None:
        return [say("economic activity was reported but its hours are unknown, so its hours "
                    "thresholds could not be tested")]  # fmt: skip
    if row["child_labour"]:
        return []
    limit, below = economic.light_work_max_hours, economic.below_light_work_hours
    if age < ages.light_work and below != "any":
        template = (
            translatable(
                "{hours} of economic activity at age {age} is below the {limit} h threshold"
            )
            if say.at_least
            else translatable(
                "{hours} of economic activity at age {age} does not exceed the {limit} h threshold"
            )
        )
        return [say(template, hours=say.hours(hours), age=age, limit=f"{below:g}")]
    if age < ages.minimum and limit is not None:
        template = (
            translatable(
                "{hours} of economic activity at age {age} is light work (is below the {limit} h "
                "limit)"
            )
            if say.at_least
            else translatable(
                "{hours} of economic activity at age {age} is light work (does not exceed the "
                "{limit} h limit)"
            )
        )
        return [say(template, hours=say.hours(hours), age=age, limit=f"{limit:g}")]
    return [say(
        "at age {age}, at or above the minimum age {minimum}, {hours} of economic activity "
        "with no hazard counted is permitted work",
        age=age, minimum=ages.minimum, hours=say.hours(hours),
    )]  # fmt: skip


def _chores_context(row: Mapping[str, Any], say: _Say) -> list[str]:
    """Why the household chores did not count, or could not be judged."""
    profile = say.profile
    if not (profile.chores.counted and row["in_chores"]):
        return []
    if row[reason_column(Reason.HAZARDOUS_CHORES)]:
        return []
    age = int(row["age"])
    chores = row["chores_hours_total"]
    band = next((b for b in profile.chores.bands if b.ages.min <= age <= b.ages.max), None)
    if band is None:
        return [say("household chores are not counted at age {age}", age=age)]
    if _asks_for(row, _chores_activities(profile)):
        at_ages = say("at ages {ages}", ages=band.ages.label())
        unknown = translatable(
            "{activity} were reported, but the hours are unknown: {reach} {ages} would be "
            "child labour, fewer would not"
        )
        return [_open_hours(say, chores, unknown, say.chores(), threshold=band.hours, ages=at_ages)]
    if chores is None:
        return [say("household chores were reported but their hours are unknown")]
    template = (
        translatable("{hours} of {chores} is below the {limit} h threshold for ages {ages}")
        if say.at_least
        else translatable(
            "{hours} of {chores} does not exceed the {limit} h threshold for ages {ages}"
        )
    )
    return [say(template, hours=say.hours(chores), chores=say.chores(),
                limit=f"{band.hours:g}", ages=band.ages.label())]  # fmt: skip


def _context(row: Mapping[str, Any], say: _Say) -> list[Finding]:
    """Why no (further) rule fired: the child's values against the thresholds that apply."""
    ages = say.profile.ages
    age = int(row["age"])
    notes = _economic_context(row, say)
    excepted = (
        ages.hazardous_with_safeguards is not None
        and age >= ages.hazardous_with_safeguards
        and row.get("safeguards") is True
    )
    if excepted and row["in_economic_activity"]:
        notes.append(say(
            "hazardous industries, occupations and conditions are allowed from age {start} "
            "under strict safeguards, which were recorded", start=ages.hazardous_with_safeguards,
        ))  # fmt: skip
    notes += _national_not_counted(row, say)
    notes += _chores_context(row, say)
    return [Finding(None, note) for note in notes]


def _ask_again(row: Mapping[str, Any], say: _Say) -> list[Finding]:
    """What an undetermined status waits for, as the question to ask again."""
    missing = _missing(row)
    if not missing:
        return []
    asked = ", ".join(say(ASK_AGAIN[name]) if name in ASK_AGAIN else name for name in missing)
    return [Finding(None, say("ask again: {asked}", asked=asked), value=", ".join(missing))]


def explain_row(
    row: Mapping[str, Any], profile: Profile, wording: Wording = ENGLISH
) -> list[Finding]:
    """Findings for one classified row: the rules that fired, then the facts behind the rest,
    then, when the status is undetermined, what to ask again; said in ``wording``."""
    say = _Say(wording, profile)
    scope = profile.ages.scope.label()
    if row["age"] is None:
        unknown_age = Finding(None, say(
            "the age is unknown: this profile classifies ages {scope} and its thresholds "
            "depend on age", scope=scope,
        ))  # fmt: skip
        return [unknown_age, *_ask_again(row, say)]
    if not row["in_scope"]:
        return [Finding(None, say(
            "age {age} is outside the ages this profile classifies ({scope})",
            age=row["age"], scope=scope,
        ))]  # fmt: skip
    return _fired(row, say) + _context(row, say) + _ask_again(row, say)

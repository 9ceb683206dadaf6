"""The visit form: the questions the programme's profile needs, read into the canonical child
record that ``ipec.classify`` classifies (the same record the API takes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ipec.standards import Profile
from ipec.standards.model import WaterFirewood
from ipec.web.pages.forms import FormState, Say, read_date, read_whole
from ipec.web.pages.i18n import translatable

__all__ = ["Question", "VisitAnswers", "questions", "read_record", "read_visit"]

#: Hours lie within a week.
_WEEK_HOURS = 168.0
#: School days counted over a term or a year at most.
_SCHOOL_DAYS = 366


@dataclass(frozen=True, slots=True)
class Question:
    """One field of the canonical record as the form asks it.

    ``label`` is a message of the catalogs, translated where it is shown, unless ``literal``:
    then it is a profile's own wording, already in the page's language.
    """

    name: str
    kind: Literal["flag", "hours", "code"]
    label: str
    literal: bool = False


_ACTIVITIES = {
    "econ": (
        translatable("Did any economic activity last week (paid work, family farm or business)"),
        translatable("Hours of economic activity last week"),
    ),
    "chores": (
        translatable("Did household chores last week"),
        translatable("Hours of household chores last week"),
    ),
    "water": (
        translatable("Fetched water for the household last week"),
        translatable("Hours fetching water last week"),
    ),
    "firewood": (
        translatable("Collected firewood last week"),
        translatable("Hours collecting firewood last week"),
    ),
}
_HAZARDS = {
    "heavy_loads": translatable("Carries heavy loads"),
    "dangerous_tools": translatable("Works with dangerous tools or machines"),
    "dust_fumes": translatable("Exposed to dust, fumes or gas"),
    "extreme_temperature": translatable("Exposed to extreme cold, heat or humidity"),
    "noise_vibration": translatable("Exposed to loud noise or vibration"),
    "heights": translatable("Works at heights"),
    "chemicals": translatable("Works with chemicals (pesticides, glues...)"),
    "other": translatable("Other hazardous conditions"),
    "night_work": translatable("Works at night"),
    "abuse": translatable("Suffers abuse at work"),
    "underground_confined": translatable("Works underground or in confined spaces"),
}


def questions(profile: Profile, language: str = "en") -> list[Question]:
    """The questions the profile's rules read; a field no rule reads is not asked.

    The tasks of the profile's national list are asked in its own words, in ``language``
    (English where the profile gives none).
    """
    activities = ["econ"]
    if profile.chores.counted:
        activities.append("chores")
    water = profile.chores.water_firewood
    if water is WaterFirewood.ECONOMIC or (
        profile.chores.counted and water is not WaterFirewood.IGNORED
    ):
        activities += ["water", "firewood"]
    asked: list[Question] = []
    for activity in activities:
        did, hours = _ACTIVITIES[activity]
        asked += [
            Question(f"{activity}_any", "flag", did),
            Question(f"{activity}_hours", "hours", hours),
        ]
    asked += [
        Question(f"haz_{name}", "flag", _HAZARDS[name]) for name in profile.hazards.conditions
    ]
    asked += [
        Question(item.column, "flag", item.label.text(language), literal=True)
        for item in profile.hazards.national
    ]
    if profile.hazards.industries:
        asked.append(
            Question("isic", "code", translatable("Industry of the main work (ISIC code)"))
        )
    if profile.hazards.occupations:
        asked.append(Question("isco", "code", translatable("Occupation (ISCO-08 code)")))
    if profile.hazards.worst_forms_other:
        label = translatable("Forced, trafficked, or used in crime or sexual exploitation")
        asked.append(Question("wfcl_other", "flag", label))
    safeguarded = any(item.safeguards_from is not None for item in profile.hazards.national)
    if profile.ages.hazardous_with_safeguards is not None or safeguarded:
        label = translatable("Hazardous work done under strict safeguards and training")
        asked.append(Question("safeguards", "flag", label))
    return asked


@dataclass(frozen=True, slots=True)
class VisitAnswers:
    """A visit form read: what the API's visit body holds (the record without the age)."""

    visit_date: date
    consent: bool
    record: dict[str, Any]
    school_days_attended: int | None
    school_days_open: int | None
    follow_up_id: int | None


def read_record(state: FormState, asked: list[Question], say: Say) -> dict[str, Any]:
    """The canonical record; hours given for an activity not ticked are refused."""
    record: dict[str, Any] = {}
    for question in asked:
        text = state.typed.get(question.name, "").strip()
        if question.kind == "flag":
            record[question.name] = question.name in state.typed
        elif question.kind == "code":
            record[question.name] = text or None
        elif not text:
            record[question.name] = None
        else:
            try:
                hours = float(text)
            except ValueError:
                hours = -1.0
            if not 0 <= hours <= _WEEK_HOURS:
                state.errors[question.name] = say(translatable("Enter hours from 0 to 168."))
            elif not state.typed.get(question.name.replace("_hours", "_any")):
                message = translatable("Tick the activity above, or leave the hours empty.")
                state.errors[question.name] = say(message)
            else:
                record[question.name] = hours
    return record


def read_visit(
    state: FormState,
    asked: list[Question],
    say: Say,
    *,
    born: date,
    today: date,
    follow_ups: set[int],
) -> VisitAnswers | None:
    """The visit the form describes, or None with messages beside the wrong fields."""
    visit_date = read_date(state, "visit_date", say, earliest=born, latest=today)
    record = read_record(state, asked, say)
    attended = read_whole(state, "school_days_attended", say, high=_SCHOOL_DAYS)
    days_open = read_whole(state, "school_days_open", say, high=_SCHOOL_DAYS)
    if not state.errors.keys() & {"school_days_attended", "school_days_open"}:
        if (attended is None) != (days_open is None):
            missing = "school_days_open" if days_open is None else "school_days_attended"
            state.errors[missing] = say(translatable("Give both school counts, or neither."))
        elif attended is not None and days_open is not None and attended > days_open:
            message = translatable("More days attended than the school was open.")
            state.errors["school_days_attended"] = say(message)
    chosen = state.typed.get("follow_up_id", "")
    follow_up = int(chosen) if chosen.isdigit() else None
    if chosen and follow_up not in follow_ups:
        state.errors["follow_up_id"] = say(translatable("Choose one of this child's follow-ups."))
    if state.errors or visit_date is None:
        return None
    return VisitAnswers(visit_date=visit_date, consent="consent" in state.typed,
                        record=record, school_days_attended=attended,
                        school_days_open=days_open, follow_up_id=follow_up)  # fmt: skip

"""The canonical child record: the one place that says what ``ipec.classify`` reads and writes.

Surveys (through a variable map), field visits and spreadsheets all become this record, one row
per child, so that one rules engine serves them all.

Input columns
-------------
Required: ``age`` (whole years), ``econ_any`` (any economic activity in the reference week) and
``econ_hours`` (its weekly hours). Everything else is optional; an absent column means "not
measured". Flags accept booleans, 0/1, or the words true/false, yes/no; an empty flag means "not
reported" and counts as no. Empty hours mean unknown: the child stays in every denominator but is
counted neither below nor at or above a threshold. Hours lie between 0 and 168 (a week).
A profile that counts household chores needs ``chores_any`` and ``chores_hours``.

A profile with a national hazardous-work list adds one flag per task, ``haz_<code>``
(:func:`child_fields`), read like the built-in hazardous conditions.

Output columns
--------------
Every input column is kept; :data:`OUTPUT_FIELDS` are added (replacing any of the same name).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from ipec.standards.codes import HAZARD_CONDITIONS
from ipec.standards.model import Profile

__all__ = [
    "ACTIVITY_COLUMNS",
    "CHILD_FIELDS",
    "HAZARDOUS_REASONS",
    "HAZARD_COLUMNS",
    "MISSING_SEPARATOR",
    "OUTPUT_FIELDS",
    "REASON_COLUMNS",
    "REQUIRED_COLUMNS",
    "Field",
    "Reason",
    "WorkStatus",
    "child_fields",
    "hazard_columns",
    "reason_column",
]

Kind = Literal["age", "flag", "hours", "code", "text"]


@dataclass(frozen=True, slots=True)
class Field:
    """One column of the canonical child record."""

    name: str
    kind: Kind
    required: bool
    description: str


class Reason(StrEnum):
    """Why a child's work is child labour (METHODOLOGY section 2)."""

    BELOW_MIN_AGE = "BELOW_MIN_AGE"
    EXCEEDS_LIGHT_WORK_HOURS = "EXCEEDS_LIGHT_WORK_HOURS"
    LONG_HOURS = "LONG_HOURS"
    HAZ_INDUSTRY = "HAZ_INDUSTRY"
    HAZ_OCCUPATION = "HAZ_OCCUPATION"
    HAZ_CONDITIONS = "HAZ_CONDITIONS"
    HAZ_NATIONAL_LIST = "HAZ_NATIONAL_LIST"
    HAZARDOUS_CHORES = "HAZARDOUS_CHORES"
    WFCL_OTHER = "WFCL_OTHER"


#: Reasons that make work hazardous work (as opposed to work below age or long chores).
HAZARDOUS_REASONS: tuple[Reason, ...] = (
    Reason.LONG_HOURS,
    Reason.HAZ_INDUSTRY,
    Reason.HAZ_OCCUPATION,
    Reason.HAZ_CONDITIONS,
    Reason.HAZ_NATIONAL_LIST,
)


class WorkStatus(StrEnum):
    """The one status of each child: in scope children are exactly one of the first four.

    ``undetermined``: a value the verdict depends on is unknown (the hours of a reported
    activity, or the age) and some value of it would give another status; the known values
    establish no child labour. ``missing_values`` names what to ask again.
    """

    NOT_WORKING = "not_working"
    PERMITTED_WORK = "permitted_work"
    CHILD_LABOUR = "child_labour"
    UNDETERMINED = "undetermined"
    OUT_OF_SCOPE = "out_of_scope"


#: Between the field names of ``missing_values`` (``econ_hours;chores_hours``).
MISSING_SEPARATOR = ";"


def reason_column(reason: Reason) -> str:
    """Output column of a reason code: ``reason_below_min_age`` and so on."""
    return f"reason_{reason.value.lower()}"


HAZARD_COLUMNS: tuple[str, ...] = tuple(f"haz_{name}" for name in HAZARD_CONDITIONS)
ACTIVITY_COLUMNS: dict[str, tuple[str, str]] = {
    "econ": ("econ_any", "econ_hours"),
    "chores": ("chores_any", "chores_hours"),
    "water": ("water_any", "water_hours"),
    "firewood": ("firewood_any", "firewood_hours"),
}
REQUIRED_COLUMNS: tuple[str, ...] = ("age", "econ_any", "econ_hours")
REASON_COLUMNS: tuple[str, ...] = tuple(reason_column(reason) for reason in Reason)

CHILD_FIELDS: tuple[Field, ...] = (
    Field("age", "age", True, "Age in completed years."),
    Field("sex", "text", False, "Sex as recorded (kept, not used by the rules)."),
    Field("econ_any", "flag", True, "Any economic activity in the reference week."),
    Field("econ_hours", "hours", True, "Weekly hours of economic activity; empty = unknown."),
    Field("chores_any", "flag", False, "Any household chores (unpaid household services)."),
    Field("chores_hours", "hours", False, "Weekly hours of household chores."),
    Field("water_any", "flag", False, "Fetched water for household use."),
    Field("water_hours", "hours", False, "Weekly hours fetching water."),
    Field("firewood_any", "flag", False, "Collected firewood for household use."),
    Field("firewood_hours", "hours", False, "Weekly hours collecting firewood."),
    *(
        Field(column, "flag", False, f"Work exposes the child to: {column[4:].replace('_', ' ')}.")
        for column in HAZARD_COLUMNS
    ),
    Field("isic", "code", False, "Industry of the main work, ISIC Rev.4 (section or code)."),
    Field("isco", "code", False, "Occupation of the main work, ISCO-08 code."),
    Field("wfcl_other", "flag", False, "A worst form other than hazardous work (C182 3 a-c)."),
    Field("safeguards", "flag", False, "Hazardous work under strict safeguards (C138 Art. 3.3)."),
)

OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("in_scope", "flag", True, "Age within the profile's scope (5-17 for shipped ones)."),
    Field("in_economic_activity", "flag", True, "Economic activity counted by the profile."),
    Field("in_chores", "flag", True, "Household chores counted by the profile."),
    Field(
        "economic_hours",
        "hours",
        True,
        "Weekly economic hours the rules compared; empty = unknown.",
    ),
    Field("chores_hours_total", "hours", True, "Weekly chores hours compared; empty = unknown."),
    Field("hours_unknown", "flag", True, "Some reported activity has unknown hours."),
    *(Field(reason_column(r), "flag", True, f"Reason {r.value} fired.") for r in Reason),
    Field("child_labour", "flag", True, "In child labour under the profile."),
    Field(
        "hazardous_work",
        "flag",
        True,
        "In hazardous work (long hours, industry, occupation, conditions, national list).",
    ),
    Field(
        "permitted_work",
        "flag",
        True,
        "Working, not in child labour, and no unknown value could make it child labour.",
    ),
    Field(
        "undetermined",
        "flag",
        True,
        "Some value the verdict depends on is unknown and could change it (no child labour "
        "is established by the known values).",
    ),
    Field(
        "missing_values",
        "text",
        True,
        "When undetermined: the fields to ask again, separated by ';' (empty otherwise).",
    ),
    Field(
        "work_status",
        "text",
        True,
        "not_working, permitted_work, child_labour, undetermined or out_of_scope.",
    ),
)


def hazard_columns(profile: Profile) -> tuple[str, ...]:
    """Every hazard flag a record may carry under ``profile``: the R190 vocabulary, then one
    flag per task of the profile's national list."""
    return (*HAZARD_COLUMNS, *(item.column for item in profile.hazards.national))


def child_fields(profile: Profile) -> tuple[Field, ...]:
    """The canonical record under ``profile``: :data:`CHILD_FIELDS` and a flag per national
    task, so that the tasks are checked and coerced like the built-in conditions."""
    national = tuple(
        Field(item.column, "flag", False, f"Work includes: {item.label.en} ({item.source}).")
        for item in profile.hazards.national
    )
    return (*CHILD_FIELDS, *national)

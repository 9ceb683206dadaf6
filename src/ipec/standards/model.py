"""The Profile model: every choice a child labour standard makes, as validated data.

A profile holds no logic beyond validation. ``ipec.classify`` reads it to build its rules, so
the same profile gives the same answer for a survey of millions and for one field visit.
"""

from __future__ import annotations

import itertools
import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ipec.standards.codes import HAZARD_CONDITIONS, is_isco08_code, is_isic4_code

__all__ = [
    "AgeBand",
    "Ages",
    "Chores",
    "ChoresBand",
    "Economic",
    "Hazards",
    "Label",
    "NationalHazard",
    "Operator",
    "Profile",
    "WaterFirewood",
]

Hours = Annotated[float, Field(ge=0, le=168)]
_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
Age = Annotated[int, Field(ge=0, le=25)]


class Operator(StrEnum):
    """How a child's hours are compared with a threshold."""

    AT_LEAST = ">="
    MORE_THAN = ">"


class WaterFirewood(StrEnum):
    """Where fetching water and collecting firewood are counted."""

    CHORES = "chores"
    ECONOMIC = "economic"
    IGNORED = "ignored"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeBand(_Strict):
    """An inclusive age range, such as 5-14."""

    min: Age
    max: Age

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min age {self.min} is above max age {self.max}")
        return self

    def label(self) -> str:
        return f"{self.min}-{self.max}"


class Ages(_Strict):
    """The ages that matter in law (ILO C138) and the population in scope."""

    scope: AgeBand = Field(description="Children classified at all; others are out of scope.")
    light_work: Age = Field(description="Youngest age at which light work is permitted.")
    minimum: Age = Field(description="General minimum age for admission to work.")
    hazardous: Age = Field(description="Minimum age for hazardous work.")
    hazardous_with_safeguards: Age | None = Field(
        default=None,
        description="C138 Art. 3(3): age from which hazardous work is allowed under strict "
        "safeguards (the child's `safeguards` flag); absent when the law has no such exception.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.light_work <= self.minimum <= self.hazardous:
            raise ValueError(
                f"ages must satisfy light_work <= minimum <= hazardous, got "
                f"{self.light_work}, {self.minimum}, {self.hazardous}"
            )
        exception = self.hazardous_with_safeguards
        if exception is not None and not self.minimum <= exception < self.hazardous:
            raise ValueError(
                f"hazardous_with_safeguards {exception} must lie between the minimum age "
                f"{self.minimum} and the hazardous-work age {self.hazardous}"
            )
        return self


class Economic(_Strict):
    """Hour thresholds for economic activity in the reference week."""

    below_light_work_hours: Hours | Literal["any"] = Field(
        description="Below the light-work age, economic activity of at least this many hours is "
        'child labour; "any" counts any activity whatever its hours (unknown hours included).'
    )
    light_work_max_hours: Hours | None = Field(
        description="From the light-work age up to the minimum age, this many hours or more is "
        "not light work. None when the law permits no light work."
    )
    long_hours: Hours | None = Field(
        description="Below the hazardous-work age, this many hours is hazardous work (long hours)."
    )

    @field_validator("below_light_work_hours", mode="before")
    @classmethod
    def _hours_or_any(cls, value: object) -> object:
        if isinstance(value, str) and value != "any":
            raise ValueError(f'must be a number of hours from 0 to 168, or "any"; got {value!r}')
        return value


class ChoresBand(_Strict):
    """Hours of household chores that make chores hazardous for an age band."""

    ages: AgeBand
    hours: Hours


class Chores(_Strict):
    """Unpaid household services: counted under the general production boundary only."""

    counted: bool
    water_firewood: WaterFirewood = WaterFirewood.CHORES
    bands: tuple[ChoresBand, ...] = ()

    @model_validator(mode="after")
    def _bands_consistent(self) -> Self:
        if self.counted and not self.bands:
            raise ValueError("chores are counted but no chores band is given")
        if not self.counted and self.bands:
            raise ValueError("chores bands are given but chores are not counted")
        ordered = sorted(self.bands, key=lambda band: band.ages.min)
        for first, second in itertools.pairwise(ordered):
            if second.ages.min <= first.ages.max:
                raise ValueError(
                    f"chores bands {first.ages.label()} and {second.ages.label()} overlap"
                )
        return self


class Label(_Strict):
    """A wording in each language the pages speak (English required): a national hazard's,
    a profile's title.

    Fields rather than a free mapping, so that a misspelt language is refused, not ignored.
    """

    en: str = Field(min_length=1)
    fr: str | None = Field(default=None, min_length=1)

    def text(self, language: str) -> str:
        """The wording in ``language``, or the English one when it has none."""
        translated = getattr(self, language) if language in type(self).model_fields else None
        return str(translated or self.en)


class NationalHazard(_Strict):
    """One item of a national hazardous-work list (C182 Art. 4), beyond the R190 vocabulary.

    Monitoring in cocoa and other sectors identifies most children by the tasks of the
    national list (machetes, agrochemicals, land clearing...), so each item is recorded as its
    own flag, ``haz_<code>``, and cited with its source when it makes work hazardous.
    """

    code: str = Field(
        max_length=40, description="snake_case identifier; the record's column is haz_<code>."
    )
    label: Label = Field(description="What the monitor asks about, in each language.")
    ages: AgeBand = Field(description="Ages at which the task is hazardous work.")
    source: str = Field(min_length=1, description="Article or item of the national list.")
    safeguards_from: Age | None = Field(
        default=None,
        description="Optional: from this age the list allows the task under strict safeguards "
        "(the child's `safeguards` flag); absent when the list allows no exception.",
    )

    @field_validator("code")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _SNAKE_CASE.match(value):
            raise ValueError(
                f"national hazard code {value!r} is not snake_case: use lower-case letters, "
                "digits and '_', starting with a letter (e.g. machete_use)"
            )
        return value

    @model_validator(mode="after")
    def _exception_inside_ages(self) -> Self:
        start = self.safeguards_from
        if start is not None and not self.ages.min < start <= self.ages.max:
            raise ValueError(
                f"national hazard '{self.code}': safeguards_from {start} must lie above "
                f"{self.ages.min} and within its ages {self.ages.label()}"
            )
        return self

    @property
    def column(self) -> str:
        """The canonical record's flag for this task."""
        return f"haz_{self.code}"


class Hazards(_Strict):
    """What makes work hazardous under this profile (ILO R190 para. 3 and national lists)."""

    conditions: tuple[str, ...] = Field(
        default=(), description="Hazardous-condition flags counted (names without 'haz_')."
    )
    industries: tuple[str, ...] = Field(
        default=(), description="ISIC Rev.4 sections (letters) or division/group/class codes."
    )
    occupations: tuple[str, ...] = Field(
        default=(), description="ISCO-08 major, sub-major, minor or unit group codes."
    )
    worst_forms_other: bool = Field(
        default=True,
        description="Count worst forms other than hazardous work (C182 Art. 3 a-c) where measured.",
    )
    national: tuple[NationalHazard, ...] = Field(
        default=(),
        description="The national list's own hazardous activities, each counted at its ages.",
    )

    @field_validator("conditions")
    @classmethod
    def _known_conditions(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [value for value in values if value not in HAZARD_CONDITIONS]
        if unknown:
            raise ValueError(
                f"unknown hazard code(s) {', '.join(map(repr, unknown))}; known: "
                f"{', '.join(HAZARD_CONDITIONS)}; a task of a national list is declared under "
                "[[hazards.national]], which counts it, not listed here"
            )
        return values

    @field_validator("national")
    @classmethod
    def _distinct_codes(cls, values: tuple[NationalHazard, ...]) -> tuple[NationalHazard, ...]:
        seen: set[str] = set()
        for item in values:
            if item.code in HAZARD_CONDITIONS:
                raise ValueError(
                    f"national hazard code '{item.code}' is a built-in hazardous condition; "
                    f"list it under conditions, or give the national task another code"
                )
            if item.code in seen:
                raise ValueError(f"national hazard code '{item.code}' is given twice")
            seen.add(item.code)
        return values

    @field_validator("industries")
    @classmethod
    def _known_industries(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [value for value in values if not is_isic4_code(value)]
        if unknown:
            raise ValueError(
                f"not ISIC Rev.4 code(s): {', '.join(map(repr, unknown))}; use a section letter "
                "(A-U) or a 2-4 digit code whose division exists"
            )
        return tuple(value.upper() for value in values)

    @field_validator("occupations")
    @classmethod
    def _known_occupations(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [value for value in values if not is_isco08_code(value)]
        if unknown:
            raise ValueError(
                f"not ISCO-08 code(s): {', '.join(map(repr, unknown))}; use 1-4 digits"
            )
        return values


class Profile(_Strict):
    """One child labour standard: identity, source and every rule choice."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$", max_length=64)
    version: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=1)
    label: Label | None = Field(
        default=None,
        description="The title in each language the pages speak (its English is the title).",
    )
    source: str = Field(min_length=1, description="Where each rule comes from.")
    notes: str = ""
    operator: Operator = Field(description="How hours are compared with thresholds.")
    ages: Ages
    economic: Economic
    chores: Chores
    hazards: Hazards

    def title_in(self, language: str) -> str:
        """The title in ``language``, or the English one when the profile gives none."""
        return self.label.text(language) if self.label else self.title

    @model_validator(mode="after")
    def _one_english_title(self) -> Self:
        if self.label is not None and self.label.en != self.title:
            raise ValueError(
                f"label.en ({self.label.en!r}) differs from the title ({self.title!r}): "
                "the English label is the title"
            )
        return self

    @model_validator(mode="after")
    def _within_scope(self) -> Self:
        scope = self.ages.scope
        for band in self.chores.bands:
            if band.ages.min < scope.min or band.ages.max > scope.max:
                raise ValueError(
                    f"chores band {band.ages.label()} lies outside the scope {scope.label()}"
                )
        for item in self.hazards.national:
            if item.ages.min < scope.min or item.ages.max > scope.max:
                raise ValueError(
                    f"national hazard '{item.code}' (hazards.national) applies to ages "
                    f"{item.ages.label()}, outside the scope {scope.label()} (ages.scope)"
                )
        if self.economic.light_work_max_hours is None and self.ages.light_work < self.ages.minimum:
            raise ValueError(
                "light work is allowed from age "
                f"{self.ages.light_work} but economic.light_work_max_hours is not set"
            )
        return self

    @property
    def counts_chores(self) -> bool:
        return self.chores.counted

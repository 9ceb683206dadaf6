"""The child labour rules as Polars expressions built from a profile.

Each reason code is one boolean expression over the canonical child record (METHODOLOGY
section 2). Nothing loops over rows: a survey of millions and one child on a field visit go
through the same expressions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import reduce
from operator import or_

import polars as pl

from ipec.classify.prepare import MAX_WEEKLY_HOURS
from ipec.classify.record import (
    ACTIVITY_COLUMNS,
    HAZARDOUS_REASONS,
    MISSING_SEPARATOR,
    REASON_COLUMNS,
    Reason,
    WorkStatus,
    reason_column,
)
from ipec.standards.codes import isco08_listed, isic4_listed
from ipec.standards.model import NationalHazard, Operator, Profile, WaterFirewood

__all__ = ["WORK_STATUS", "output_expressions"]

WORK_STATUS = pl.Enum([status.value for status in WorkStatus])
_FALSE = pl.lit(value=False)
_HOURS_DECIMALS = 6


def _active_parts(activities: list[str], schema: pl.Schema) -> list[tuple[pl.Expr, pl.Expr]]:
    """(reported, hours) for each activity whose columns are present."""
    parts = []
    for activity in activities:
        any_column, hours_column = ACTIVITY_COLUMNS[activity]
        if any_column in schema and hours_column in schema:
            parts.append((pl.col(any_column), pl.col(hours_column)))
    return parts


def _summed_hours(parts: list[tuple[pl.Expr, pl.Expr]]) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Activity, total hours and unknown flag over several activities.

    Hours of reported activities are summed with unknown parts as 0 (as the MICS6 syntax does);
    the total is unknown only when every reported part is unknown. The sum is rounded to
    :data:`_HOURS_DECIMALS` places so that binary floating point cannot move a total across a
    threshold (19.9 + 0.7 + 0.4 is 21 h, not 20.999999999999996 h).
    """
    if not parts:
        return _FALSE, pl.lit(None, dtype=pl.Float64), _FALSE
    reported = reduce(or_, (flag for flag, _ in parts))
    unknown = reduce(or_, ((flag & hours.is_null()) for flag, hours in parts))
    if len(parts) == 1:
        flag, hours = parts[0]
        return reported, pl.when(flag).then(hours), unknown
    some_known = reduce(or_, ((flag & hours.is_not_null()) for flag, hours in parts))
    summed = pl.sum_horizontal(
        [pl.when(flag).then(hours).otherwise(0.0) for flag, hours in parts]
    ).round(_HOURS_DECIMALS)
    return reported, pl.when(some_known).then(summed), unknown


def _most_hours(parts: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The total of :func:`_summed_hours` when every unknown part takes the most hours a week
    can hold: the hours rules never fire for more children with any other filling."""
    if not parts:
        return pl.lit(None, dtype=pl.Float64)
    if len(parts) == 1:
        flag, hours = parts[0]
        return pl.when(flag).then(hours.fill_null(MAX_WEEKLY_HOURS))
    return pl.sum_horizontal(
        [
            pl.when(flag).then(hours.fill_null(MAX_WEEKLY_HOURS)).otherwise(0.0)
            for flag, hours in parts
        ]
    ).round(_HOURS_DECIMALS)


def _unknown_parts(activities: list[str], schema: pl.Schema) -> list[tuple[str, pl.Expr]]:
    """(hours column, reported with unknown hours) for each activity whose columns are present."""
    parts = []
    for activity in activities:
        any_column, hours_column = ACTIVITY_COLUMNS[activity]
        if any_column in schema and hours_column in schema:
            parts.append((hours_column, pl.col(any_column) & pl.col(hours_column).is_null()))
    return parts


def _meets(hours: pl.Expr, threshold: float, operator: Operator) -> pl.Expr:
    """Hours reach the threshold; unknown hours do not (METHODOLOGY section 2), unless the
    threshold is ">= 0 h", which every number of hours reaches."""
    compared = hours >= threshold if operator is Operator.AT_LEAST else hours > threshold
    return compared.fill_null(value=operator is Operator.AT_LEAST and threshold == 0)


#: The rules that compare economic hours.
_ECONOMIC_HOURS_REASONS = (
    Reason.BELOW_MIN_AGE,
    Reason.EXCEEDS_LIGHT_WORK_HOURS,
    Reason.LONG_HOURS,
)


def _hours_reasons(
    profile: Profile, economic_hours: pl.Expr, chores_hours: pl.Expr
) -> dict[Reason, pl.Expr]:
    """The rules that compare hours, for the hours given: the child's, or the most its
    unknown hours could be (reading the base layer's ``age`` and activity columns)."""
    ages, economic, op = profile.ages, profile.economic, profile.operator
    age, working = pl.col("age"), pl.col("in_economic_activity")
    below = economic.below_light_work_hours
    below_hours = pl.lit(value=True) if below == "any" else _meets(economic_hours, below, op)
    light_limit = economic.light_work_max_hours
    chores_tests = [
        age.is_between(band.ages.min, band.ages.max) & _meets(chores_hours, band.hours, op)
        for band in profile.chores.bands
    ]
    return {
        Reason.BELOW_MIN_AGE: working & (age < ages.light_work) & below_hours,
        Reason.EXCEEDS_LIGHT_WORK_HOURS: (
            working
            & age.is_between(ages.light_work, ages.minimum - 1)
            & _meets(economic_hours, light_limit, op)
            if light_limit is not None and ages.light_work < ages.minimum
            else _FALSE
        ),
        Reason.LONG_HOURS: (
            working & (age < ages.hazardous) & _meets(economic_hours, economic.long_hours, op)
            if economic.long_hours is not None
            else _FALSE
        ),
        Reason.HAZARDOUS_CHORES: (
            pl.col("in_chores") & reduce(or_, chores_tests)
            if profile.chores.counted and chores_tests
            else _FALSE
        ),
    }


def _listed(column: str, values: Sequence[str], listed: tuple[str, ...]) -> pl.Expr:
    """The column holds one of the distinct ``values`` that the profile lists."""
    test = isic4_listed if column == "isic" else isco08_listed
    matching = [value for value in values if test(value, listed)]
    return pl.col(column).is_in(matching).fill_null(value=False)


def _flag(column: str, schema: pl.Schema) -> pl.Expr:
    return pl.col(column) if column in schema else _FALSE


def _national_task(item: NationalHazard, schema: pl.Schema) -> pl.Expr:
    """The child does a task of the national list at an age the list forbids it.

    The item's own ages and safeguards age govern it, not the profile's hazardous-work ages:
    a national list may forbid a task to some ages only, or allow it from one age under
    safeguards.
    """
    age = pl.col("age")
    applies = pl.col(item.column) & age.is_between(item.ages.min, item.ages.max)
    if item.safeguards_from is not None:
        applies = applies & ~(_flag("safeguards", schema) & (age >= item.safeguards_from))
    return applies


def output_expressions(
    profile: Profile, schema: pl.Schema, code_values: Mapping[str, Sequence[str]]
) -> list[list[pl.Expr]]:
    """The output columns as successive layers of expressions (each layer reads the last).

    ``code_values`` holds the distinct values of each code column present (``isic``,
    ``isco``): matching a handful of codes once and testing membership per row is far faster
    than string work on every row.
    """
    ages = profile.ages
    age = pl.col("age")
    in_scope = age.is_between(ages.scope.min, ages.scope.max)

    water_firewood = profile.chores.water_firewood
    econ_activities = ["econ"]
    chores_activities = ["chores"]
    if water_firewood is WaterFirewood.ECONOMIC:
        econ_activities += ["water", "firewood"]
    elif water_firewood is WaterFirewood.CHORES:
        chores_activities += ["water", "firewood"]
    econ_parts = _active_parts(econ_activities, schema)
    chores_parts = _active_parts(chores_activities, schema)
    econ_reported, econ_hours, econ_unknown = _summed_hours(econ_parts)
    chores_reported, chores_hours, chores_unknown = _summed_hours(chores_parts)

    base = [
        in_scope.alias("in_scope"),
        (in_scope & econ_reported).alias("in_economic_activity"),
        (in_scope & chores_reported).alias("in_chores"),
        econ_hours.alias("economic_hours"),
        chores_hours.alias("chores_hours_total"),
        (econ_unknown | chores_unknown).alias("hours_unknown"),
    ]

    working = pl.col("in_economic_activity")
    reasons = _hours_reasons(profile, pl.col("economic_hours"), pl.col("chores_hours_total"))

    under_hazardous_age = age < ages.hazardous
    hazard_applies = working & under_hazardous_age
    if ages.hazardous_with_safeguards is not None:
        excepted = _flag("safeguards", schema) & (age >= ages.hazardous_with_safeguards)
        hazard_applies = hazard_applies & ~excepted
    hazards = profile.hazards
    reasons[Reason.HAZ_INDUSTRY] = (
        hazard_applies & _listed("isic", code_values.get("isic", ()), hazards.industries)
        if hazards.industries and "isic" in schema
        else _FALSE
    )
    reasons[Reason.HAZ_OCCUPATION] = (
        hazard_applies & _listed("isco", code_values.get("isco", ()), hazards.occupations)
        if hazards.occupations and "isco" in schema
        else _FALSE
    )
    condition_columns = [f"haz_{name}" for name in hazards.conditions if f"haz_{name}" in schema]
    reasons[Reason.HAZ_CONDITIONS] = (
        hazard_applies & pl.any_horizontal([pl.col(column) for column in condition_columns])
        if condition_columns
        else _FALSE
    )
    national_tests = [
        _national_task(item, schema) for item in hazards.national if item.column in schema
    ]
    reasons[Reason.HAZ_NATIONAL_LIST] = (
        working & pl.any_horizontal(national_tests) if national_tests else _FALSE
    )

    reasons[Reason.WFCL_OTHER] = (
        pl.col("in_scope") & pl.col("wfcl_other")
        if hazards.worst_forms_other and "wfcl_other" in schema
        else _FALSE
    )

    # An unknown age (one-child records only) establishes no reason: the child may be out of
    # scope.
    reason_layer = [
        (pl.col("in_scope") & reasons[reason]).fill_null(value=False).alias(reason_column(reason))
        for reason in Reason
    ]
    child_labour = pl.any_horizontal([pl.col(column) for column in REASON_COLUMNS])
    hazardous = pl.any_horizontal([pl.col(reason_column(r)) for r in HAZARDOUS_REASONS])
    # Undetermined: no reason fired, but one would with the most hours the unknown ones could
    # be (the hours rules only gain children as hours grow), or the age is unknown.
    most = _hours_reasons(profile, _most_hours(econ_parts), _most_hours(chores_parts))
    age_unknown = age.is_null()
    economic_open = (
        pl.col("in_scope") & pl.any_horizontal([most[r] for r in _ECONOMIC_HOURS_REASONS])
    ).fill_null(value=False)
    chores_open = (pl.col("in_scope") & most[Reason.HAZARDOUS_CHORES]).fill_null(value=False)
    undetermined = age_unknown | (~child_labour & (economic_open | chores_open))
    verdict_layer = [
        child_labour.alias("child_labour"),
        hazardous.alias("hazardous_work"),
        (working & ~child_labour & ~undetermined).fill_null(value=False).alias("permitted_work"),
        undetermined.alias("undetermined"),
    ]

    # What to ask again: the age, and the unknown hours of each rule family that could fire
    # (with the age unknown, of every family the profile counts: some age may need them).
    chores_counted = profile.chores.counted and bool(profile.chores.bands)
    asked: list[tuple[str, pl.Expr]] = [("age", age_unknown)]
    asked += [
        (name, unknown & (economic_open | age_unknown))
        for name, unknown in _unknown_parts(econ_activities, schema)
    ]
    asked += [
        (name, unknown & (chores_open | (age_unknown & chores_counted)))
        for name, unknown in _unknown_parts(chores_activities, schema)
    ]
    # A bit per value to ask again, then one lookup of the few combinations: joining strings
    # on every row cost more than the rest of the classification.
    bits = sum(
        (wanted.fill_null(value=False).cast(pl.UInt8) * (1 << i) for i, (_, wanted) in
         enumerate(asked)),
        pl.lit(0, dtype=pl.UInt8),
    )  # fmt: skip
    names = [name for name, _ in asked]
    combinations = [
        MISSING_SEPARATOR.join(n for i, n in enumerate(names) if key >> i & 1) or None
        for key in range(1 << len(names))
    ]
    missing = pl.lit(pl.Series(combinations, dtype=pl.String)).gather(bits)

    def status(value: WorkStatus) -> pl.Expr:
        return pl.lit(value.value, dtype=WORK_STATUS)

    status_layer = [
        pl.when(~pl.col("in_scope"))
        .then(status(WorkStatus.OUT_OF_SCOPE))
        .when(pl.col("child_labour"))
        .then(status(WorkStatus.CHILD_LABOUR))
        .when(pl.col("undetermined"))
        .then(status(WorkStatus.UNDETERMINED))
        .when(pl.col("permitted_work"))
        .then(status(WorkStatus.PERMITTED_WORK))
        .otherwise(status(WorkStatus.NOT_WORKING))
        .alias("work_status"),
        pl.when(pl.col("undetermined")).then(missing).alias("missing_values"),
    ]
    return [base, reason_layer, verdict_layer, status_layer]

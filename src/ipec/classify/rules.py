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

from ipec.classify.record import (
    ACTIVITY_COLUMNS,
    HAZARDOUS_REASONS,
    REASON_COLUMNS,
    Reason,
    WorkStatus,
    reason_column,
)
from ipec.standards.codes import isco08_listed, isic4_listed
from ipec.standards.model import Operator, Profile, WaterFirewood

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


def _meets(hours: pl.Expr, threshold: float, operator: Operator) -> pl.Expr:
    compared = hours >= threshold if operator is Operator.AT_LEAST else hours > threshold
    return compared.fill_null(value=False)


def _listed(column: str, values: Sequence[str], listed: tuple[str, ...]) -> pl.Expr:
    """The column holds one of the distinct ``values`` that the profile lists."""
    test = isic4_listed if column == "isic" else isco08_listed
    matching = [value for value in values if test(value, listed)]
    return pl.col(column).is_in(matching).fill_null(value=False)


def _flag(column: str, schema: pl.Schema) -> pl.Expr:
    return pl.col(column) if column in schema else _FALSE


def output_expressions(
    profile: Profile, schema: pl.Schema, code_values: Mapping[str, Sequence[str]]
) -> list[list[pl.Expr]]:
    """The output columns as successive layers of expressions (each layer reads the last).

    ``code_values`` holds the distinct values of each code column present (``isic``,
    ``isco``): matching a handful of codes once and testing membership per row is far faster
    than string work on every row.
    """
    ages, economic, op = profile.ages, profile.economic, profile.operator
    age = pl.col("age")
    in_scope = age.is_between(ages.scope.min, ages.scope.max)

    water_firewood = profile.chores.water_firewood
    econ_activities = ["econ"]
    chores_activities = ["chores"]
    if water_firewood is WaterFirewood.ECONOMIC:
        econ_activities += ["water", "firewood"]
    elif water_firewood is WaterFirewood.CHORES:
        chores_activities += ["water", "firewood"]
    econ_reported, econ_hours, econ_unknown = _summed_hours(_active_parts(econ_activities, schema))
    chores_reported, chores_hours, chores_unknown = _summed_hours(
        _active_parts(chores_activities, schema)
    )

    base = [
        in_scope.alias("in_scope"),
        (in_scope & econ_reported).alias("in_economic_activity"),
        (in_scope & chores_reported).alias("in_chores"),
        econ_hours.alias("economic_hours"),
        chores_hours.alias("chores_hours_total"),
        (econ_unknown | chores_unknown).alias("hours_unknown"),
    ]

    working = pl.col("in_economic_activity")
    hours = pl.col("economic_hours")
    reasons: dict[Reason, pl.Expr] = {}

    below = economic.below_light_work_hours
    below_hours = pl.lit(value=True) if below == "any" else _meets(hours, below, op)
    reasons[Reason.BELOW_MIN_AGE] = working & (age < ages.light_work) & below_hours

    light_limit = economic.light_work_max_hours
    reasons[Reason.EXCEEDS_LIGHT_WORK_HOURS] = (
        working & age.is_between(ages.light_work, ages.minimum - 1) & _meets(hours, light_limit, op)
        if light_limit is not None and ages.light_work < ages.minimum
        else _FALSE
    )

    under_hazardous_age = age < ages.hazardous
    reasons[Reason.LONG_HOURS] = (
        working & under_hazardous_age & _meets(hours, economic.long_hours, op)
        if economic.long_hours is not None
        else _FALSE
    )

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

    chores_tests = [
        age.is_between(band.ages.min, band.ages.max)
        & _meets(pl.col("chores_hours_total"), band.hours, op)
        for band in profile.chores.bands
    ]
    reasons[Reason.HAZARDOUS_CHORES] = (
        pl.col("in_chores") & reduce(or_, chores_tests)
        if profile.chores.counted and chores_tests
        else _FALSE
    )
    reasons[Reason.WFCL_OTHER] = (
        pl.col("in_scope") & pl.col("wfcl_other")
        if hazards.worst_forms_other and "wfcl_other" in schema
        else _FALSE
    )

    reason_layer = [
        (pl.col("in_scope") & reasons[reason]).alias(reason_column(reason)) for reason in Reason
    ]
    child_labour = pl.any_horizontal([pl.col(column) for column in REASON_COLUMNS])
    hazardous = pl.any_horizontal([pl.col(reason_column(r)) for r in HAZARDOUS_REASONS])
    verdict_layer = [
        child_labour.alias("child_labour"),
        hazardous.alias("hazardous_work"),
        (working & ~child_labour).alias("permitted_work"),
    ]

    def status(value: WorkStatus) -> pl.Expr:
        return pl.lit(value.value, dtype=WORK_STATUS)

    status_layer = [
        pl.when(~pl.col("in_scope"))
        .then(status(WorkStatus.OUT_OF_SCOPE))
        .when(pl.col("child_labour"))
        .then(status(WorkStatus.CHILD_LABOUR))
        .when(pl.col("permitted_work"))
        .then(status(WorkStatus.PERMITTED_WORK))
        .otherwise(status(WorkStatus.NOT_WORKING))
        .alias("work_status")
    ]
    return [base, reason_layer, verdict_layer, status_layer]

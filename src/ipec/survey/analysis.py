"""From a mapped survey to child labour estimates: classify under a profile, then estimate.

Children outside the profile's scope stay in the design (a domain never drops PSUs) with zero
weight and null indicators, exactly as R's ``subset()`` of a survey design does, so every
estimate is over the children in scope, with the full design.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from ipec.classify import REASON_COLUMNS, classify
from ipec.classify.record import hazard_columns
from ipec.errors import DataError
from ipec.standards import Profile
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.estimate import DfMethod, estimate_with_codes
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Proportion
from ipec.survey.intervals import CiMethod
from ipec.survey.mapping import MappedSurvey

__all__ = [
    "DEFAULT_INDICATORS",
    "INDICATOR_LABELS",
    "EstimateOptions",
    "classify_survey",
    "estimate_survey",
    "level_labels",
    "parse_by",
]

#: Indicators added to the classification for survey tables (MICS PR.3.1-PR.3.4 columns), with
#: the plain label a table shows (no internal codes).
INDICATOR_LABELS: dict[str, str] = {
    "child_labour": "Child labour",
    "hazardous_work": "Hazardous work",
    "in_economic_activity": "Economic activity",
    "economic_above_threshold": "Economic activity at or above the age-specific threshold",
    "economic_below_threshold": "Economic activity below the age-specific threshold",
    "in_chores": "Household chores",
    "chores_above_threshold": "Household chores at or above the age-specific threshold",
    "chores_below_threshold": "Household chores below the age-specific threshold",
    "any_hazardous_condition": "Working under hazardous conditions",
    "permitted_work": "Permitted work",
    "hours_unknown": "Hours unknown",
    "reason_below_min_age": "Below the minimum age",
    "reason_exceeds_light_work_hours": "Beyond light-work hours",
    "reason_long_hours": "Long hours",
    "reason_haz_industry": "Hazardous industry",
    "reason_haz_occupation": "Hazardous occupation",
    "reason_haz_conditions": "Hazardous conditions",
    "reason_haz_national_list": "National hazardous-work list",
    "reason_hazardous_chores": "Hazardous household chores",
    "reason_wfcl_other": "Other worst forms",
}
DEFAULT_INDICATORS: tuple[str, ...] = (
    "child_labour",
    "hazardous_work",
    *REASON_COLUMNS,
    "in_economic_activity",
    "economic_above_threshold",
    "in_chores",
    "chores_above_threshold",
    "any_hazardous_condition",
)
_ECONOMIC_REASONS = (
    "reason_below_min_age",
    "reason_exceeds_light_work_hours",
    "reason_long_hours",
)


@dataclass(frozen=True, slots=True)
class EstimateOptions:
    """How estimates are computed and displayed (METHODOLOGY section 4)."""

    ci: CiMethod = "logit"
    df: DfMethod = "domain"
    flags: FlagRule = field(default_factory=FlagRule)
    level: float = 0.95


def parse_by(text: str | Sequence[str] | None, domains: Sequence[str]) -> list[tuple[str, ...]]:
    """``"sex,age_group,sex*area"`` to domain specs, checking every name is a known domain."""
    if text is None:
        return []
    parts = text.split(",") if isinstance(text, str) else list(text)
    specs: list[tuple[str, ...]] = []
    for part in (p.strip() for p in parts):
        if not part or part == "total":
            continue
        spec = tuple(name.strip() for name in part.split("*"))
        unknown = [name for name in spec if name not in domains]
        if unknown:
            raise DataError(
                f"unknown breakdown {', '.join(unknown)}",
                hint=f"use {', '.join(domains)}, or cross them with '*' (sex*age_group)",
            )
        specs.append(spec)
    return specs


def classify_survey(mapped: MappedSurvey, profile: Profile) -> pl.LazyFrame:
    """Classify every child and add the survey indicators, null outside the profile's scope.

    A child whose hours are unknown is counted neither below nor at or above a threshold
    (METHODOLOGY section 2), so "below" needs known hours. A child the classification leaves
    ``undetermined`` (unknown hours that could cross a threshold) is counted as not in child
    labour, as MICS does: working, such a child counts as permitted work here, so the survey
    indicators keep the MICS convention.

    Children out of scope also get weight 0: they stay in the design, as R's ``subset()``.
    """
    classified = classify(mapped.frame, profile, source=mapped.source)
    schema = classified.collect_schema()
    hazards = [pl.col(column) for column in hazard_columns(profile) if column in schema]
    any_condition = pl.any_horizontal(hazards) if hazards else pl.lit(value=False)
    economic_above = pl.any_horizontal([pl.col(c) for c in _ECONOMIC_REASONS])
    derived = [
        economic_above.alias("economic_above_threshold"),
        (
            pl.col("in_economic_activity")
            & ~economic_above
            & pl.col("economic_hours").is_not_null()
        ).alias("economic_below_threshold"),
        pl.col("reason_hazardous_chores").alias("chores_above_threshold"),
        (
            pl.col("in_chores")
            & ~pl.col("reason_hazardous_chores")
            & pl.col("chores_hours_total").is_not_null()
        ).alias("chores_below_threshold"),
        (pl.col("in_economic_activity") & any_condition).alias("any_hazardous_condition"),
        (pl.col("in_economic_activity") & ~pl.col("child_labour")).alias("permitted_work"),
    ]
    in_scope = pl.col("in_scope")
    return classified.with_columns(derived).with_columns(
        *(pl.when(in_scope).then(pl.col(name)).alias(name) for name in INDICATOR_LABELS),
        *(
            pl.when(in_scope).then(pl.col(weight)).otherwise(0.0).alias(weight)
            for weight in mapped.weight_columns
        ),
    )


def level_labels(mapped: MappedSurvey, specs: Sequence[tuple[str, ...]]) -> pl.DataFrame:
    """(by, level code) -> level label and display order, for every level of every spec."""
    rows: list[tuple[str, str, str, int, int]] = [("total", "total", "total", 0, 0)]
    for spec_index, spec in enumerate(specs, start=1):
        combos: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]
        for name in spec:
            combos = [
                ((*codes, str(i)), (*labels, label))
                for codes, labels in combos
                for i, label in enumerate(mapped.domains[name])
            ]
        rows += [
            ("*".join(spec), "*".join(codes), "*".join(labels), spec_index, order)
            for order, (codes, labels) in enumerate(combos)
        ]
    return pl.DataFrame(rows, schema=["by", "level", "label", "_spec", "_level"], orient="row")


#: Most joint domain cells (product of the levels of the columns) one cube of sums holds.
_MAX_JOINT_CELLS = 32


def _spec_batches(
    specs: Sequence[tuple[str, ...]], mapped: MappedSurvey
) -> list[list[tuple[str, ...]]]:
    """Breakdowns grouped so that each group's joint cells stay few.

    A group is summed per (PSU x joint cell of every breakdown column): cheap for sex x age x
    region, wasteful for a dozen unrelated background variables, which go in separate groups
    (``estimate``'s ``groups``: one cube each, the rows prepared once for all of them).
    """
    batches: list[list[tuple[str, ...]]] = []
    columns: list[set[str]] = []
    for spec in specs:
        for batch, used in zip(batches, columns, strict=True):
            joined = used | set(spec)
            cells = 1
            for name in joined:
                cells *= max(1, len(mapped.domains[name]))
            if cells <= _MAX_JOINT_CELLS:
                batch.append(spec)
                used.update(spec)
                break
        else:
            batches.append([spec])
            columns.append(set(spec))
    return batches or [[]]


def _scope_groups(profiles: Sequence[Profile]) -> list[list[Profile]]:
    """Profiles that share the ages in scope can be estimated in one pass (one weight)."""
    groups: dict[tuple[int, int], list[Profile]] = {}
    for profile in profiles:
        groups.setdefault((profile.ages.scope.min, profile.ages.scope.max), []).append(profile)
    return list(groups.values())


def _indicator_frame(
    mapped: MappedSurvey,
    profiles: Sequence[Profile],
    indicators: Sequence[str],
    classified_frames: Mapping[str, pl.DataFrame],
) -> pl.DataFrame | pl.LazyFrame:
    """Design and domain columns with each profile's indicators as ``profile|indicator``: in
    memory, or a lazy query over the file when the survey is read streaming."""
    keep = [*mapped.design_columns, *mapped.domains]
    parts: list[pl.LazyFrame] = []
    for i, profile in enumerate(profiles):
        done = classified_frames.get(profile.id)
        classified = done.lazy() if done is not None else classify_survey(mapped, profile)
        chosen = [pl.col(name).alias(f"{profile.id}|{name}") for name in indicators]
        if i == 0:
            chosen = [*(pl.col(c) for c in keep), *chosen]
        parts.append(classified.select(chosen))
    if mapped.streaming:
        # a lazy query: the estimator reads the file once more, in batches
        return pl.concat(parts, how="horizontal")
    return pl.concat([part.collect() for part in parts], how="horizontal")


def estimate_survey(
    mapped: MappedSurvey,
    profiles: Profile | Sequence[Profile],
    *,
    by: Sequence[tuple[str, ...]] = (),
    indicators: Sequence[str] = DEFAULT_INDICATORS,
    options: EstimateOptions | None = None,
    classified: Mapping[str, pl.DataFrame] | None = None,
    codes: FrameCodes | None = None,
) -> pl.DataFrame:
    """The tidy estimates table: one row per (profile, breakdown, level, indicator).

    Proportions are on the 0-1 scale; levels carry their labels; rows come in the order of
    ``by`` and of each domain's levels. Profiles that share their ages in scope are estimated
    in one pass over the data. ``classified`` holds frames already made by
    :func:`classify_survey`, by profile id, so that several calls classify only once;
    ``codes`` keeps the design and domain codes between passes and calls (made when None).
    """
    unknown = [name for name in indicators if name not in INDICATOR_LABELS]
    if unknown:
        raise DataError(
            f"unknown indicator(s) {', '.join(unknown)}",
            hint=f"use {', '.join(INDICATOR_LABELS)}",
        )
    chosen = options or EstimateOptions()
    all_profiles = [profiles] if isinstance(profiles, Profile) else list(profiles)
    labels = level_labels(mapped, by)
    results = []
    kept = codes if codes is not None else FrameCodes()
    first, *rest = _spec_batches(by, mapped)
    for group in _scope_groups(all_profiles):
        frame = _indicator_frame(mapped, group, indicators, classified or {})
        result = estimate_with_codes(
            frame,
            mapped.design,
            [Proportion(f"{p.id}|{name}") for p in group for name in indicators],
            by=first,
            groups=rest,
            df=chosen.df,
            ci=chosen.ci,
            level=chosen.level,
            flags=chosen.flags,
            codes=kept,
        ).to_polars()
        results.append(result)
    versions = {p.id: p.version for p in all_profiles}
    profile_order = {p.id: i for i, p in enumerate(all_profiles)}
    indicator_order = {name: i for i, name in enumerate(indicators)}
    combined = pl.concat(results).drop("kind")
    split = combined.with_columns(
        pl.col("indicator").str.split_exact("|", 1).struct.rename_fields(["profile", "ind"])
        .alias("_parts")
    ).unnest("_parts")  # fmt: skip
    return (
        split.join(labels, on=["by", "level"], how="left")
        .with_columns(
            pl.col("label").alias("level"),
            pl.col("ind").alias("indicator"),
            pl.col("profile").replace_strict(versions).alias("profile_version"),
            pl.col("profile").replace_strict(profile_order, return_dtype=pl.Int32).alias("_p"),
            pl.col("ind").replace_strict(indicator_order, return_dtype=pl.Int32).alias("_i"),
        )
        .sort("_p", "_spec", "_level", "_i", maintain_order=True)
        .drop("label", "ind", "_p", "_i", "_spec", "_level")
        .select(pl.exclude("profile", "profile_version"), "profile", "profile_version")
    )

"""The standard child labour tables: SDG 8.7.1 and the MICS6 PR.3.1-PR.3.4 equivalents.

The SDG 8.7.1 table always uses the two SDG series; the PR tables use the profile the user
chose, so a national profile gets the same table set. Each table is estimated in one call
(one pass over the data for all its breakdowns and indicators).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from ipec.standards import Profile, load_profile
from ipec.survey.analysis import EstimateOptions, classify_survey, estimate_survey
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.mapping import MappedSurvey

__all__ = [
    "SDG_SERIES",
    "STANDARD_TABLES",
    "TableSpec",
    "background_tables",
    "joined_tables",
    "sdg_breakdowns",
    "sdg_profiles",
    "sdg_table",
    "standard_tables",
]

SDG_SERIES = ("sdg-8.7.1", "sdg-8.7.1-econ")
TOTAL_COLUMN = "5-17"


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One published table: its indicators, and whether they are split by age group columns."""

    id: str
    title: str
    indicators: tuple[str, ...]
    by_age_columns: bool
    rows: str  # "sdg": sex and age rows; "background": every background variable


STANDARD_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "SDG-8.7.1",
        "SDG 8.7.1: children aged 5-17 in child labour, both series, by sex and age",
        ("child_labour",),
        by_age_columns=False,
        rows="sdg",
    ),
    TableSpec(
        "PR.3.1",
        "Children in economic activity, below and at or above the age-specific threshold",
        ("economic_below_threshold", "economic_above_threshold"),
        by_age_columns=True,
        rows="background",
    ),
    TableSpec(
        "PR.3.2",
        "Children doing household chores, below and at or above the age-specific threshold",
        ("chores_below_threshold", "chores_above_threshold"),
        by_age_columns=True,
        rows="background",
    ),
    TableSpec(
        "PR.3.3",
        "Child labour: economic activity, household chores and hazardous conditions",
        (
            "economic_above_threshold",
            "chores_above_threshold",
            "any_hazardous_condition",
            "child_labour",
        ),
        by_age_columns=False,
        rows="background",
    ),
    TableSpec(
        "PR.3.4",
        "Hazardous work: long hours, hazardous industries, occupations and conditions",
        (
            "hazardous_work",
            "reason_long_hours",
            "reason_haz_industry",
            "reason_haz_occupation",
            "reason_haz_conditions",
            "any_hazardous_condition",
        ),
        by_age_columns=False,
        rows="background",
    ),
)


def _row_domains(spec: TableSpec, mapped: MappedSurvey) -> list[str]:
    if spec.rows == "sdg":
        return ["sex", "age_group", "age_band"]
    return [name for name in mapped.domains if name not in {"age_band", "age_year"}]


def _split(result: pl.DataFrame, age_columns: bool) -> pl.DataFrame:
    """Turn crossed (row variable x age group) breakdowns into row and column fields."""
    crossed = pl.col("by").str.ends_with("*age_group") & pl.lit(age_columns)
    by = pl.when(crossed).then(pl.col("by").str.strip_suffix("*age_group")).otherwise("by")
    level_parts = pl.col("level").str.split("*")
    row_level = pl.when(crossed).then(level_parts.list.get(0)).otherwise("level")
    column = pl.when(crossed).then(level_parts.list.get(-1)).otherwise(pl.lit(TOTAL_COLUMN))
    whole_age = (pl.col("by") == "age_group") & pl.lit(age_columns)
    return result.with_columns(
        pl.when(whole_age).then(pl.lit("total")).otherwise(by).alias("by"),
        pl.when(whole_age).then(pl.lit("total")).otherwise(row_level).alias("level"),
        pl.when(whole_age).then(pl.col("level")).otherwise(column).alias("column"),
    )


def _breakdowns(spec: TableSpec, mapped: MappedSurvey) -> list[tuple[str, ...]]:
    rows = _row_domains(spec, mapped)
    by: list[tuple[str, ...]] = [(name,) for name in rows]
    if spec.rows == "sdg":
        by.append(("sex", "age_group"))
    if spec.by_age_columns:
        by += [(name, "age_group") for name in rows if name != "age_group"]
    return [b for b in by if all(name in mapped.domains for name in b)]


def _tables(
    specs: Sequence[TableSpec],
    mapped: MappedSurvey,
    profiles: Sequence[Profile],
    options: EstimateOptions,
    classified: Mapping[str, pl.DataFrame] | None = None,
    *,
    result: pl.DataFrame | None = None,
    codes: FrameCodes | None = None,
) -> pl.DataFrame:
    """Several tables that share their rows, from one set of passes over the data.

    ``result``: their ``estimate_survey`` table, when the caller already has it.
    """
    if result is None:
        by = list(dict.fromkeys(b for spec in specs for b in _breakdowns(spec, mapped)))
        indicators = list(dict.fromkeys(i for spec in specs for i in spec.indicators))
        result = estimate_survey(
            mapped,
            profiles,
            by=by,
            indicators=indicators,
            options=options,
            classified=classified,
            codes=codes,
        )
    parts = []
    for spec in specs:
        wanted = set(_breakdowns(spec, mapped))
        mine = result.filter(
            pl.col("indicator").is_in(list(spec.indicators))
            & pl.col("by").is_in(["total", *("*".join(b) for b in wanted)])
        )
        parts.append(
            _split(mine, spec.by_age_columns).with_columns(
                pl.lit(spec.id).alias("table"), pl.lit(spec.title).alias("title")
            )
        )
    return pl.concat(parts)


def sdg_profiles(mapped: MappedSurvey) -> list[Profile]:
    """The SDG 8.7.1 series the survey can give: the chores series needs chores variables."""
    profiles = [load_profile(profile_id) for profile_id in SDG_SERIES]
    return [p for p in profiles if mapped.has_chores or not p.chores.counted]


def sdg_breakdowns(mapped: MappedSurvey) -> list[tuple[str, ...]]:
    """The breakdowns of the SDG 8.7.1 table (sex, age, sex x age group) the survey has."""
    return _breakdowns(STANDARD_TABLES[0], mapped)


def sdg_table(
    mapped: MappedSurvey,
    options: EstimateOptions | None = None,
    *,
    classified: Mapping[str, pl.DataFrame] | None = None,
    sdg_estimates: pl.DataFrame | None = None,
    codes: FrameCodes | None = None,
) -> pl.DataFrame:
    """The SDG 8.7.1 table (both series by sex and age, one pass for both), from
    ``sdg_estimates`` when given: the ``estimate_survey`` table of the two series (child labour
    by :func:`sdg_breakdowns`), so a report that already has it does not estimate it again."""
    chosen = options or EstimateOptions()
    specs = [spec for spec in STANDARD_TABLES if spec.rows == "sdg"]
    return _tables(specs, mapped, sdg_profiles(mapped), chosen, classified,
                   result=sdg_estimates, codes=codes)  # fmt: skip


def background_tables(
    mapped: MappedSurvey,
    profile: Profile,
    options: EstimateOptions | None = None,
    *,
    classified: Mapping[str, pl.DataFrame] | None = None,
    codes: FrameCodes | None = None,
) -> pl.DataFrame:
    """Tables PR.3.1-PR.3.4 under ``profile`` (PR.3.2 only when the survey has chores)."""
    background = [
        spec
        for spec in STANDARD_TABLES
        if spec.rows == "background" and (mapped.has_chores or spec.id != "PR.3.2")
    ]
    chosen = options or EstimateOptions()
    return _tables(background, mapped, [profile], chosen, classified, codes=codes)


def joined_tables(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Parts of the set as one tidy frame, the identifying columns first."""
    result = pl.concat(parts, how="diagonal")
    leading = ["table", "title", "profile", "by", "level", "column", "indicator"]
    return result.select(pl.col(leading), pl.exclude(leading))


def standard_tables(
    mapped: MappedSurvey,
    profile: Profile,
    options: EstimateOptions | None = None,
    *,
    classified: Mapping[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """The whole standard table set, tidy: one row per (table, profile, row, column, indicator).

    ``classified`` passes classifications already made (see ``estimate_survey``).
    """
    codes = FrameCodes()  # design and domain columns coded once for both parts
    frames = dict(classified or {})
    for needed in {profile, *sdg_profiles(mapped)}:  # each profile classified once
        if needed.id not in frames:
            frames[needed.id] = classify_survey(mapped, needed).collect()
    sdg = sdg_table(mapped, options, classified=frames, codes=codes)
    background = background_tables(mapped, profile, options, classified=frames, codes=codes)
    return joined_tables([sdg, background])

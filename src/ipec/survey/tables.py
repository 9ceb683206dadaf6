"""The standard child labour tables: SDG 8.7.1 and the MICS6 PR.3.1-PR.3.4 equivalents.

The SDG 8.7.1 table always uses the two SDG series; the PR tables use the profile the user
chose, so a national profile gets the same table set. Each table is estimated in one call
(one pass over the data for all its breakdowns and indicators).

Every table carries its footnotes (:class:`TableNote`): an indicator the profile does not count
or the survey does not measure, how many children reported an activity with unknown hours and
how they were counted, and normalised weights. They are data (a template key and its values),
written in English here and in the report's language by the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from ipec.classify.record import HAZARD_COLUMNS
from ipec.standards import Profile, load_profile
from ipec.survey.analysis import (
    INDICATOR_LABELS,
    EstimateOptions,
    classify_survey,
    estimate_survey,
)
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.mapping import MappedSurvey
from ipec.survey.weights import count_scale, scale_counts

__all__ = [
    "NOTE_REASONS",
    "NOTE_TEMPLATES",
    "SDG_SERIES",
    "SERIES_LABELS",
    "STANDARD_TABLES",
    "TOTAL_COLUMN",
    "TableNote",
    "TableSpec",
    "background_tables",
    "joined_tables",
    "sdg_breakdowns",
    "sdg_profiles",
    "sdg_table",
    "standard_tables",
    "table_notes",
    "with_notes",
]

SDG_SERIES = ("sdg-8.7.1", "sdg-8.7.1-econ")
#: How a table names each SDG 8.7.1 series (a column per series in table SDG 8.7.1).
SERIES_LABELS: dict[str, str] = {
    "sdg-8.7.1": "SDG 8.7.1 with household chores (SL_TLF_CHLDEC)",
    "sdg-8.7.1-econ": "SDG 8.7.1, economic activity only (SL_TLF_CHLDEA)",
}
TOTAL_COLUMN = "5-17"
#: Rows of the background tables, in the order of the MICS tables; background variables follow.
_LEADING_ROWS = ("sex", "area", "region", "age_group")


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One published table: its indicators, and whether they are split by age group columns.

    ``id`` names the table in data (a sheet, the ``table`` column); ``label`` is how a reader
    names it ("SDG 8.7.1", "PR.3.1").
    """

    id: str
    title: str
    indicators: tuple[str, ...]
    by_age_columns: bool
    rows: str  # "sdg": sex and age rows; "background": every background variable
    label: str = ""

    @property
    def display(self) -> str:
        """The table's name for readers."""
        return self.label or self.id


STANDARD_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "SDG-8.7.1",
        "Children aged 5-17 in child labour (both series), by sex and age",
        ("child_labour",),
        by_age_columns=False,
        rows="sdg",
        label="SDG 8.7.1",
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
    names = [name for name in mapped.domains if name not in {"age_band", "age_year"}]
    leading = [name for name in _LEADING_ROWS if name in names]
    return leading + [name for name in names if name not in leading]


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
        title = spec.title if spec.rows == "sdg" else f"{spec.title} \u2014 {profiles[0].title}"
        parts.append(
            _split(mine, spec.by_age_columns).with_columns(
                pl.lit(spec.id).alias("table"), pl.lit(title).alias("title")
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
    normalise: bool = False,
) -> pl.DataFrame:
    """The whole standard table set, tidy: one row per (table, profile, row, column, indicator),
    with each table's footnotes (:func:`table_notes`, in English) in the column ``note``, one
    per line.

    ``classified`` passes classifications already made (see ``estimate_survey``); with
    ``normalise`` the weighted numbers of children are those of weights scaled to sum to the
    number of cases, as MICS tabulations show them (:mod:`ipec.survey.weights`).
    """
    codes = FrameCodes()  # design and domain columns coded once for both parts
    frames = dict(classified or {})
    # each profile classified once, in memory; read streaming, each pass classifies the
    # batches it reads, so memory stays bounded by PSUs x cells
    for needed in () if mapped.streaming else {profile, *sdg_profiles(mapped)}:
        if needed.id not in frames:
            frames[needed.id] = classify_survey(mapped, needed).collect()
    sdg = sdg_table(mapped, options, classified=frames, codes=codes)
    background = background_tables(mapped, profile, options, classified=frames, codes=codes)
    # one pass for the number of cases and the factor, which the notes and counts share
    cases, factor = count_scale(mapped) if normalise else (None, 1.0)
    notes = table_notes(mapped, profile, classified=frames, cases_normalised=cases)
    tables = scale_counts(joined_tables([sdg, background]), factor)
    return with_notes(tables, notes)


def with_notes(tables: pl.DataFrame, notes: Mapping[str, Sequence[TableNote]]) -> pl.DataFrame:
    """The tables with their footnotes in English, one per line, in the column ``note``."""
    text = {table: "\n".join(note.text() for note in found) for table, found in notes.items()}
    note = pl.col("table").replace_strict(text, default="", return_dtype=pl.String)
    return tables.with_columns(note.alias("note"))


#: The footnotes of the tables, in English (the report's locales hold the same keys). The
#: definition a note speaks of is the one the table's title names.
NOTE_TEMPLATES: dict[str, str] = {
    "unknown_hours": "{count} children reported an activity with unknown hours; counted as not "
    "reaching the threshold, as MICS does.",
    "unknown_hours_one": "1 child reported an activity with unknown hours; counted as not "
    "reaching the threshold, as MICS does.",
    "not_counted": "{column}: shown for information, not counted as child labour ({reason}).",
    "zero_by_definition": "{column}: not counted ({reason}), so zero by definition.",
    "not_measured": "{column}: not measured ({reason}), so zero.",
    "normalised": "Weights normalised to sum to the number of cases ({count}), as MICS "
    "tabulations do: the numbers of children are sample counts, not population totals.",
}
#: Why an indicator is not counted or not measured, in English.
NOTE_REASONS: dict[str, str] = {
    "no_conditions": "this definition lists no hazardous conditions",
    "no_industries": "this definition lists no hazardous industries",
    "no_occupations": "this definition lists no hazardous occupations",
    "no_chores": "this definition does not count household chores",
    "no_long_hours": "this definition sets no long-hours threshold",
    "no_condition_variables": "the survey has no hazardous-condition variables",
    "no_industry_variable": "the survey has no industry variable",
    "no_occupation_variable": "the survey has no occupation variable",
}


@dataclass(frozen=True, slots=True)
class TableNote:
    """A footnote of a table: a key of :data:`NOTE_TEMPLATES` and its values.

    ``column`` is an indicator id, ``reason`` a key of :data:`NOTE_REASONS` and ``count`` a
    number of children or cases; each writer puts them in its language (:meth:`text` in
    English).
    """

    key: str
    column: str = ""
    reason: str = ""
    count: int = 0

    def text(self) -> str:
        """The note in English."""
        return NOTE_TEMPLATES[self.key].format(
            column=INDICATOR_LABELS.get(self.column, self.column),
            reason=NOTE_REASONS.get(self.reason, self.reason),
            count=f"{self.count:,}",
        )


def _indicator_note(indicator: str, profile: Profile, columns: set[str]) -> TableNote | None:
    """Why ``indicator`` is not child labour under ``profile``, or not measured by the survey
    whose canonical columns are ``columns``; None when it is counted."""
    hazards = profile.hazards
    has_conditions = bool(columns & set(HAZARD_COLUMNS))
    found: tuple[str, str] | None = None
    if indicator == "any_hazardous_condition":
        if not has_conditions:
            found = ("not_measured", "no_condition_variables")
        elif not hazards.conditions:
            found = ("not_counted", "no_conditions")
    elif indicator == "reason_haz_conditions":
        if not hazards.conditions:
            found = ("zero_by_definition", "no_conditions")
        elif not {f"haz_{name}" for name in hazards.conditions} & columns:
            found = ("not_measured", "no_condition_variables")
    elif indicator == "reason_haz_industry":
        if not hazards.industries:
            found = ("zero_by_definition", "no_industries")
        elif "isic" not in columns:
            found = ("not_measured", "no_industry_variable")
    elif indicator == "reason_haz_occupation":
        if not hazards.occupations:
            found = ("zero_by_definition", "no_occupations")
        elif "isco" not in columns:
            found = ("not_measured", "no_occupation_variable")
    elif indicator == "reason_long_hours" and profile.economic.long_hours is None:
        found = ("zero_by_definition", "no_long_hours")
    elif indicator == "chores_above_threshold" and not profile.chores.counted:
        found = ("zero_by_definition", "no_chores")
    elif indicator == "chores_below_threshold" and not profile.chores.counted:
        found = ("not_counted", "no_chores")
    if found is None:
        return None
    return TableNote(found[0], column=indicator, reason=found[1])


def _unknown_hours(frame: pl.DataFrame | pl.LazyFrame, profile: Profile) -> int:
    """Children in scope who reported an activity the profile counts with unknown hours."""
    in_scope = pl.col("in_scope").fill_null(value=False)
    if profile.chores.counted:
        unknown = pl.col("hours_unknown").fill_null(value=False)
    else:  # chores hours do not matter: an economic activity whose hours are unknown
        working = pl.col("in_economic_activity").fill_null(value=False)
        unknown = working & pl.col("economic_hours").is_null()
    query = frame.lazy().select((in_scope & unknown).sum())
    streamed = isinstance(frame, pl.LazyFrame)
    counted = query.collect(engine="streaming") if streamed else query.collect()
    return int(counted.item())


def _unknown_hours_note(count: int) -> TableNote:
    return TableNote("unknown_hours_one" if count == 1 else "unknown_hours", count=count)


def table_notes(
    mapped: MappedSurvey,
    profile: Profile,
    *,
    classified: Mapping[str, pl.DataFrame] | None = None,
    cases_normalised: int | None = None,
) -> dict[str, tuple[TableNote, ...]]:
    """The footnotes of each table of the set under ``profile``, by table id.

    A column the profile does not count (hazardous conditions under SDG 8.7.1) or the survey
    does not measure (industries without an industry variable) is named, with why; every table
    says how many children in scope reported an activity with unknown hours and that they
    are counted as not reaching the threshold (the MICS convention); ``cases_normalised``, the
    number of cases when the weights are normalised (:func:`~ipec.survey.weights.count_scale`),
    adds that the weights sum to it.
    """
    frames = dict(classified or {})
    columns = set(mapped.frame.collect_schema().names())

    def unknown(chosen: Profile) -> TableNote:
        frame = frames.get(chosen.id)
        source = frame if frame is not None else classify_survey(mapped, chosen)
        return _unknown_hours_note(_unknown_hours(source, chosen))

    common: list[TableNote] = []
    if cases_normalised is not None:
        common.append(TableNote("normalised", count=cases_normalised))
    notes: dict[str, tuple[TableNote, ...]] = {}
    series = sdg_profiles(mapped)
    mine = unknown(profile)
    for spec in STANDARD_TABLES:
        if spec.rows == "sdg":
            if series:
                notes[spec.id] = (unknown(series[0]), *common)
            continue
        if spec.id == "PR.3.2" and not mapped.has_chores:
            continue
        found = [_indicator_note(name, profile, columns) for name in spec.indicators]
        notes[spec.id] = (*(n for n in found if n is not None), mine, *common)
    return notes

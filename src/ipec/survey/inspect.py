"""A data-quality report on a survey file read through a variable map.

What was mapped and what is missing, the frequency of each code, values outside the codes the
map expects, and the share of reported activities whose hours are unknown: what an analyst
checks before trusting a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ipec.classify.prepare import MAX_WEEKLY_HOURS
from ipec.survey.join import joined_file
from ipec.survey.mapping import MappedSurvey, MappingReport, code_text
from ipec.survey.maps.model import SurveyMap
from ipec.survey.readers import SurveyFile

__all__ = ["InspectReport", "VariableQuality", "inspect_survey"]

_TOP_CODES = 12
_HOURS_PAIRS = {
    "econ_hours": "econ_any",
    "chores_hours": "chores_any",
    "water_hours": "water_any",
    "firewood_hours": "firewood_any",
}


@dataclass(frozen=True, slots=True)
class VariableQuality:
    """One raw variable: what it feeds, its most frequent codes, and values out of range."""

    field: str
    variable: str
    kind: str
    frequencies: tuple[tuple[str, int], ...]
    missing: int
    out_of_range: int
    expected: str


@dataclass(frozen=True, slots=True)
class InspectReport:
    """The whole data-quality report."""

    source: str
    map_id: str
    mapping: MappingReport
    variables: tuple[VariableQuality, ...]
    unknown_hours: tuple[tuple[str, int, int], ...]
    design: dict[str, int]


def _expected(kind: str, survey_map: SurveyMap) -> tuple[Callable[[pl.Expr], pl.Expr] | None, str]:
    """A test of the values the map expects for this kind of variable, and its description."""
    if kind == "flag":
        codes = [*survey_map.yes_codes, *survey_map.no_codes, *survey_map.no_response_codes]
        as_float = [float(code) for code in codes]
        return (lambda value: value.is_in(as_float)), "codes " + ", ".join(map(str, codes))
    if kind == "hours":
        unknown = list(survey_map.unknown_hours_codes)
        unknown_float = [float(code) for code in unknown]
        return (
            lambda value: value.is_between(0, MAX_WEEKLY_HOURS) | value.is_in(unknown_float)
        ), f"0-168 hours or unknown codes {', '.join(map(str, unknown))}"
    if kind == "age":
        return (lambda value: value.is_between(5, 17)), "ages 5-17"
    return None, "any code"


def inspect_survey(file: SurveyFile, survey_map: SurveyMap, mapped: MappedSurvey) -> InspectReport:
    """Frequencies and range checks over the rows used (completed, positive weight)."""
    file = joined_file(file, survey_map)  # the household file's variables too, if any
    used_rows = mapped.frame.select("_file_row")
    raw_vars = [v for names in mapped.raw_variables.values() for v in names]
    raw = (
        file.read(list(dict.fromkeys(raw_vars)))
        .with_row_index("_file_row")
        .join(used_rows, on="_file_row", how="semi")
    )
    quality: list[VariableQuality] = []
    for field_name, variables in mapped.raw_variables.items():
        kind = survey_map.kind_of(field_name) if field_name in survey_map.child else "domain"
        check, expected = _expected(kind, survey_map)
        for variable in variables:
            counts = (
                raw.select(pl.col(variable).value_counts(sort=True))
                .unnest(variable)
                .collect(engine="streaming")
            )
            missing = int(counts.filter(pl.col(variable).is_null())["count"].sum())
            present = counts.filter(pl.col(variable).is_not_null())
            out = 0
            if check is not None and present.height:
                values = pl.col(variable).cast(pl.Float64, strict=False)
                out = int(present.filter(~check(values).fill_null(value=False))["count"].sum())
            top = tuple(
                (code_text(value), int(count))
                for value, count in present.head(_TOP_CODES).iter_rows()
            )
            quality.append(VariableQuality(field_name, variable, kind, top, missing, out, expected))
    frame_schema = mapped.frame.collect_schema()
    pairs = [(h, a) for h, a in _HOURS_PAIRS.items() if h in frame_schema and a in frame_schema]
    unknown: list[tuple[str, int, int]] = []
    if pairs:
        counts_row = (
            mapped.frame.select(
                *(pl.col(a).sum().alias(f"{h}:reported") for h, a in pairs),
                *((pl.col(a) & pl.col(h).is_null()).sum().alias(f"{h}:unknown") for h, a in pairs),
            )
            .collect(engine="streaming")
            .row(0, named=True)
        )
        unknown = [(h, int(counts_row[f"{h}:unknown"]), int(counts_row[f"{h}:reported"]))
                   for h, _ in pairs]  # fmt: skip
    design = (
        mapped.frame.select(
            pl.len().alias("rows"),
            *([pl.col("_psu").n_unique().alias("psus")] if "_psu" in mapped.design_columns else []),
            *(
                [pl.col("_stratum").n_unique().alias("strata")]
                if "_stratum" in mapped.design_columns
                else []
            ),
        )
        .collect(engine="streaming")
        .row(0, named=True)
    )
    return InspectReport(
        source=file.source,
        map_id=survey_map.id,
        mapping=mapped.report,
        variables=tuple(quality),
        unknown_hours=tuple(unknown),
        design={key: int(value) for key, value in design.items()},
    )

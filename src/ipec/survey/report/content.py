"""Everything the report shows, computed once from a mapped survey (no formatting here).

Each profile is classified once; every estimate then reuses that classification, so a report
over millions of children costs a few passes over the data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import numpy as np
import polars as pl

from ipec.classify.record import HAZARD_COLUMNS
from ipec.standards import Profile
from ipec.survey.analysis import EstimateOptions, classify_survey, estimate_survey
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.design import ReplicateDesign
from ipec.survey.estimate import estimate_with_codes
from ipec.survey.flags import display_flag
from ipec.survey.indicators import Proportion
from ipec.survey.mapping import AGE_GROUPS, MappedSurvey
from ipec.survey.tables import (
    TableNote,
    background_tables,
    joined_tables,
    sdg_breakdowns,
    sdg_profiles,
    sdg_table,
    table_notes,
    with_notes,
)
from ipec.survey.weights import count_scale, scale_counts

__all__ = ["HOURS_CAP", "ReportContent", "build_content", "hours_distribution", "hours_thresholds"]

#: Hours above this are drawn in one last bar ("70+").
HOURS_CAP = 70
_ACTIVITIES = {
    "econ_hours": "econ_any",
    "chores_hours": "chores_any",
    "water_hours": "water_any",
    "firewood_hours": "firewood_any",
}


@dataclass(frozen=True)
class ReportContent:
    """The numbers behind every section of the report.

    Tables PR.3.1-PR.3.4, the longest part, are computed in a worker thread while the other
    sections are estimated and drawn (NumPy and Polars release the GIL in their loops, so two
    cores both work): reading ``tables`` (or what comes from them) waits for that thread and
    raises its error, if any.
    """

    profile: Profile
    compared: tuple[Profile, ...]
    options: EstimateOptions
    population: float | None
    headline: pl.DataFrame
    by_age_sex: pl.DataFrame
    economic_hours: pl.DataFrame
    chores_hours: pl.DataFrame
    hazards: pl.DataFrame
    comparison: pl.DataFrame
    design: dict[str, int]
    unknown_hours: dict[str, tuple[int, int]]
    #: Children in scope whose status is undetermined (unknown hours that could cross a
    #: threshold): how many in the sample, and their weighted count. The estimates count them
    #: as not in child labour, as MICS does.
    undetermined: tuple[int, float]
    domains: tuple[str, ...]
    sdg_part: pl.DataFrame
    pending_background: Future[pl.DataFrame]
    #: The footnotes of each standard table, by table id.
    notes: dict[str, tuple[TableNote, ...]]
    #: What the weighted counts of the tables are multiplied by: 1, or cases / sum of weights
    #: for normalised weights (the other sections' counts are scaled already).
    count_scale: float = 1.0

    @cached_property
    def tables(self) -> pl.DataFrame:
        """The standard tables (SDG 8.7.1, PR.3.1-PR.3.4) with their display flags and notes."""
        tables = joined_tables([self.sdg_part, self.pending_background.result()])
        return with_notes(scale_counts(tables, self.count_scale), self.notes)

    @property
    def by_region(self) -> pl.DataFrame:
        """Child labour by region: rows of table PR.3.3."""
        return self._breakdown("region")

    @property
    def by_area(self) -> pl.DataFrame:
        """Child labour by area (urban, rural): rows of table PR.3.3."""
        return self._breakdown("area")

    @property
    def suppressed(self) -> tuple[int, int]:
        """Cells of the standard tables suppressed by the display rules, and all cells."""
        tables = self.tables
        flags = tables["flag"].to_list()
        return sum(display_flag(flag) == "*" for flag in flags), tables.height

    def _breakdown(self, name: str) -> pl.DataFrame:
        if name not in self.domains:
            return pl.DataFrame()
        rows = self.tables.filter(
            (pl.col("table") == "PR.3.3")
            & (pl.col("indicator") == "child_labour")
            & (pl.col("by") == name)
        )
        return rows.select(self.headline.columns)


def _unique(profiles: Sequence[Profile]) -> list[Profile]:
    seen: dict[str, Profile] = {}
    for profile in profiles:
        seen.setdefault(profile.id, profile)
    return list(seen.values())


def _engine(frame: pl.DataFrame | pl.LazyFrame) -> Any:
    """Polars' streaming engine for a lazy query over the file (memory bounded by the
    result), its default for a frame in memory."""
    return "streaming" if isinstance(frame, pl.LazyFrame) else "auto"


def _row(frame: pl.DataFrame | pl.LazyFrame, *exprs: pl.Expr) -> dict[str, Any]:
    """One row of aggregates of ``frame``, in one pass."""
    return frame.lazy().select(*exprs).collect(engine=_engine(frame)).row(0, named=True)


def _columns(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    return frame.collect_schema().names()


def hours_distribution(
    frame: pl.DataFrame | pl.LazyFrame, hours: str, activity: str
) -> pl.DataFrame:
    """Weighted share of children by whole hours (capped), within each age group.

    In memory, the sums are one ``np.bincount`` over (age group, hour) codes: a hash group-by
    of millions of rows costs more, and on a busy machine waits on each of its threads. A
    lazy query over the file (a survey read streaming) is summed by Polars' streaming
    group-by instead, whose memory is bounded by the 213 (age group, hour) cells.
    """
    weight = "_weight"
    # only the four columns used, before the filter (a filter copies every column it keeps)
    working = frame.select("age_group", hours, activity, weight).filter(
        pl.col(activity).fill_null(value=False)
        & pl.col(hours).is_not_null()
        & (pl.col(weight) > 0)
        & pl.col("age_group").is_not_null()
    )
    bins = HOURS_CAP + 1
    size = bins * len(AGE_GROUPS)
    hour_code = pl.col(hours).floor().clip(0, HOURS_CAP).cast(pl.Int64)
    if isinstance(working, pl.LazyFrame):
        summed = (
            working.group_by(key=pl.col("age_group").cast(pl.Int64) * bins + hour_code)
            .agg(pl.col(weight).sum())
            .collect(engine="streaming")
        )
        all_sums = np.zeros(size)
        all_sums[summed["key"].to_numpy()] = summed[weight].to_numpy()
    else:
        group = working["age_group"].cast(pl.Int64).to_numpy()
        key = group * bins + working.select(hour_code).to_series().to_numpy()
        all_sums = np.bincount(key, weights=working[weight].to_numpy(), minlength=size).astype(
            np.float64
        )
    # Every weight kept is positive: a bin has rows exactly when its sum is positive.
    present = np.flatnonzero(all_sums)
    sums = all_sums[present]
    groups = present // bins
    totals = np.bincount(groups, weights=sums, minlength=len(AGE_GROUPS))
    return pl.DataFrame(
        {
            "age_group": [AGE_GROUPS[g] for g in groups.tolist()],
            "hours": (present % bins).astype(np.int32),
            "share": sums / totals[groups],
        },
        schema={"age_group": pl.String, "hours": pl.Int32, "share": pl.Float64},
    ).sort("age_group", "hours")


def hours_thresholds(profile: Profile) -> dict[str, dict[str, list[float]]]:
    """The hours thresholds that apply in each age group, for economic activity and chores."""
    ages, economic = profile.ages, profile.economic
    bounds = {"5-11": (5, 11), "12-14": (12, 14), "15-17": (15, 17)}
    out: dict[str, dict[str, list[float]]] = {"economic": {}, "chores": {}}
    for label, (low, high) in bounds.items():
        marks: list[float] = []
        below = economic.below_light_work_hours
        if low < ages.light_work and below != "any":
            marks.append(float(below))
        limit = economic.light_work_max_hours
        if limit is not None and high >= ages.light_work and low < ages.minimum:
            marks.append(limit)
        if economic.long_hours is not None and low < ages.hazardous:
            marks.append(economic.long_hours)
        out["economic"][label] = sorted(set(marks))
        out["chores"][label] = sorted(
            {
                band.hours
                for band in profile.chores.bands
                if band.ages.min <= high and band.ages.max >= low
            }
        )
    return out


def _hazards(
    frame: pl.DataFrame | pl.LazyFrame,
    mapped: MappedSurvey,
    options: EstimateOptions,
    codes: FrameCodes,
) -> pl.DataFrame:
    """Share of children in economic activity exposed to each hazardous condition."""
    present = [column for column in HAZARD_COLUMNS if column in _columns(frame)]
    if not present:
        return pl.DataFrame(schema={"indicator": pl.String, "estimate": pl.Float64})
    working = pl.col("in_economic_activity").fill_null(value=False)
    design_columns = list(mapped.design_columns)
    data = frame.select(
        *design_columns,
        *(pl.when(working).then(pl.col(column)).alias(column) for column in present),
    )
    result = estimate_with_codes(
        data,
        mapped.design,
        [Proportion(column) for column in present],
        df=options.df,
        ci=options.ci,
        level=options.level,
        flags=options.flags,
        codes=codes,
    ).to_polars()
    return result.with_columns(pl.col("indicator").str.strip_prefix("haz_"))


def _unknown_hours(frame: pl.DataFrame | pl.LazyFrame) -> dict[str, tuple[int, int]]:
    columns = _columns(frame)
    pairs = [(h, a) for h, a in _ACTIVITIES.items() if h in columns and a in columns]
    if not pairs:
        return {}
    scope = pl.col("in_scope")
    row = _row(
        frame,
        *((scope & pl.col(a)).sum().alias(f"{h}:reported") for h, a in pairs),
        *((scope & pl.col(a) & pl.col(h).is_null()).sum().alias(f"{h}:unknown") for h, a in pairs),
    )
    return {h: (int(row[f"{h}:unknown"]), int(row[f"{h}:reported"])) for h, _ in pairs}


def _undetermined(frame: pl.DataFrame | pl.LazyFrame) -> tuple[int, float]:
    """Children in scope left undetermined, unweighted and weighted."""
    chosen = pl.col("in_scope").fill_null(value=False) & pl.col("undetermined")
    row = _row(frame, chosen.sum().alias("n"), pl.col("_weight").filter(chosen).sum().alias("w"))
    return int(row["n"]), float(row["w"])


def _design_facts(
    mapped: MappedSurvey, frame: pl.DataFrame | pl.LazyFrame, codes: FrameCodes
) -> dict[str, int]:
    if isinstance(frame, pl.LazyFrame):
        return _design_facts_streaming(mapped, frame)
    facts = {"rows": int((frame["_weight"] > 0).sum())}
    design = mapped.design
    if isinstance(design, ReplicateDesign):
        facts["replicates"] = len(design.replicates)
        facts["df"] = design.degf if design.degf is not None else len(design.replicates) - 1
        return facts
    if design.psu is not None:
        # the PSUs the estimates coded, when they could (a query over the pairs otherwise)
        psus = codes.psu_count(frame, design.strata, design.psu)
        if psus is None:
            pairs = ["_stratum", "_psu"] if design.strata is not None else ["_psu"]
            psus = frame.select(pl.struct(pairs).n_unique()).item()
        facts["psus"] = psus
    if design.strata is not None:
        facts["strata"] = frame["_stratum"].n_unique()
    facts["df"] = facts.get("psus", facts["rows"]) - facts.get("strata", 1)
    return facts


def _design_facts_streaming(mapped: MappedSurvey, frame: pl.LazyFrame) -> dict[str, int]:
    """:func:`_design_facts` of a lazy query over the file, in one streaming pass (memory
    bounded by the number of PSUs)."""
    design = mapped.design
    exprs = [(pl.col("_weight") > 0).sum().alias("rows")]
    if not isinstance(design, ReplicateDesign) and design.psu is not None:
        pairs = ["_stratum", "_psu"] if design.strata is not None else ["_psu"]
        exprs.append(pl.struct(pairs).n_unique().alias("psus"))
    if not isinstance(design, ReplicateDesign) and design.strata is not None:
        exprs.append(pl.col("_stratum").n_unique().alias("strata"))
    facts = {name: int(value) for name, value in _row(frame, *exprs).items()}
    if isinstance(design, ReplicateDesign):
        facts["replicates"] = len(design.replicates)
        facts["df"] = design.degf if design.degf is not None else len(design.replicates) - 1
        return facts
    facts["df"] = facts.get("psus", facts["rows"]) - facts.get("strata", 1)
    return facts


def build_content(
    mapped: MappedSurvey,
    profile: Profile,
    *,
    compare: Sequence[Profile] = (),
    options: EstimateOptions | None = None,
    population: float | None = None,
    normalise: bool = False,
) -> ReportContent:
    """Classify under every profile the report needs, then compute each section's numbers.

    ``normalise``: weighted counts as with weights scaled to sum to the number of cases, as
    MICS tabulations show them (:mod:`ipec.survey.weights`): sample counts.
    """
    chosen = options or EstimateOptions()
    sdg = sdg_profiles(mapped)
    everyone = _unique([profile, *sdg, *compare])
    classified: dict[str, pl.DataFrame] = {}
    if not mapped.streaming:
        # one Polars run for every profile: the steps the classifications share are done once
        frames = pl.collect_all([classify_survey(mapped, p) for p in everyone])
        classified = {p.id: frame for p, frame in zip(everyone, frames, strict=True)}
    # read streaming, every section classifies the batches it reads (memory bounded by PSUs
    # x cells, not rows)
    codes = FrameCodes()  # design and domain columns coded once for every estimate
    background = _in_background(
        partial(background_tables, mapped, profile, chosen, classified=classified, codes=codes)
    )
    try:
        cases, scale = count_scale(mapped) if normalise else (None, 1.0)
        notes = table_notes(mapped, profile, classified=classified, cases_normalised=cases)
        return _the_rest(mapped, profile, compare, chosen, population, classified, codes,
                         background, notes=notes, scale=scale)  # fmt: skip
    except BaseException:
        background.cancel()  # if it has not started yet, it never will
        raise


def _in_background(job: Callable[[], pl.DataFrame]) -> Future[pl.DataFrame]:
    """``job`` run in a daemon thread, its result or error in the future returned. A daemon,
    so that a failure or Ctrl-C in the caller does not wait, at exit, for tables no one
    will read (a library caller's thread runs to the end of its job)."""
    future: Future[pl.DataFrame] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(job())
        except BaseException as error:  # handed to whoever reads the tables
            future.set_exception(error)

    threading.Thread(target=run, name="ipec-report-tables", daemon=True).start()
    return future


def _the_rest(  # noqa: PLR0917 - internal
    mapped: MappedSurvey,
    profile: Profile,
    compare: Sequence[Profile],
    chosen: EstimateOptions,
    population: float | None,
    classified: dict[str, pl.DataFrame],
    codes: FrameCodes,
    background: Future[pl.DataFrame],
    *,
    notes: dict[str, tuple[TableNote, ...]],
    scale: float,
) -> ReportContent:
    """Every section but tables PR.3.1-PR.3.4, which ``background`` is computing."""
    sdg = sdg_profiles(mapped)
    common: dict[str, Any] = {"options": chosen, "classified": classified, "codes": codes}
    domains = mapped.domains
    # The headline (child labour by sex and age, SDG series and the profile) and the SDG 8.7.1
    # table share one estimate: the table's breakdowns are the headline's plus sex x age group.
    by_headline = {name for name in ("sex", "age_group", "age_band") if name in domains}
    sdg_by = sdg_breakdowns(mapped)
    by_both: list[tuple[str, ...]] = [
        (name,) for name in ("sex", "age_group", "age_band") if name in by_headline
    ]
    by_both += [spec for spec in sdg_by if spec not in by_both]
    both = estimate_survey(
        mapped, _unique([*sdg, profile]), by=by_both, indicators=["child_labour"], **common
    )
    headline = scale_counts(both.filter(pl.col("by").is_in(["total", *by_headline])), scale)
    sdg_ids = [p.id for p in sdg]
    sdg_estimates = None
    if [spec for spec in by_both if spec in sdg_by] == sdg_by:
        sdg_estimates = both.filter(
            pl.col("profile").is_in(sdg_ids)
            & pl.col("by").is_in(["total", *("*".join(spec) for spec in sdg_by)])
        )
    age_specs = [("age_year", "sex"), ("age_year",)] if "sex" in domains else [("age_year",)]
    done = classified.get(profile.id)
    own = done if done is not None else classify_survey(mapped, profile)
    return ReportContent(
        profile=profile,
        compared=tuple(compare),
        options=chosen,
        population=population,
        headline=headline,
        by_age_sex=scale_counts(
            estimate_survey(mapped, profile, by=age_specs, indicators=["child_labour"], **common),
            scale,
        ),
        economic_hours=hours_distribution(own, "economic_hours", "in_economic_activity"),
        chores_hours=hours_distribution(own, "chores_hours_total", "in_chores"),
        hazards=scale_counts(_hazards(own, mapped, chosen, codes), scale),
        comparison=scale_counts(
            estimate_survey(
                mapped, _unique([profile, *compare, *sdg]), indicators=["child_labour"], **common
            ),
            scale,
        ),
        design=_design_facts(mapped, own, codes),
        unknown_hours=_unknown_hours(own),
        undetermined=_scaled(_undetermined(own), scale),
        domains=tuple(domains),
        sdg_part=sdg_table(
            mapped, chosen, classified=classified, sdg_estimates=sdg_estimates, codes=codes
        ),
        pending_background=background,
        notes=notes,
        count_scale=scale,
    )


def _scaled(counted: tuple[int, float], scale: float) -> tuple[int, float]:
    return counted[0], counted[1] * scale

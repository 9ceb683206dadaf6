"""Design-based estimates (means, proportions, totals, ratios) for the whole sample and domains.

The request is checked here (indicators, options, the columns read), then handed to the
engines of :mod:`engines` (replicate weights, a dense (PSU x cell) cube, group tables), which
sum the rows once per pass of domain specs and do the rest in NumPy. Domains keep the full
design: a PSU without cases in a domain still counts in n_h, with a zero total, as in R
``svyby``/``subset``. Rows with a null in the analysed column are left out of that estimate
(R ``na.rm=TRUE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import polars as pl

from ipec.errors import DesignError
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.design import ReplicateDesign, SurveyDesign
from ipec.survey.domains import DomainSpec, normalise_by
from ipec.survey.engines import EstimateJob, Specs, run_engines
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Mean, Proportion, Ratio, Total, as_indicator
from ipec.survey.intervals import CiMethod
from ipec.survey.prepare import Check, check_frame, row_checks, select_columns
from ipec.survey.result import SurveyResult

__all__ = [
    "DfMethod",
    "analysed_columns",
    "check_options",
    "estimate",
    "estimate_with_codes",
    "indicators_of",
]

DfMethod = Literal["domain", "design", "infinite"]


def _checks(
    frame: pl.DataFrame | pl.LazyFrame, weights: Sequence[str], inds: Sequence[Indicator]
) -> list[Check]:
    """Check an in-memory frame now; a LazyFrame's row checks ride along the streaming pass."""
    if isinstance(frame, pl.DataFrame):
        check_frame(frame, weights, inds)
        return []
    return row_checks(frame.collect_schema(), weights, inds)


def indicators_of(indicators: Indicator | str | Sequence[Indicator | str]) -> list[Indicator]:
    """The indicators of a request (a bare name is a mean), none missing, no label twice."""
    if isinstance(indicators, str | Mean | Proportion | Total | Ratio):
        indicators = [indicators]
    inds = [as_indicator(i) for i in indicators]
    if not inds:
        raise DesignError("no indicators to estimate")
    labels = [(i.label, i.kind) for i in inds]
    if len(set(labels)) != len(labels):
        raise DesignError("two indicators of one kind share a label", hint="give one name=...")
    return inds


def check_options(*, level: float, df: str, ci: str | None = None) -> None:
    """The confidence level, df method and interval method every estimator takes."""
    if not 0 < level < 1:
        raise DesignError(f"level must be between 0 and 1, got {level}", hint="use level=0.95")
    if df not in get_args(DfMethod):
        raise DesignError(
            f"unknown df method {df!r}", hint=f"use one of {', '.join(get_args(DfMethod))}"
        )
    if ci is not None and ci not in get_args(CiMethod):
        raise DesignError(
            f"unknown ci method {ci!r}", hint=f"use one of {', '.join(get_args(CiMethod))}"
        )


def analysed_columns(inds: Sequence[Indicator]) -> list[str]:
    """The columns the indicators read."""
    return [
        c
        for i in inds
        for c in ([i.numerator, i.denominator] if isinstance(i, Ratio) else [i.column])
    ]


def estimate(
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    indicators: Indicator | str | Sequence[Indicator | str],
    by: DomainSpec | Sequence[DomainSpec] | None = None,
    *,
    overall: bool = True,
    df: DfMethod = "domain",
    ci: CiMethod = "logit",
    level: float = 0.95,
    flags: FlagRule | None = None,
    groups: Sequence[Sequence[DomainSpec]] = (),
) -> SurveyResult:
    """Estimate indicators for the whole sample (``overall``) and each domain spec in ``by``.

    ``df``: "domain" = R ``degf`` of the domain's subset design (PSUs with non-zero weight in
    the domain minus their strata; for a replicate design the rank of the domain's replicate
    weights minus one), "design" = PSUs minus strata of the full design (a replicate design's
    declared ``degf``, else the rank of all its replicate weights minus one), "infinite" =
    normal quantiles. ``ci`` applies to proportions ("logit", "xlogit" and "beta" as R
    ``svyciprop``: "logit" refits the logit on every replicate of a replicate design and
    equals "xlogit", the closed form on the SE of p, for a linearised one; "wald" = estimate
    -/+ t(df) se, "mics" = -/+ 2 se); means, totals and ratios always get t(df) Wald
    intervals. ``groups``: more domain specs, each group summed into its own (PSU x cell)
    cube, as crossing a dozen unrelated columns in one cube is wasteful; the rows are read,
    and their weights and indicators prepared, once for every group.

    The engine is chosen per design and pass of domain specs, in the order of
    :mod:`ipec.survey.engines`.
    """
    return estimate_with_codes(
        data,
        design,
        indicators,
        by,
        overall=overall,
        df=df,
        ci=ci,
        level=level,
        flags=flags,
        groups=groups,
        codes=None,
    )


def _design_frame(
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    inds: Sequence[Indicator],
    by_cols: Sequence[str],
) -> tuple[pl.DataFrame | pl.LazyFrame, list[Check]]:
    """The columns the design, indicators and domains read, and the checks still to run."""
    if isinstance(design, ReplicateDesign):
        weights = [design.weight, *design.replicates]
        design_cols: Sequence[str] = weights
    elif isinstance(design, SurveyDesign):
        weights = [design.weight]
        design_cols = design.columns
    else:
        raise DesignError(f"not a design: {type(design).__name__}")
    frame = select_columns(data, [*design_cols, *analysed_columns(inds), *by_cols])
    return frame, _checks(frame, weights, inds)


def estimate_with_codes(
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    indicators: Indicator | str | Sequence[Indicator | str],
    by: DomainSpec | Sequence[DomainSpec] | None = None,
    *,
    overall: bool = True,
    df: DfMethod = "domain",
    ci: CiMethod = "logit",
    level: float = 0.95,
    flags: FlagRule | None = None,
    groups: Sequence[Sequence[DomainSpec]] = (),
    codes: FrameCodes | None,
) -> SurveyResult:
    """:func:`estimate`, with the design and domain codes of in-memory frames kept in
    ``codes`` between calls (None: nothing kept).

    For the survey pipeline (:mod:`analysis`, :mod:`tables`, the report), whose estimates
    over frames sharing those columns then code them once (and, for a replicate design,
    find each domain's df once); the numbers are those of :func:`estimate`.
    """
    inds = indicators_of(indicators)
    check_options(level=level, df=df, ci=ci)
    first: list[tuple[str, ...] | None] = [None] if overall else []
    first.extend(normalise_by(by))
    grouped: list[list[tuple[str, ...] | None]] = [first]
    grouped += [list(normalise_by(group)) for group in groups]
    passes: list[Specs] = [specs for specs in grouped if specs]
    if not passes:
        raise DesignError("nothing to estimate: overall=False and no domains")
    by_cols = list(dict.fromkeys(c for specs in passes for spec in specs if spec for c in spec))
    frame, checks = _design_frame(data, design, inds, by_cols)
    job = EstimateJob(
        frame=frame,
        design=design,
        indicators=inds,
        df_method=df,
        method=ci,
        level=level,
        flag_rule=flags or FlagRule(),
        checks=checks,
        codes=codes,
    )
    blocks = run_engines(job, passes)
    return SurveyResult.from_parts(blocks, level=level, ci_method=ci, df_method=df)

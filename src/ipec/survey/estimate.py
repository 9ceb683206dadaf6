"""Design-based estimates (means, proportions, totals, ratios) for the whole sample and domains.

One Polars group-by builds sums per (stratum, PSU, domain cell); NumPy does the rest. Domains keep
the full design: a PSU without cases in a domain still counts in n_h, with a zero total, as in
R ``svyby``/``subset``. Rows with a null in the analysed column are left out of that estimate
(R ``na.rm=TRUE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DesignError
from ipec.survey.blocks import Block, design_effects, level_sums, result_block
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.design import ReplicateDesign, SurveyDesign
from ipec.survey.domains import DomainSpec, normalise_by, spec_levels
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Mean, Proportion, Ratio, Total, as_indicator
from ipec.survey.intervals import CiMethod
from ipec.survey.kernel import factorize
from ipec.survey.prepare import (
    Check,
    check_frame,
    measure_of,
    raise_first,
    row_checks,
    select_columns,
)
from ipec.survey.result import SurveyResult
from ipec.survey.sufficient import build_group_table
from ipec.survey.taylor import (
    ROW_ID,
    build_structure,
    level_df,
    lonely_ssu_notes,
    taylor_variance,
)

__all__ = ["DfMethod", "analysed_columns", "check_options", "estimate", "indicators_of"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DfMethod = Literal["domain", "design", "infinite"]


class _Entries:
    """One spec's (unit, level) entries: group sums collapse to them once per spec and every
    indicator reuses the index (sums shared between indicators are collapsed once)."""

    def __init__(self, mask: BoolArray, unit: IntArray, col: IntArray, n_cols: int, n_units: int):
        self.mask = None if mask.all() else mask
        idx, uniq = factorize(unit * n_cols + col, n_units * n_cols)
        self.idx = idx
        self.unit = uniq // n_cols
        self.col = uniq % n_cols
        self.n_cols = n_cols
        self._cache: dict[int, FloatArray] = {}

    def sum(self, group_values: FloatArray | IntArray) -> FloatArray:
        """Entry totals of a per-group array of the (long-lived) group table."""
        hit = self._cache.get(id(group_values))
        if hit is None:
            v = group_values if self.mask is None else group_values[self.mask]
            hit = np.bincount(self.idx, weights=v, minlength=self.unit.size).astype(np.float64)
            self._cache[id(group_values)] = hit
        return hit

    def by_col(self, entry_values: FloatArray) -> FloatArray:
        """Level totals of per-entry values."""
        return level_sums(self.col, entry_values, self.n_cols)


def _taylor(  # noqa: PLR0917 - internal numeric kernel
    frame: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign,
    inds: Sequence[Indicator],
    specs: Sequence[tuple[str, ...] | None],
    df_method: DfMethod,
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
    checks: Sequence[Check],
) -> list[Block]:
    if design.psu is None:
        frame = frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_ID))
    by_cols = [c for spec in specs if spec for c in spec]
    keys = [*design.key_columns, *([] if design.psu else [ROW_ID]), *by_cols]
    measures = list(dict.fromkeys(measure_of(i) for i in inds))
    squares = [i.column for i in inds if not isinstance(i, Ratio)]
    table = build_group_table(
        frame,
        weight=design.weight,
        keys=keys,
        measures=measures,
        squares=squares,
        extra_minmax=[c for c in (design.fpc, design.fpc2) if c is not None],
        checks=[c for c, _, _ in checks] if isinstance(frame, pl.LazyFrame) else (),
    )
    if table.check_counts:
        raise_first(frame, checks, table.check_counts)
    st = build_structure(table, design)
    blocks: list[Block] = []
    for spec in specs:
        lv = spec_levels(table, spec)
        mask = lv.group_col >= 0
        n_cols = lv.n
        ent = _Entries(mask, st.group_unit[mask], lv.group_col[mask], n_cols, st.n_units)
        e_psu = ent.unit if st.unit_psu is None else st.unit_psu[ent.unit]
        df = level_df(df_method, st, e_psu, ent.col, ent.sum(table.n_nonzero), n_cols)
        n_rows = ent.by_col(ent.sum(table.n_nonzero))
        for ind in inds:
            tag = measure_of(ind).tag
            n_e, sw_e, swy_e = (ent.sum(table.sums[f"{tag}|{k}"]) for k in ("n", "sw", "swy"))
            n_c, sw_c, swy_c = ent.by_col(n_e), ent.by_col(sw_e), ent.by_col(swy_e)
            col = ent.col
            with np.errstate(divide="ignore", invalid="ignore"):
                if isinstance(ind, Total):
                    est = swy_c
                    z = swy_e
                elif isinstance(ind, Ratio):
                    swx_e = ent.sum(table.sums[f"{tag}|swx"])
                    swx_c = ent.by_col(swx_e)
                    est = swy_c / swx_c
                    z = (swy_e - est[col] * swx_e) / swx_c[col]
                else:
                    est = swy_c / sw_c
                    z = (swy_e - est[col] * sw_e) / sw_c[col]
            z = np.where(n_c[col] > 0, z, 0.0)
            var = taylor_variance(st, ent.unit, col, z, n_e, n_cols)
            notes = lonely_ssu_notes(st, e_psu, col, n_e, n_cols)
            if isinstance(ind, Ratio):
                deffs = (np.full(n_cols, np.nan), np.full(n_cols, np.nan))
            else:
                swyy_c = ent.by_col(ent.sum(table.sums[f"{tag}|swyy"]))
                nz_c = ent.by_col(ent.sum(table.sums[f"{tag}|nz"]))
                deffs = design_effects(ind.kind, var, swyy_c, swy_c, sw_c, nz_c)
            blocks.append(
                result_block(
                    lv,
                    ind,
                    est,
                    var,
                    df,
                    n_rows,
                    (n_c, sw_c),
                    deffs,
                    method,
                    level,
                    flag_rule,
                    notes=notes,
                )
            )
    return blocks


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
    codes: FrameCodes | None = None,
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
    intervals. ``codes`` keeps the design and domain codes of in-memory frames between calls,
    so several estimates over frames that share those columns code them once (and, for a
    replicate design, find each domain's df once). ``groups``: more domain specs, each group
    summed into its own (PSU x cell) cube, as crossing a dozen unrelated columns in one cube
    is wasteful; the rows are read, and their weights and indicators prepared, once for
    every group.
    """
    inds = indicators_of(indicators)
    check_options(level=level, df=df, ci=ci)
    first: list[tuple[str, ...] | None] = [None] if overall else []
    first.extend(normalise_by(by))
    grouped: list[list[tuple[str, ...] | None]] = [first]
    grouped += [list(normalise_by(group)) for group in groups]
    passes = [specs for specs in grouped if specs]
    if not passes:
        raise DesignError("nothing to estimate: overall=False and no domains")
    rule = flags or FlagRule()
    analysed = analysed_columns(inds)
    by_cols = list(dict.fromkeys(c for specs in passes for spec in specs if spec for c in spec))
    if isinstance(design, ReplicateDesign):
        from ipec.survey.replicate import replicate_blocks

        weights = [design.weight, *design.replicates]
        frame = select_columns(data, [*weights, *analysed, *by_cols])
        checks = _checks(frame, weights, inds)
        blocks = [
            block
            for specs in passes
            for block in replicate_blocks(
                frame,
                design,
                inds,
                specs,
                ci,
                level,
                rule,
                checks,
                df_method=df,
                ranks=codes.replicate_ranks if codes is not None else None,
            )
        ]
    elif isinstance(design, SurveyDesign):
        frame = select_columns(data, [*design.columns, *analysed, *by_cols])
        checks = _checks(frame, [design.weight], inds)
        from ipec.survey.dense_taylor import dense_blocks

        fast = dense_blocks(frame, design, inds, passes, df, ci, level, rule, checks, codes)
        per_pass = fast if fast is not None else [None] * len(passes)
        # A pass the dense cubes do not suit goes through the group tables alone.
        blocks = [
            block
            for specs, found in zip(passes, per_pass, strict=True)
            for block in (
                found
                if found is not None
                else _taylor(frame, design, inds, specs, df, ci, level, rule, checks)
            )
        ]
    else:
        raise DesignError(f"not a design: {type(design).__name__}")
    return SurveyResult.from_parts(blocks, level=level, ci_method=ci, df_method=df)

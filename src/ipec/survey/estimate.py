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
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.design import ReplicateDesign, SurveyDesign
from ipec.survey.domains import DomainSpec, Levels, normalise_by, spec_levels
from ipec.survey.flags import FlagRule, with_notes
from ipec.survey.indicators import Indicator, Mean, Proportion, Ratio, Total, as_indicator
from ipec.survey.intervals import CiMethod, proportion_interval, wald_interval
from ipec.survey.kernel import collapse, factorize
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
from ipec.survey.taylor import ROW_ID, Structure, build_structure, taylor_variance

__all__ = ["DfMethod", "estimate"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DfMethod = Literal["domain", "design", "infinite"]
Block = dict[str, "Sequence[object] | npt.NDArray[np.generic]"]


def _bincount(idx: IntArray, values: FloatArray | IntArray, n: int) -> FloatArray:
    out: FloatArray = np.bincount(idx, weights=values.astype(np.float64), minlength=n).astype(
        np.float64, copy=False
    )
    return out


def _srs_variance(
    swyy: FloatArray, swy: FloatArray, sw: FloatArray, nobs: FloatArray
) -> FloatArray:
    """R ``svyvar``: weighted variance with the n/(n-1) factor, n = rows with non-zero weight."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = (swyy - swy * swy / sw) / sw * nobs / (nobs - 1)
    return out


def design_effects(  # noqa: PLR0917 - internal numeric kernel
    kind: str,
    var: FloatArray,
    swyy: FloatArray,
    swy: FloatArray,
    sw: FloatArray,
    nobs: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """deff against SRS without replacement (R ``deff=TRUE``) and with replacement."""
    nan = np.full(var.shape, np.nan)
    if kind == "ratio":
        return nan, nan
    s2 = _srs_variance(swyy, swy, sw, nobs)
    with np.errstate(divide="ignore", invalid="ignore"):
        v_wr = s2 / nobs
        v_wor = np.where(sw >= nobs, s2 * (sw - nobs) / (sw * nobs), np.nan)
        if kind == "total":
            v_wr = v_wr * sw * sw
            v_wor = v_wor * sw * sw
        return var / v_wor, var / v_wr


def _interval(  # noqa: PLR0917 - internal numeric kernel
    ind: Indicator,
    method: CiMethod,
    est: FloatArray,
    se: FloatArray,
    df: FloatArray,
    n_rows: FloatArray,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    if isinstance(ind, Proportion):
        return proportion_interval(method, est, se, df, n_rows, level)
    return wald_interval(est, se, df, level)


def _block(  # noqa: PLR0917 - internal numeric kernel
    levels: Levels,
    ind: Indicator,
    est: FloatArray,
    var: FloatArray,
    df: FloatArray,
    n_rows: FloatArray,
    counts: tuple[FloatArray, FloatArray],
    deffs: tuple[FloatArray, FloatArray],
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
    *,
    interval: tuple[FloatArray, FloatArray] | None = None,
    notes: Sequence[str] = (),
) -> Block:
    """One (spec, indicator) block of result columns. ``interval``: one the engine computed
    its own way (a replicate design's logit refit); ``notes``: per level, what a reader must
    know beyond the display flag (added to ``flag`` after "; ")."""
    n, sw = counts
    empty = n == 0
    est = np.where(empty, np.nan, est)
    se = np.sqrt(np.where(empty, np.nan, var))
    if interval is None:
        lo, hi = _interval(ind, method, est, se, df, n_rows, level)
    else:
        lo, hi = interval
        lo, hi = np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)
    lo = np.where(df > 0, lo, np.nan)
    hi = np.where(df > 0, hi, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / est
        deft = np.sqrt(deffs[0])
    n_int = n.astype(np.int64)
    return {
        "by": [levels.by] * levels.n,
        "level": list(levels.labels),
        "indicator": [ind.label] * levels.n,
        "kind": [ind.kind] * levels.n,
        "estimate": est,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "df": df.astype(np.float64),
        "deff": deffs[0],
        "deff_wr": deffs[1],
        "deft": deft,
        "cv": cv,
        "n_unweighted": n_int,
        "n_weighted": sw,
        "flag": with_notes(flag_rule.flags(n_int), notes),
    }


def _domain_df(
    st: Structure, group_psu: IntArray, group_col: IntArray, nonzero: FloatArray, n_cols: int
) -> FloatArray:
    """R ``degf(subset(design, domain))``: PSUs with non-zero weight minus their strata."""
    psu, col, (nz,) = collapse(group_psu, group_col, n_cols, st.n_psu, [nonzero.astype(float)])
    keep = nz > 0
    psu, col = psu[keep], col[keep]
    n_psu = np.bincount(col, minlength=n_cols)
    _, strata = factorize(st.psu_stratum[psu] * n_cols + col, st.n_strata * n_cols)
    n_strata = np.bincount(strata % n_cols, minlength=n_cols)
    out: FloatArray = (n_psu - n_strata).astype(np.float64)
    return out


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
        return _bincount(self.col, entry_values, self.n_cols)


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
        if df_method == "domain":
            df = _domain_df(st, e_psu, ent.col, ent.sum(table.n_nonzero), n_cols)
        elif df_method == "design":
            df = np.full(n_cols, float(st.design_df))
        else:
            df = np.full(n_cols, np.inf)
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
            if isinstance(ind, Ratio):
                deffs = (np.full(n_cols, np.nan), np.full(n_cols, np.nan))
            else:
                swyy_c = ent.by_col(ent.sum(table.sums[f"{tag}|swyy"]))
                nz_c = ent.by_col(ent.sum(table.sums[f"{tag}|nz"]))
                deffs = design_effects(ind.kind, var, swyy_c, swy_c, sw_c, nz_c)
            blocks.append(
                _block(lv, ind, est, var, df, n_rows, (n_c, sw_c), deffs, method, level, flag_rule)
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
    intervals. ``codes`` keeps the design and domain codes of in-memory
    frames between calls, so several estimates over frames that share those columns code them
    once. ``groups``: more domain specs, each group summed into its own (PSU x cell) cube, as
    crossing a dozen unrelated columns in one cube is wasteful; the rows are read, and their
    weights and indicators prepared, once for every group.
    """
    if isinstance(indicators, str | Mean | Proportion | Total | Ratio):
        indicators = [indicators]
    inds = [as_indicator(i) for i in indicators]
    if not inds:
        raise DesignError("no indicators to estimate")
    labels = [(i.label, i.kind) for i in inds]
    if len(set(labels)) != len(labels):
        raise DesignError("two indicators of one kind share a label", hint="give one name=...")
    if not 0 < level < 1:
        raise DesignError(f"level must be between 0 and 1, got {level}")
    if df not in ("domain", "design", "infinite"):
        raise DesignError(f"unknown df method {df!r}", hint="use 'domain', 'design' or 'infinite'")
    if ci not in get_args(CiMethod):
        raise DesignError(
            f"unknown ci method {ci!r}", hint=f"use one of {', '.join(get_args(CiMethod))}"
        )
    first: list[tuple[str, ...] | None] = [None] if overall else []
    first.extend(normalise_by(by))
    grouped: list[list[tuple[str, ...] | None]] = [first]
    grouped += [list(normalise_by(group)) for group in groups]
    passes = [specs for specs in grouped if specs]
    if not passes:
        raise DesignError("nothing to estimate: overall=False and no domains")
    rule = flags or FlagRule()
    analysed = [
        c
        for i in inds
        for c in ([i.numerator, i.denominator] if isinstance(i, Ratio) else [i.column])
    ]
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
                frame, design, inds, specs, ci, level, rule, checks, df_method=df
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

"""Replicate-weight variance (R ``svrepdesign``): re-estimate with every replicate weight and
combine, v = scale * sum_r rscale_r (theta_r - centre)^2.

Sums for the full weight and every replicate come from the same single group-by over domain
cells (no PSUs needed), so the estimates for all domains cost one pass. Where R's answer
depends on more than those sums, R is followed:

- degrees of freedom: R ``degf`` of the domain's subset design, the rank of its replicate
  weights (``qr(weights, tol = 1e-5)$rank``) minus one, computed by :mod:`replicate_rank`
  from one more group-by of the weights by domain and weight pattern;
- a replicate whose estimate is undefined in a domain (no weight there) is left out of that
  domain's variance, as R ``svrVar`` discards replicates that give NA (with a warning; here a
  note in the ``flag`` column);
- the logit interval of a proportion refits the logit on every replicate, as R
  ``svyciprop(method = "logit")`` does through ``svyglm`` on a replicate design: the interval
  is expit(logit(p) -/+ t(df) sd), sd the replicate standard deviation of logit(p_r). The
  closed form on the standard error of p is ``ci = "xlogit"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import special

from ipec.survey.blocks import Block, design_effects, level_sums, result_block
from ipec.survey.design import ReplicateDesign
from ipec.survey.domains import Levels, spec_levels
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Proportion, Ratio, Total
from ipec.survey.intervals import CiMethod, t_quantile
from ipec.survey.prepare import Check, measure_of, raise_first
from ipec.survey.replicate_rank import RankCache, domain_df
from ipec.survey.sufficient import GroupTable, build_group_table

__all__ = ["replicate_blocks", "replicate_variance"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def replicate_variance(
    theta: FloatArray, thetas: FloatArray, scale: float, rscales: FloatArray, mse: bool
) -> FloatArray:
    """R ``svrVar``: ``thetas`` is (replicates, columns).

    Replicates whose value is NaN in a column are left out of that column, centre included
    (R discards them); a column with no usable replicate is NaN (R stops there).
    """
    usable = ~np.isnan(thetas)
    weights = np.where(usable, rscales[:, None], 0.0)
    filled = np.where(usable, thetas, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if mse:
            centre = theta
        else:
            counted = usable & (rscales[:, None] > 0)
            centre = np.where(counted, filled, 0.0).sum(axis=0) / counted.sum(axis=0)
        dev = np.where(usable, filled - centre[None, :], 0.0)
        out: FloatArray = scale * (weights * dev * dev).sum(axis=0)
    return np.where(usable.any(axis=0), out, np.nan)


def _dropped_note(dropped: IntArray, n_rep: int) -> list[str]:
    return [
        f"{d} of {n_rep} replicates dropped (undefined in the domain, as R)" if d else ""
        for d in dropped.tolist()
    ]


def _logit_refit(  # noqa: PLR0917 - internal numeric kernel
    theta: FloatArray,
    thetas: FloatArray,
    design: ReplicateDesign,
    rscales: FloatArray,
    df: FloatArray,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    """R ``svyciprop(method = "logit")`` on a replicate design: the logit refitted on every
    replicate, its replicate variance, the interval back-transformed.

    A replicate whose proportion is 0 or 1 has an infinite logit (R's IRLS stops at a large
    finite value there): the interval is then (0, 1) in the limit."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        eta = np.log(theta / (1 - theta))
        etas = np.log(thetas / (1 - thetas))
        spread = np.isinf(etas).any(axis=0)
        etas = np.where(np.isinf(etas), np.nan, etas)
        var = replicate_variance(eta, etas, design.effective_scale, rscales, design.mse)
        var = np.where(spread, np.inf, var)
        q = t_quantile(1 - (1 - level) / 2, df)
        sd = np.sqrt(var)
        lo = special.expit(eta - q * sd)
        hi = special.expit(eta + q * sd)
    lo = np.where(spread & np.isfinite(eta), 0.0, lo)
    hi = np.where(spread & np.isfinite(eta), 1.0, hi)
    return lo, hi


def _dfs(
    frame: pl.DataFrame | pl.LazyFrame,
    design: ReplicateDesign,
    specs: Sequence[tuple[str, ...] | None],
    df_method: str,
    cache: RankCache | None,
) -> list[dict[str, float]] | float:
    """Per spec and level label, the degrees of freedom (or one value for every row).

    "domain": R ``degf`` of each domain's subset design (the whole sample's is the declared
    ``degf`` when there is one, as R keeps it on the unsubsetted design); "design": the
    declared ``degf``, else R's rank of all the replicate weights minus one; "infinite".
    """
    if df_method == "infinite":
        return float("inf")
    if df_method == "design":
        if design.degf is not None:
            return float(design.degf)
        (whole,) = domain_df(frame, design, [None], cache)
        return next(iter(whole.values()), -1.0)
    per_spec = domain_df(frame, design, specs, cache)
    if design.degf is not None:
        per_spec = [
            {label: float(design.degf) for label in found} if spec is None else found
            for spec, found in zip(specs, per_spec, strict=True)
        ]
    return per_spec


def _indicator_block(  # noqa: PLR0917 - internal numeric kernel
    table: GroupTable,
    lv: Levels,
    design: ReplicateDesign,
    ind: Indicator,
    df: FloatArray,
    display: tuple[CiMethod, float, FlagRule],
) -> Block:
    """One indicator's estimates, replicate variance and interval at every level of a spec."""
    method, level, flag_rule = display
    mask = lv.group_col >= 0
    gcol = lv.group_col[mask]
    n_cols = lv.n
    tag = measure_of(ind).tag

    def col_sum(name: str) -> FloatArray:
        return level_sums(gcol, table.sums[f"{tag}|{name}"][mask], n_cols)

    def stat(prefix: str) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            if isinstance(ind, Total):
                out: FloatArray = col_sum(prefix + "swy")
            elif isinstance(ind, Ratio):
                out = col_sum(prefix + "swy") / col_sum(prefix + "swx")
            else:
                out = col_sum(prefix + "swy") / col_sum(prefix + "sw")
        return out

    n_rep = len(design.replicates)
    rscales = np.asarray(design.effective_rscales, dtype=np.float64)
    theta = stat("")
    thetas = np.vstack([stat(f"r{r}|") for r in range(n_rep)])
    var = replicate_variance(theta, thetas, design.effective_scale, rscales, design.mse)
    n_c = col_sum("n")
    sw_c = col_sum("sw")
    if isinstance(ind, Ratio):
        deffs = (np.full(n_cols, np.nan), np.full(n_cols, np.nan))
    else:
        deffs = design_effects(ind.kind, var, col_sum("swyy"), col_sum("swy"), sw_c, n_c)
    interval = None
    if isinstance(ind, Proportion) and method == "logit":
        interval = _logit_refit(theta, thetas, design, rscales, df, level)
    dropped = (np.isnan(thetas) & (n_c > 0)[None, :]).sum(axis=0)
    n_rows = level_sums(gcol, table.n_nonzero[mask], n_cols)
    return result_block(
        lv,
        ind,
        theta,
        var,
        df,
        n_rows,
        (n_c, sw_c),
        deffs,
        method,
        level,
        flag_rule,
        interval=interval,
        notes=_dropped_note(dropped, n_rep),
    )


def replicate_blocks(  # noqa: PLR0917 - internal numeric kernel
    frame: pl.DataFrame | pl.LazyFrame,
    design: ReplicateDesign,
    inds: Sequence[Indicator],
    specs: Sequence[tuple[str, ...] | None],
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
    checks: Sequence[Check] = (),
    df_method: str = "domain",
    ranks: RankCache | None = None,
) -> list[Block]:
    """Result blocks per (spec, indicator) for a replicate design (``checks``: row conditions
    of a LazyFrame, counted in the same streaming pass; ``ranks``: domain df kept between
    estimates over the same weights and domains)."""
    by_cols = [c for spec in specs if spec for c in spec]
    measures = list(dict.fromkeys(measure_of(i) for i in inds))
    extra: dict[str, pl.Expr] = {}
    for m in measures:
        cols = [m.y] if m.x is None else [m.y, m.x]
        ok = pl.all_horizontal([pl.col(c).is_not_null() for c in cols])
        y = pl.when(ok).then(pl.col(m.y).cast(pl.Float64))
        for r, rep in enumerate(design.replicates):
            wr = pl.col(rep).cast(pl.Float64)
            extra[f"{m.tag}|r{r}|sw"] = pl.when(ok).then(wr).otherwise(0.0).sum()
            extra[f"{m.tag}|r{r}|swy"] = (wr * y).sum()
            if m.x is not None:
                x = pl.when(ok).then(pl.col(m.x).cast(pl.Float64))
                extra[f"{m.tag}|r{r}|swx"] = (wr * x).sum()
    table = build_group_table(
        frame,
        weight=design.weight,
        keys=by_cols,
        measures=measures,
        squares=[i.column for i in inds if not isinstance(i, Ratio)],
        extra_aggs=extra,
        checks=[c for c, _, _ in checks],
    )
    if table.check_counts:
        raise_first(frame, checks, table.check_counts)
    dfs = _dfs(frame, design, specs, df_method, ranks)
    blocks: list[Block] = []
    for spec_index, spec in enumerate(specs):
        lv = spec_levels(table, spec)
        if isinstance(dfs, float):
            df = np.full(lv.n, dfs)
        else:
            df = np.array([dfs[spec_index].get(label, -1.0) for label in lv.labels])
        blocks += [
            _indicator_block(table, lv, design, ind, df, (method, level, flag_rule)) for ind in inds
        ]
    return blocks

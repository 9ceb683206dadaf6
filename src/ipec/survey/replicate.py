"""Replicate-weight variance (R ``svrepdesign``): re-estimate with every replicate weight and
combine, v = scale * sum_r rscale_r (theta_r - centre)^2.

Sums for the full weight and every replicate come from the same single group-by over domain
cells (no PSUs needed), so the estimates for all domains cost one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.survey.design import ReplicateDesign
from ipec.survey.domains import spec_levels
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Ratio, Total
from ipec.survey.intervals import CiMethod
from ipec.survey.prepare import Check, measure_of, raise_first
from ipec.survey.sufficient import build_group_table

if TYPE_CHECKING:
    from ipec.survey.estimate import Block

__all__ = ["replicate_blocks", "replicate_variance"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def replicate_variance(
    theta: FloatArray, thetas: FloatArray, scale: float, rscales: FloatArray, mse: bool
) -> FloatArray:
    """R ``svrVar``: ``thetas`` is (replicates, columns)."""
    centre = theta if mse else thetas[rscales > 0].mean(axis=0)
    dev = thetas - centre[None, :]
    out: FloatArray = scale * (rscales[:, None] * dev * dev).sum(axis=0)
    return out


def replicate_blocks(  # noqa: PLR0917 - internal numeric kernel
    frame: pl.DataFrame | pl.LazyFrame,
    design: ReplicateDesign,
    inds: Sequence[Indicator],
    specs: Sequence[tuple[str, ...] | None],
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
    checks: Sequence[Check] = (),
) -> list[Block]:
    """Result blocks per (spec, indicator) for a replicate design (``checks``: row conditions
    of a LazyFrame, counted in the same streaming pass)."""
    from ipec.survey.estimate import _bincount, _block, design_effects

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
    n_rep = len(design.replicates)
    rscales = np.asarray(design.effective_rscales, dtype=np.float64)
    blocks: list[Block] = []
    for spec in specs:
        lv = spec_levels(table, spec)
        mask = lv.group_col >= 0
        gcol = lv.group_col[mask]
        n_cols = lv.n
        df = np.full(n_cols, float(design.design_df))
        n_rows = _bincount(gcol, table.n_rows[mask], n_cols)
        for ind in inds:
            tag = measure_of(ind).tag

            def col_sum(
                name: str, tag: str = tag, g: IntArray = gcol, m: BoolArray = mask, k: int = n_cols
            ) -> FloatArray:
                return _bincount(g, table.sums[f"{tag}|{name}"][m], k)

            def stat(prefix: str, col_sum=col_sum, ind: Indicator = ind) -> FloatArray:  # type: ignore[no-untyped-def]
                with np.errstate(divide="ignore", invalid="ignore"):
                    if isinstance(ind, Total):
                        out: FloatArray = col_sum(prefix + "swy")
                    elif isinstance(ind, Ratio):
                        out = col_sum(prefix + "swy") / col_sum(prefix + "swx")
                    else:
                        out = col_sum(prefix + "swy") / col_sum(prefix + "sw")
                return out

            theta = stat("")
            thetas = np.vstack([stat(f"r{r}|") for r in range(n_rep)])
            var = replicate_variance(theta, thetas, design.effective_scale, rscales, design.mse)
            n_c = col_sum("n")
            sw_c = col_sum("sw")
            if isinstance(ind, Ratio):
                deffs = (np.full(n_cols, np.nan), np.full(n_cols, np.nan))
            else:
                deffs = design_effects(ind.kind, var, col_sum("swyy"), col_sum("swy"), sw_c, n_c)
            blocks.append(
                _block(
                    lv, ind, theta, var, df, n_rows, (n_c, sw_c), deffs, method, level, flag_rule
                )
            )
    return blocks

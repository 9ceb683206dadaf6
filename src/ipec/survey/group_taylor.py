"""Linearised estimates from a group table: the engine for every :class:`SurveyDesign`.

One Polars group-by (:mod:`sufficient`) builds sums per (stratum, PSU, second-stage unit,
domain cell); each domain spec collapses them to (unit, level) entries once, and the Taylor
variance of :mod:`taylor` runs on those entries. It covers what the dense cube does not
(designs without PSUs, two stages, an fpc, cubes too large; missing design values and lonely
PSUs under "fail", which it reports), so :mod:`engines` tries it last for a linearised design.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.survey.blocks import Block, design_effects, level_sums, result_block
from ipec.survey.design import SurveyDesign
from ipec.survey.domains import spec_levels
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Ratio, Total
from ipec.survey.intervals import CiMethod
from ipec.survey.kernel import factorize
from ipec.survey.prepare import Check, measure_of, raise_first
from ipec.survey.sufficient import build_group_table
from ipec.survey.taylor import (
    ROW_ID,
    build_structure,
    level_df,
    lonely_ssu_notes,
    taylor_variance,
)

__all__ = ["group_taylor_blocks"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


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


def group_taylor_blocks(  # noqa: PLR0917 - internal numeric kernel
    frame: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign,
    inds: Sequence[Indicator],
    specs: Sequence[tuple[str, ...] | None],
    df_method: str,
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
    checks: Sequence[Check],
) -> list[Block]:
    """Result blocks per (spec, indicator) from one group table of sums per (stratum, PSU,
    second-stage unit, domain cell): every design a :class:`SurveyDesign` can describe (no
    PSUs, two stages, fpc at either stage, any lonely-PSU rule), in memory or streamed from a
    LazyFrame (``checks``: its row conditions, counted in the same pass)."""
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

"""The result columns of one (domain spec, indicator) block, which every engine (linearised,
dense, replicate, calibrated) assembles the same way: estimate, SE, interval, df, design
effects, counts and display flags."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ipec.survey.domains import Levels
from ipec.survey.flags import FlagRule, with_notes
from ipec.survey.indicators import Indicator, Proportion
from ipec.survey.intervals import CiMethod, proportion_interval, wald_interval

__all__ = ["Block", "design_effects", "level_sums", "result_block"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Block = dict[str, "Sequence[object] | npt.NDArray[np.generic]"]


def level_sums(idx: IntArray, values: FloatArray | IntArray, n: int) -> FloatArray:
    """Per level, the sum of ``values`` of the groups whose level index is ``idx``."""
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


def result_block(  # noqa: PLR0917 - internal numeric kernel
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

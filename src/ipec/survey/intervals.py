"""Confidence intervals, written to match R ``survey`` (``confint`` with t(df), ``svyciprop``).

Degrees of freedom <= 0 give NaN intervals; infinite df means normal quantiles, as R's
``qt(p, Inf)`` does.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = ["CiMethod", "proportion_interval", "t_quantile", "wald_interval"]

FloatArray = npt.NDArray[np.float64]
CiMethod = Literal["logit", "xlogit", "beta", "wald", "mics"]


def t_quantile(p: float, df: FloatArray) -> FloatArray:
    """Quantile of Student's t per element; NaN for df <= 0 or NaN, normal for df = inf."""
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    finite = np.isfinite(df) & (df > 0)
    # scipy.stats.t.ppf and norm.ppf are these functions (the special functions alone
    # spare every command the import of scipy.stats)
    out[finite] = special.stdtrit(df[finite], p)
    out[np.isposinf(df)] = special.ndtri(p)
    return out


def wald_interval(
    est: FloatArray, se: FloatArray, df: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """estimate -/+ t(df) * se, as R ``confint(svymean(...), df=)``."""
    q = t_quantile(1 - (1 - level) / 2, df)
    return est - q * se, est + q * se


def proportion_interval(  # noqa: PLR0917 - internal numeric kernel
    method: CiMethod,
    p: FloatArray,
    se: FloatArray,
    df: FloatArray,
    n_rows: FloatArray,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    """Interval for proportions: R ``svyciprop`` xlogit (the logit interval in closed form,
    which is R's logit for a linearised design) and beta (Korn-Graubard), wald, or the MICS
    convention estimate -/+ 2 se. ``n_rows`` (rows of the domain in scope, R ``nrow`` of the
    subset design) enters only 'beta'.
    """
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "wald":
            return wald_interval(p, se, df, level)
        if method == "mics":
            return p - 2 * se, p + 2 * se
        if method in ("logit", "xlogit"):
            q = t_quantile(1 - alpha / 2, df)
            eta = np.log(p / (1 - p))
            se_eta = se / (p * (1 - p))
            return special.expit(eta - q * se_eta), special.expit(eta + q * se_eta)
        if method == "beta":
            n_eff = p * (1 - p) / (se * se)
            ratio = t_quantile(alpha / 2, n_rows - 1) / t_quantile(alpha / 2, df)
            n_eff = n_eff * ratio * ratio
            lo = special.betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2)
            hi = special.betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2)
            lo = np.where(p == 0, 0.0, lo)
            hi = np.where(p == 1, 1.0, hi)
            bad = ~np.isfinite(n_eff) | (n_eff < 0)
            return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)
    raise ValueError(method)

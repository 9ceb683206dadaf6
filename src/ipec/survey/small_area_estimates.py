"""Small-area estimates of child labour: direct estimates by area, smoothed sampling variances,
a Fay-Herriot fit on area covariates, and one row per area.

The steps, each a function:

1. :func:`direct_by_area`: the design-based estimate of an indicator in every area, with its
   standard error, cases and design effect (:func:`ipec.survey.analysis.estimate_survey`);
2. :func:`smooth_variances`: areas with few cases get the variance of a simple random sample
   of their size times the pooled design effect (see its docstring), flagged;
3. :func:`small_area_estimates`: areas matched to the auxiliary file
   (:mod:`ipec.survey.small_area_auxiliary`), the model fitted
   (:func:`ipec.survey.small_area.fay_herriot`), EBLUPs for sampled areas and synthetic
   estimates for the file's areas with no sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError
from ipec.standards import Profile
from ipec.survey.analysis import EstimateOptions, estimate_survey
from ipec.survey.mapping import MappedSurvey
from ipec.survey.small_area import FayHerriotFit, FayHerriotMethod, fay_herriot
from ipec.survey.small_area_auxiliary import Auxiliary, match_areas

__all__ = [
    "DirectEstimates",
    "SmallAreaResult",
    "SmoothedVariance",
    "direct_by_area",
    "small_area_estimates",
    "smooth_variances",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: How the MSE is approximated, by method (written into the output's metadata).
MSE_METHOD = {
    "REML": "Prasad-Rao second-order approximation g1 + g2 + 2 g3 (REML), as R sae::mseFH",
    "FH": "Prasad-Rao approximation g1 + g2 + 2 g3 minus the bias of the FH estimator of the "
    "model variance (Datta, Rao and Smith 2005), as R sae::mseFH",
}
VARIANCE_METHOD = {
    "REML": "REML by Fisher scoring, started at the median sampling variance, truncated at 0",
    "FH": "Fay-Herriot moment estimator, iterated from the median sampling variance, "
    "truncated at 0",
}


@dataclass(frozen=True, slots=True)
class DirectEstimates:
    """Design-based estimates of one indicator (a proportion) in every area of the survey,
    and in the whole sample. ``deff_wr``: the design effect against simple random sampling
    with replacement (NaN where the estimate is 0 or 1); ``ci_low``, ``ci_high``: the
    design-based interval (ipec's, by default logit with the domain's df), when known."""

    areas: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    n_unweighted: npt.NDArray[np.int64]
    n_weighted: FloatArray
    deff_wr: FloatArray
    total_estimate: float
    total_deff_wr: float
    indicator: str = "child_labour"
    profile: str | None = None
    ci_low: FloatArray | None = None
    ci_high: FloatArray | None = None


def direct_by_area(
    mapped: MappedSurvey,
    profile: Profile,
    area: str,
    *,
    indicator: str = "child_labour",
    options: EstimateOptions | None = None,
) -> DirectEstimates:
    """Estimate ``indicator`` under ``profile`` in every level of the domain ``area``.

    The estimates and standard errors are ipec's design-based ones (Taylor linearisation or
    the survey's replicate weights, as the map says), the same as ``ipec survey estimate
    --by AREA`` gives.
    """
    if area not in mapped.domains:
        raise DataError(
            f"the map has no breakdown {area!r}",
            source=mapped.source,
            hint=f"use one of {', '.join(mapped.domains)}, or add the area variable to the "
            "map's [background]",
        )
    frame = estimate_survey(mapped, profile, by=[(area,)], indicators=[indicator], options=options)
    total = frame.filter(pl.col("by") == "total").row(0, named=True)
    rows = frame.filter(pl.col("by") == area)
    return DirectEstimates(
        areas=tuple(rows.get_column("level").to_list()),
        estimate=rows.get_column("estimate").to_numpy().astype(np.float64),
        se=rows.get_column("se").to_numpy().astype(np.float64),
        n_unweighted=rows.get_column("n_unweighted").to_numpy().astype(np.int64),
        n_weighted=rows.get_column("n_weighted").to_numpy().astype(np.float64),
        deff_wr=rows.get_column("deff_wr").to_numpy().astype(np.float64),
        total_estimate=float(total["estimate"]),
        total_deff_wr=float(total["deff_wr"]),
        indicator=indicator,
        profile=profile.id,
        ci_low=rows.get_column("ci_low").to_numpy().astype(np.float64),
        ci_high=rows.get_column("ci_high").to_numpy().astype(np.float64),
    )


@dataclass(frozen=True, slots=True)
class SmoothedVariance:
    """The sampling variance each area enters the model with, and why it was smoothed."""

    variance: FloatArray
    smoothed: BoolArray
    reasons: tuple[str, ...]
    pooled_deff: float
    reference: float
    below: int


def smooth_variances(direct: DirectEstimates, *, below: int) -> SmoothedVariance:
    """Replace unstable sampling variances by a pooled-design-effect variance.

    An area with fewer than ``below`` cases, or whose direct variance is zero or undefined
    (no child, or every child, in the indicator; a single PSU), gets

        deff * p (1 - p) / n_d

    the variance of a simple random sample of its n_d cases (with replacement) times the
    pooled design effect: ``p`` is the whole sample's estimate and ``deff`` the mean of the
    design effects (against simple random sampling with replacement) of the areas that keep
    their own variance, weighted by their cases (when every area is smoothed, of all the areas
    with a design effect; failing that, the whole sample's). ``below=0`` smooths nothing: a
    zero or undefined variance is then an error of the fit, naming the areas.
    """
    variance = direct.se**2
    n = direct.n_unweighted.astype(np.float64)
    unusable = ~np.isfinite(variance) | (variance <= 0)
    few = n < below
    smoothed = (few | unusable) if below > 0 else np.zeros(n.size, dtype=np.bool_)
    usable = np.isfinite(direct.deff_wr) & (direct.deff_wr > 0)
    keep = usable & ~smoothed if (usable & ~smoothed).any() else usable
    if keep.any():
        pooled = float(np.sum(n[keep] * direct.deff_wr[keep]) / np.sum(n[keep]))
    else:
        pooled = direct.total_deff_wr
    if not np.isfinite(pooled) or pooled <= 0:
        pooled = 1.0
    p = direct.total_estimate
    with np.errstate(divide="ignore"):
        pooled_variance = pooled * p * (1.0 - p) / n
    reasons = tuple(
        ""
        if not s
        else f"variance smoothed: {int(cases)} cases (fewer than {below})"
        if f
        else "variance smoothed: direct variance zero or undefined"
        for s, f, cases in zip(smoothed, few, n, strict=True)
    )
    return SmoothedVariance(
        variance=np.where(smoothed, pooled_variance, variance),
        smoothed=smoothed,
        reasons=reasons,
        pooled_deff=pooled,
        reference=p,
        below=below,
    )


@dataclass(frozen=True, slots=True)
class SmallAreaResult:
    """One row per area (:attr:`frame`), the fitted model and how the variances were made."""

    frame: pl.DataFrame
    fit: FayHerriotFit
    smoothing: SmoothedVariance
    no_sample: tuple[str, ...]
    zero_cases: tuple[str, ...]
    level: float

    def model_summary(self) -> dict[str, Any]:
        """The model fit as plain data (for the output's metadata)."""
        fit = self.fit
        smoothing = self.smoothing
        return {
            "model": "Fay-Herriot area-level model (Fay and Herriot 1979)",
            "method": fit.method,
            "model_variance_estimator": VARIANCE_METHOD[fit.method],
            "mse": MSE_METHOD[fit.method],
            "synthetic_mse": "model variance + x'Qx (minus the FH bias term): the MSE of an "
            "area whose sampling variance is unbounded",
            "model_variance": fit.model_variance,
            "model_variance_se": fit.model_variance_se,
            "fh_bias": fit.bias,
            "coefficients": fit.coefficient_table().to_dicts(),
            "loglike": fit.loglike,
            "aic": fit.aic,
            "bic": fit.bic,
            "loglike_note": "Gaussian log-likelihood of the direct estimates at the fitted "
            "values (as R sae); AIC and BIC count the coefficients and the model variance",
            "iterations": fit.iterations,
            "areas_in_fit": len(fit.areas),
            "areas_no_sample": list(self.no_sample),
            "areas_zero_cases": list(self.zero_cases),
            "variance_smoothing": {
                "rule": "areas with fewer than `below` cases, or a zero or undefined direct "
                "variance: pooled deff * p(1-p) / n",
                "below": smoothing.below,
                "pooled_deff_wr": smoothing.pooled_deff,
                "p": smoothing.reference,
                "areas": [a for a, s in zip(fit.areas, smoothing.smoothed, strict=True) if s],
            },
            "interval": f"estimate +/- z * sqrt(mse), level {self.level}, clipped to 0-1",
        }


def _or_nan(values: FloatArray | None, size: int) -> FloatArray:
    return np.full(size, np.nan) if values is None else values


def _flags(parts: Sequence[Sequence[str]]) -> list[str]:
    return ["; ".join(p for p in row if p) for row in zip(*parts, strict=True)]


def small_area_estimates(
    direct: DirectEstimates,
    auxiliary: Auxiliary,
    *,
    area: str = "area",
    method: FayHerriotMethod = "REML",
    smooth_below: int = 100,
    level: float = 0.95,
) -> SmallAreaResult:
    """Fit the Fay-Herriot model to the direct estimates and the auxiliary file's covariates.

    Areas with cases are matched to the auxiliary file (a sampled area missing from it is an
    error); their variances are smoothed (:func:`smooth_variances`); the model is fitted on
    them. The file's other areas (no sample, or no case in scope) get synthetic estimates.
    Columns of :attr:`SmallAreaResult.frame`: ``area``, ``sampled``, ``n_unweighted``,
    ``n_weighted``, ``direct``, ``direct_se``, ``direct_ci_low``, ``direct_ci_high``,
    ``deff_wr``, ``variance`` (the sampling variance the model used), ``variance_smoothed``,
    ``synthetic``, ``gamma``, ``estimate`` (the EBLUP, or the synthetic estimate), ``kind``
    (``eblup`` or ``synthetic``), ``mse``, ``rmse``, ``cv``, ``ci_low``, ``ci_high``, with a
    population: ``population``, ``count``, ``count_rmse``; then ``flag``, ``indicator``,
    ``profile``, ``method``.
    """
    has_cases = (direct.n_unweighted > 0) & np.isfinite(direct.estimate)
    sampled = np.flatnonzero(has_cases)
    zero_cases = tuple(direct.areas[i] for i in np.flatnonzero(~has_cases))
    areas = [direct.areas[i] for i in sampled]
    match = match_areas(areas, auxiliary, area=area)
    subset = DirectEstimates(
        areas=tuple(areas),
        estimate=direct.estimate[sampled],
        se=direct.se[sampled],
        n_unweighted=direct.n_unweighted[sampled],
        n_weighted=direct.n_weighted[sampled],
        deff_wr=direct.deff_wr[sampled],
        total_estimate=direct.total_estimate,
        total_deff_wr=direct.total_deff_wr,
        indicator=direct.indicator,
        profile=direct.profile,
        ci_low=None if direct.ci_low is None else direct.ci_low[sampled],
        ci_high=None if direct.ci_high is None else direct.ci_high[sampled],
    )
    smoothing = smooth_variances(subset, below=smooth_below)
    fit = fay_herriot(
        subset.estimate,
        smoothing.variance,
        auxiliary.values[list(match.rows)],
        method,
        areas=areas,
        names=auxiliary.names,
    )
    rest = list(match.no_sample)
    synthetic, synthetic_mse = fit.predict(auxiliary.values[rest])
    m, k = len(areas), len(rest)
    nan_k = np.full(k, np.nan)
    estimate = np.concatenate([fit.eblup, synthetic])
    mse = np.concatenate([fit.mse, synthetic_mse])
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse = np.sqrt(np.where(mse >= 0, mse, np.nan))
        cv = rmse / estimate
    z = NormalDist().inv_cdf(0.5 + level / 2)
    outside = (estimate < 0) | (estimate > 1)
    flags = _flags(
        [
            [*smoothing.reasons, *(["no sample: synthetic estimate"] * k)],
            ["estimate outside 0-1: the linear model extrapolates" if o else "" for o in outside],
            ["MSE estimate negative" if v < 0 else "" for v in mse],
        ]
    )
    columns: dict[str, Any] = {
        "area": [*areas, *(auxiliary.areas[i] for i in rest)],
        "sampled": [True] * m + [False] * k,
        "n_unweighted": np.concatenate([subset.n_unweighted, np.zeros(k, dtype=np.int64)]),
        "n_weighted": np.concatenate([subset.n_weighted, np.zeros(k)]),
        "direct": np.concatenate([subset.estimate, nan_k]),
        "direct_se": np.concatenate([subset.se, nan_k]),
        "direct_ci_low": np.concatenate([_or_nan(subset.ci_low, m), nan_k]),
        "direct_ci_high": np.concatenate([_or_nan(subset.ci_high, m), nan_k]),
        "deff_wr": np.concatenate([subset.deff_wr, nan_k]),
        "variance": np.concatenate([smoothing.variance, nan_k]),
        "variance_smoothed": [*smoothing.smoothed.tolist(), *([False] * k)],
        "synthetic": np.concatenate([fit.synthetic, synthetic]),
        "gamma": np.concatenate([fit.gamma, np.zeros(k)]),
        "estimate": estimate,
        "kind": ["eblup"] * m + ["synthetic"] * k,
        "mse": mse,
        "rmse": rmse,
        "cv": cv,
        "ci_low": np.clip(estimate - z * rmse, 0.0, 1.0),
        "ci_high": np.clip(estimate + z * rmse, 0.0, 1.0),
    }
    if auxiliary.population is not None:
        population = auxiliary.population[[*match.rows, *rest]]
        columns |= {
            "population": population,
            "count": population * estimate,
            "count_rmse": population * rmse,
        }
    columns |= {
        "flag": flags,
        "indicator": [direct.indicator] * (m + k),
        "profile": [direct.profile] * (m + k),
        "method": [method] * (m + k),
    }
    return SmallAreaResult(
        frame=pl.DataFrame(columns, nan_to_null=False),
        fit=fit,
        smoothing=smoothing,
        no_sample=match.no_sample_areas(auxiliary),
        zero_cases=zero_cases,
        level=level,
    )

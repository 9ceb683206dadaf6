"""The area-level Fay-Herriot model: EBLUPs of area means from direct estimates and covariates.

Pure NumPy, no I/O. Given, for m areas, direct estimates y_d with known sampling variances
psi_d and covariates x_d, the model is

    y_d = theta_d + e_d,   e_d ~ N(0, psi_d)          (sampling error)
    theta_d = x_d' beta + u_d,   u_d ~ N(0, A)        (area effect)

The model variance A is estimated by REML (Fisher scoring) or by the Fay-Herriot moment
method (FH), both started at the median of psi and iterated until the relative change of A is
at most ``tol``, exactly as R package ``sae`` (``eblupFH``) does; an estimate below 0 is set
to 0. With A, beta is the GLS estimate, the EBLUP is
``x_d' beta + gamma_d (y_d - x_d' beta)`` with ``gamma_d = A / (A + psi_d)``, and its MSE
the Prasad-Rao second-order approximation ``g1 + g2 + 2 g3`` (REML), minus the bias term of
the FH estimator of A (Datta, Rao and Smith 2005) for FH, as ``sae::mseFH``. An area with
no sample gets the synthetic estimate ``x_d' beta``, whose MSE is the limit of the same
formula as psi_d grows without bound: ``A + x_d' Q x_d`` (minus the bias term under FH).

References: Fay and Herriot (1979), JASA 74, 269-277; Prasad and Rao (1990), JASA 85,
163-171; Datta, Rao and Smith (2005), Biometrika 92, 183-196; Rao and Molina (2015), Small
Area Estimation, 2nd ed., chapter 6; Molina and Marhuenda (2015), The R Journal 7(1), 81-98.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError, DesignError

__all__ = ["FayHerriotFit", "FayHerriotMethod", "fay_herriot"]

FayHerriotMethod = Literal["REML", "FH"]
FloatArray = npt.NDArray[np.float64]
_SHOWN = 8  # areas named in an error; more are counted


def _names(areas: Sequence[str], where: npt.NDArray[np.bool_]) -> str:
    picked = [areas[int(i)] for i in np.flatnonzero(where)]
    shown = ", ".join(picked[:_SHOWN])
    return f"{shown} (and {len(picked) - _SHOWN} more)" if len(picked) > _SHOWN else shown


def _normal_two_sided(z: FloatArray) -> FloatArray:
    """2 P(Z > |z|) for a standard normal Z (R ``2 * pnorm(abs(z), lower.tail = FALSE)``)."""
    return np.array([math.erfc(abs(value) / math.sqrt(2.0)) for value in z], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Gls:
    """Everything the fit needs at one value of A."""

    v: FloatArray  # 1 / (A + psi)
    q: FloatArray  # (X' V^-1 X)^-1
    beta: FloatArray
    residual: FloatArray  # y - X beta


def _gls(x: FloatArray, y: FloatArray, psi: FloatArray, a: float) -> _Gls:
    v = 1.0 / (a + psi)
    q: FloatArray = np.linalg.inv(x.T @ (v[:, None] * x)).astype(np.float64)
    beta: FloatArray = q @ (x.T @ (v * y))
    return _Gls(v, q, beta, y - x @ beta)


def _step(x: FloatArray, y: FloatArray, psi: FloatArray, a: float, method: str) -> float:
    """The Fisher-scoring (REML) or moment (FH) update of A, as ``sae::eblupFH``.

    REML: s = -tr(P)/2 + y'PPy/2, F = tr(PP)/2 with P = V^-1 - V^-1 X Q X' V^-1, written with
    p x p matrices only (O(m p^2) per step, not O(m^3)).
    """
    g = _gls(x, y, psi, a)
    v, q = g.v, g.q
    if method == "FH":
        s = float(np.sum(g.residual**2 * v)) - float(x.shape[0] - x.shape[1])
        return float(a + s / float(np.sum(v)))
    py = v * g.residual
    xv2x = x.T @ ((v**2)[:, None] * x)
    xv3x = x.T @ ((v**3)[:, None] * x)
    trace_p = float(np.sum(v)) - float(np.trace(q @ xv2x))
    qm = q @ xv2x
    trace_pp = float(np.sum(v**2)) - 2.0 * float(np.trace(q @ xv3x)) + float(np.trace(qm @ qm))
    s = -0.5 * trace_p + 0.5 * float(py @ py)
    return a + s / (0.5 * trace_pp)


def _estimate_a(
    x: FloatArray, y: FloatArray, psi: FloatArray, method: str, *, tol: float, max_iter: int
) -> tuple[float, int]:
    """A and the number of iterations, started at median(psi) and stopped as sae stops.

    An iterate at or below 0 is a fit on the boundary when the update at A = 0 does not move
    up (the restricted likelihood or moment equation decreases there): A = 0. Otherwise the
    iteration goes on from 0. (sae lets A go negative until it converges, then truncates it at
    0; the two agree on every case of the reference and this one never divides by a
    sampling variance plus a negative A.)
    """
    a = float(np.median(psi))
    for k in range(1, max_iter + 1):
        new = _step(x, y, psi, a, method)
        if new <= 0.0:
            if a == 0.0 or _step(x, y, psi, 0.0, method) <= 0.0:
                return 0.0, k
            new = 0.0
        diff = abs(new - a) / a if a > 0 else math.inf
        a = new
        if diff <= tol:
            return a, k
    raise DesignError(
        f"the {method} estimate of the model variance did not converge in {max_iter} iterations",
        hint="raise max_iter, try the other method (REML or FH), or check the covariates",
    )


@dataclass(frozen=True, slots=True)
class FayHerriotFit:
    """A fitted Fay-Herriot model: per-area EBLUPs with MSEs, and the model's parameters.

    Per area (in the order given): ``direct``, ``variance`` (psi), ``synthetic`` (x'beta),
    ``gamma`` (A / (A + psi), the weight of the direct estimate), ``eblup``, ``mse`` and its
    components ``g1``, ``g2``, ``g3``. The model: ``model_variance`` (A) and its asymptotic
    standard error, ``coefficients`` with ``coefficient_se`` (square roots of the diagonal of
    ``coefficient_cov``, (X'V^-1X)^-1), ``loglike`` (the Gaussian log-likelihood of the direct
    estimates at the estimates, as sae reports it for either method), ``aic``, ``bic``,
    ``iterations``. ``bias`` is the FH estimator's second-order bias (0 under REML).
    """

    method: FayHerriotMethod
    areas: tuple[str, ...]
    names: tuple[str, ...]
    direct: FloatArray
    variance: FloatArray
    covariates: FloatArray
    synthetic: FloatArray
    gamma: FloatArray
    eblup: FloatArray
    mse: FloatArray
    g1: FloatArray
    g2: FloatArray
    g3: FloatArray
    model_variance: float
    model_variance_se: float
    bias: float
    coefficients: FloatArray
    coefficient_se: FloatArray
    coefficient_cov: FloatArray
    loglike: float
    aic: float
    bic: float
    iterations: int
    intercept: bool

    @property
    def coefficient_z(self) -> FloatArray:
        """Coefficients over their standard errors."""
        out: FloatArray = self.coefficients / self.coefficient_se
        return out

    @property
    def coefficient_p(self) -> FloatArray:
        """Two-sided normal p-values of the coefficients (as sae)."""
        return _normal_two_sided(self.coefficient_z)

    def predict(self, covariates: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Synthetic estimates x'beta for areas with no sample, and their MSEs.

        ``covariates`` has one row per area and the columns the model was fitted with (without
        the intercept column, which is added as in the fit). The MSE is ``A + x' Q x``, minus
        the FH bias term: the Prasad-Rao MSE of an area whose sampling variance is unbounded.
        """
        x = _design_matrix(covariates, self.intercept)
        if x.shape[1] != self.coefficients.size:
            raise DataError(
                f"the covariates have {x.shape[1] - int(self.intercept)} columns; the model "
                f"was fitted with {self.coefficients.size - int(self.intercept)}"
            )
        estimate: FloatArray = x @ self.coefficients
        g2 = np.einsum("ij,jk,ik->i", x, self.coefficient_cov, x)
        mse: FloatArray = self.model_variance + g2 - self.bias
        return estimate, mse

    def to_polars(self) -> pl.DataFrame:
        """One row per area: area, direct, variance, synthetic, gamma, eblup, mse, g1-g3."""
        return pl.DataFrame(
            {
                "area": list(self.areas),
                "direct": self.direct,
                "variance": self.variance,
                "synthetic": self.synthetic,
                "gamma": self.gamma,
                "eblup": self.eblup,
                "mse": self.mse,
                "g1": self.g1,
                "g2": self.g2,
                "g3": self.g3,
            }
        )

    def coefficient_table(self) -> pl.DataFrame:
        """One row per coefficient: name, estimate, se, z, p."""
        return pl.DataFrame(
            {
                "name": list(self.names),
                "estimate": self.coefficients,
                "se": self.coefficient_se,
                "z": self.coefficient_z,
                "p": self.coefficient_p,
            }
        )


def _design_matrix(covariates: npt.ArrayLike, intercept: bool) -> FloatArray:
    x = np.asarray(covariates, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise DataError("covariates must be a matrix: one row per area, one column per variable")
    if intercept:
        x = np.column_stack([np.ones(x.shape[0]), x])
    return x


def _check_inputs(
    y: FloatArray, psi: FloatArray, x: FloatArray, areas: Sequence[str], names: Sequence[str]
) -> None:
    m = y.size
    if psi.shape != (m,) or x.shape[0] != m or len(areas) != m:
        raise DataError(
            f"{m} direct estimates, {psi.size} variances, {x.shape[0]} rows of covariates "
            f"and {len(areas)} area names: give one of each per area"
        )
    bad = ~np.isfinite(y)
    if bad.any():
        raise DataError(f"area(s) {_names(areas, bad)} have no direct estimate")
    bad = ~np.isfinite(psi) | (psi <= 0)
    if bad.any():
        raise DataError(
            f"area(s) {_names(areas, bad)} have a sampling variance of zero or undefined",
            hint="smooth the variances of small areas (a pooled design effect) or leave the "
            "areas out of the fit",
        )
    missing = ~np.isfinite(x)
    if missing.any():
        columns = [names[int(j)] for j in np.flatnonzero(missing.any(axis=0))]
        raise DataError(
            f"area(s) {_names(areas, np.asarray(missing.any(axis=1)))} have no value of "
            f"covariate(s) "
            f"{', '.join(columns)}"
        )
    if m <= x.shape[1]:
        raise DataError(
            f"{m} areas cannot fit {x.shape[1]} coefficients",
            hint="use fewer covariates, or more areas",
        )
    for j in range(1, x.shape[1] + 1):
        if np.linalg.matrix_rank(x[:, :j]) < j:
            raise DataError(
                f"covariate {names[j - 1]} is a linear combination of the ones before it "
                "(or of the intercept)",
                hint="leave it out",
            )


def fay_herriot(
    direct: npt.ArrayLike,
    variance: npt.ArrayLike,
    covariates: npt.ArrayLike,
    method: FayHerriotMethod = "REML",
    *,
    intercept: bool = True,
    areas: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> FayHerriotFit:
    """Fit the Fay-Herriot model to ``direct`` estimates with sampling ``variance`` (known).

    ``covariates``: one row per area, one column per variable (an intercept column is added
    unless ``intercept=False``). ``method``: ``"REML"`` (Fisher scoring) or ``"FH"`` (the
    Fay-Herriot moment estimator). ``areas`` and ``names`` name the areas and covariates in
    errors and results. ``tol``: the relative change of the model variance at which the
    iteration stops (R ``sae`` calls it ``PRECISION``, default 1e-4; ``tol=1e-4`` gives sae's
    numbers). Errors: a missing direct estimate or covariate, a sampling variance of zero
    or undefined, collinear covariates (:class:`~ipec.errors.DataError`), no convergence
    (:class:`~ipec.errors.DesignError`).

    Example: ten areas, one covariate (an indicator of the areas' province):

    >>> import numpy as np
    >>> y = np.array([1.099, 1.075, 1.105, 0.628, 0.753, 0.981, 1.257, 0.980, 0.845, 0.788])
    >>> se = np.array([0.163, 0.080, 0.083, 0.109, 0.119, 0.141, 0.087, 0.080, 0.103, 0.085])
    >>> x = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> fit = fay_herriot(y, se**2, x, "REML")
    >>> round(fit.model_variance, 6), fit.names
    (0.032452, ('(Intercept)', 'x1'))
    >>> np.round(fit.eblup[:3], 4)
    array([1.0247, 1.0518, 1.075 ])
    >>> bool(np.all(fit.mse < se**2))
    True
    """
    if method not in get_args(FayHerriotMethod):
        raise DataError(f"method {method!r} is not one of REML, FH")
    y = np.asarray(direct, dtype=np.float64).ravel()
    psi = np.asarray(variance, dtype=np.float64).ravel()
    x = _design_matrix(covariates, intercept)
    area_names = tuple(areas) if areas is not None else tuple(str(i + 1) for i in range(y.size))
    k = x.shape[1] - int(intercept)
    given = list(names) if names is not None else [f"x{j + 1}" for j in range(k)]
    coef_names = tuple(["(Intercept)", *given] if intercept else given)
    if len(coef_names) != x.shape[1]:
        raise DataError(f"{len(given)} covariate names for {k} columns")
    _check_inputs(y, psi, x, area_names, coef_names)

    a, iterations = _estimate_a(x, y, psi, method, tol=tol, max_iter=max_iter)
    g = _gls(x, y, psi, a)
    m, p = x.shape
    synthetic = x @ g.beta
    gamma = a * g.v
    b_d = psi * g.v  # psi / (A + psi) = 1 - gamma
    sum_v, sum_v2 = float(np.sum(g.v)), float(np.sum(g.v**2))
    if method == "REML":
        var_a, bias = 2.0 / sum_v2, 0.0
    else:
        var_a = 2.0 * m / sum_v**2
        bias = 2.0 * (m * sum_v2 - sum_v**2) / sum_v**3
    g1 = a * psi * g.v  # psi (1 - B_d), without cancellation when psi >> A
    g2 = b_d**2 * np.einsum("ij,jk,ik->i", x, g.q, x)
    g3 = b_d**2 * var_a * g.v
    loglike = -0.5 * float(np.sum(np.log(2 * np.pi * (a + psi)) + g.residual**2 * g.v))
    return FayHerriotFit(
        method=method,
        areas=area_names,
        names=coef_names,
        direct=y,
        variance=psi,
        covariates=x,
        synthetic=synthetic,
        gamma=gamma,
        eblup=synthetic + gamma * g.residual,
        mse=g1 + g2 + 2.0 * g3 - bias * b_d**2,
        g1=g1,
        g2=g2,
        g3=g3,
        model_variance=a,
        model_variance_se=math.sqrt(var_a),
        bias=bias,
        coefficients=g.beta,
        coefficient_se=np.sqrt(np.diag(g.q)),
        coefficient_cov=g.q,
        loglike=loglike,
        aic=-2.0 * loglike + 2.0 * (p + 1),
        bic=-2.0 * loglike + (p + 1) * math.log(m),
        iterations=iterations,
        intercept=intercept,
    )

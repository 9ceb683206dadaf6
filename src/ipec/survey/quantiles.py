"""Design-based quantiles with Woodruff intervals, reproducing R ``survey`` 4.1.1 ``svyquantile``.

What is reproduced (``svyquantile(~x, design, quantiles, na.rm = TRUE, ci = TRUE)`` with R's
defaults ``interval.type = "mean"`` and ``qrule = "math"``, for ``survey.design2`` and
``svyrep.design`` objects, domains as ``subset(design, domain)`` / ``svyby``):

* the estimate is the quantile rule applied to the domain's rows with a value and a non-zero
  weight: ``qrule = "math"`` (R ``qrule_math``, the default: the smallest value whose cumulative
  weight share reaches p, including R's choice of the second-smallest value when the first
  value's weight already exceeds p), ``"school"`` (R ``qrule_school``: the midpoint of the two
  values when the share is hit exactly) or ``"hf7"`` (R ``qrule_hf7``: linear interpolation of
  the sorted values at the cumulative shares ``c(0, cumw[-n]) / cumw[n - 1]``). Weights are
  summed as R does (in long double, the total in row order, the cumulative sums in sorted
  order), so exact ties with p are decided the same way;
* the interval is Woodruff's (R ``woodruffCI(method = "mean")``): the design-based mean of
  the indicator ``x <= q`` and its standard error give the interval
  ``p_hat + se * qt(c(alpha/2, 1 - alpha/2), df)`` for the CDF at q, which is inverted
  through the same quantile rule; an end below 0 or above 1 gives NaN, as in R;
* the standard error is derived from that interval as R does,
  ``se = (ci_high - ci_low) / (2 * qt(1 - alpha/2, df))`` (``qnorm`` for infinite df);
* degrees of freedom (``df="domain"``, the default) are R's ``degf`` of the domain's subset
  design after rows with a missing value are dropped: for a :class:`SurveyDesign`, PSUs with a
  non-zero weight and a value in the domain minus their strata; for a :class:`ReplicateDesign`
  (where R's subset drops rows and resets ``degf``), the rank of the domain's replicate weights
  minus one, whatever ``degf`` the design was given (R's ``na.rm = TRUE`` subset drops it too).
  ``df="design"`` uses the whole design's df (``ReplicateDesign.design_df``), ``df="infinite"``
  normal quantiles.

For a :class:`SurveyDesign` the SE of the CDF comes from :func:`ipec.survey.estimate`
(linearisation with the design's strata, PSUs, fpc, second stage and lonely-PSU policy); for a
:class:`ReplicateDesign` from the replicate means of the indicator combined by R's
``svrVar`` (replicates giving NaN are dropped, as R's ``na.omit`` does). R's ``alpha`` is
``1 - level`` rounded to 15 significant digits (so ``level=0.95`` is R's ``alpha=0.05``).

Not reproduced: ``interval.type`` "beta", "xlogit", "asin", "score" and "quantile", and the
other ``qrule`` values. Where R stops with an error this returns NaN (a domain whose rows all
lack a value or weight) or, for ``hf7`` with a single observation, that observation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError, DesignError
from ipec.survey.design import ReplicateDesign, SurveyDesign
from ipec.survey.domains import DomainSpec, Levels, normalise_by, spec_levels
from ipec.survey.estimate import DfMethod, check_options, estimate
from ipec.survey.indicators import Mean
from ipec.survey.intervals import t_quantile
from ipec.survey.prepare import check_frame, select_columns
from ipec.survey.replicate import replicate_variance
from ipec.survey.replicate_rank import qr_rank
from ipec.survey.sufficient import GroupTable, encode_columns

__all__ = ["QUANTILE_COLUMNS", "QuantileRule", "quantiles"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
QuantileRule = Literal["math", "school", "hf7"]

_SCHEMA: dict[str, pl.DataType] = {
    "by": pl.String(),
    "level": pl.String(),
    "indicator": pl.String(),
    "quantile": pl.Float64(),
    "estimate": pl.Float64(),
    "se": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "df": pl.Float64(),
    "n_unweighted": pl.Int64(),
}
QUANTILE_COLUMNS: tuple[str, ...] = tuple(_SCHEMA)


@dataclass(frozen=True, slots=True)
class _Sorted:
    """One domain's values with a non-zero weight, sorted once, and their cumulative weights."""

    x: FloatArray
    cumw: FloatArray
    total: float

    @classmethod
    def of(cls, x: FloatArray, w: FloatArray) -> _Sorted | None:
        """``x`` and ``w`` in row order (R's ``sum(w)`` adds them in that order)."""
        if x.size == 0:
            return None
        total = float(np.cumsum(w, dtype=np.longdouble)[-1])
        order = np.argsort(x, kind="stable")  # R's order(): ties keep row order
        cumw = np.cumsum(w[order], dtype=np.longdouble).astype(np.float64)
        return cls(x[order], cumw, total)

    def _qs(self, p: float) -> tuple[int, int, float]:
        """R ``qs``: last position with cumw <= p * total (first if none), next, and wlow."""
        n = self.x.size
        pos = max(int(np.searchsorted(self.cumw, p * self.total, side="right")) - 1, 0)
        nxt = pos if pos == n - 1 else pos + 1
        return pos, nxt, p - float(self.cumw[pos]) / self.total

    def quantile(self, p: float, rule: QuantileRule) -> float:
        """The quantile at p under R's ``qrule_<rule>``."""
        if rule == "hf7":
            return self._hf7(p)
        pos, nxt, wlow = self._qs(p)
        if wlow == 0:
            lo = float(self.x[pos])
            return lo if rule == "math" else (lo + float(self.x[nxt])) / 2
        return float(self.x[nxt])

    def _hf7(self, p: float) -> float:
        """R ``qrule_hf7``: ``approx(c(0, cumw[-n]) / cumw[n - 1], x, p, rule = 2)``."""
        n = self.x.size
        if n == 1:
            return float(self.x[0])
        pk = np.concatenate(([0.0], self.cumw[:-1])) / self.cumw[n - 2]
        y = self.x
        if np.any(np.diff(pk) == 0):  # approx(ties = mean)
            pk, inverse = np.unique(pk, return_inverse=True)
            y = np.bincount(inverse, weights=y) / np.bincount(inverse)
        if p <= pk[0]:
            return float(y[0])
        if p >= pk[-1]:
            return float(y[-1])
        i = min(int(np.searchsorted(pk, p, side="right")) - 1, pk.size - 2)
        j = i + 1
        if p == pk[j]:
            return float(y[j])
        if p == pk[i]:
            return float(y[i])
        return float(y[i] + (y[j] - y[i]) * ((p - pk[i]) / (pk[j] - pk[i])))


def _row_codes(frame: pl.DataFrame, columns: Sequence[str]) -> GroupTable:
    """Per-row codes of ``columns`` as a table with one group per row, so that
    :func:`spec_levels` labels and orders domain levels exactly as :func:`estimate` does."""
    cols = list(dict.fromkeys(columns))
    coded, exprs, decoders, _ = encode_columns(frame, cols)
    codes_frame = coded.select([exprs[c] for c in cols])
    codes = {c: codes_frame[c].to_numpy().astype(np.int64) for c in cols}
    ones = np.ones(frame.height, dtype=np.int64)
    return GroupTable(codes=codes, decoders=decoders, n_rows=ones, n_nonzero=ones)


def _count_psus(
    frame: pl.DataFrame, design: SurveyDesign, rows: IntArray, col: IntArray, n_cols: int
) -> FloatArray:
    """PSUs minus strata among ``rows``, per column ``col`` of those rows (R ``degf``)."""
    keys = [c for c in (design.strata, design.psu) if c is not None]
    table = _row_codes(frame, keys)
    s = table.codes[design.strata][rows] if design.strata else np.zeros(rows.size, np.int64)
    p = table.codes[design.psu][rows] if design.psu else rows.astype(np.int64)
    s_base = int(s.max()) + 1 if s.size else 1
    p_base = int(p.max()) + 1 if p.size else 1
    psus = np.unique((col * s_base + s) * p_base + p)
    strata = np.unique(psus // p_base)
    n_psu = np.bincount(psus // (p_base * s_base), minlength=n_cols)
    n_strata = np.bincount(strata // s_base, minlength=n_cols)
    out: FloatArray = (n_psu - n_strata).astype(np.float64)
    return out


def _fresh_names(taken: Sequence[str], k: int) -> list[str]:
    prefix = "__quantile_le"
    while any(c.startswith(prefix) for c in taken):
        prefix = "_" + prefix
    return [f"{prefix}{i}" for i in range(k)]


def _taylor_cdf(  # noqa: PLR0917 - internal
    frame: pl.DataFrame,
    design: SurveyDesign,
    spec: tuple[str, ...] | None,
    lv: Levels,
    below: FloatArray,
    has: BoolArray,
) -> tuple[FloatArray, FloatArray]:
    """Mean of each indicator column of ``below`` per level, and its linearised SE."""
    k = below.shape[1]
    names = _fresh_names(frame.columns, k)
    keep = list(dict.fromkeys([*design.columns, *(spec or ())]))
    ind = frame.select(keep).with_columns(
        pl.Series(n, np.where(has, below[:, i], np.nan), nan_to_null=True)
        for i, n in enumerate(names)
    )
    res = estimate(
        ind, design, [Mean(n) for n in names], by=spec, overall=spec is None, df="infinite"
    ).to_polars()
    where = {label: i for i, label in enumerate(lv.labels)}
    which = {n: i for i, n in enumerate(names)}
    p_hat = np.full((lv.n, k), np.nan)
    se = np.full((lv.n, k), np.nan)
    for label, name, est, s in res.select("level", "indicator", "estimate", "se").iter_rows():
        p_hat[where[label], which[name]] = np.nan if est is None else est
        se[where[label], which[name]] = np.nan if s is None else s
    return p_hat, se


def _replicate_cdf(  # noqa: PLR0917 - internal
    frame: pl.DataFrame,
    design: ReplicateDesign,
    reps: FloatArray,
    lv: Levels,
    below: FloatArray,
    has: BoolArray,
    need_rank: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per level: mean of each indicator, its replicate SE (R ``svymean`` + ``svrVar``), and
    the rank of the level's replicate weights minus one (R ``degf`` of the subset)."""
    pw = frame[design.weight].cast(pl.Float64).to_numpy()
    rscales = np.asarray(design.effective_rscales, dtype=np.float64)
    k = below.shape[1]
    p_hat = np.full((lv.n, k), np.nan)
    se = np.full((lv.n, k), np.nan)
    df = np.zeros(lv.n)
    rows = np.flatnonzero(has & (lv.group_col >= 0))
    order = np.argsort(lv.group_col[rows], kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(lv.group_col[rows], minlength=lv.n))))
    for lev in range(lv.n):
        idx = rows[order[bounds[lev] : bounds[lev + 1]]]
        if need_rank:
            df[lev] = max(qr_rank(reps[idx], idx.size) - 1, 0) if idx.size else 0.0
        if idx.size == 0:
            continue
        ind = below[idx]
        wr = reps[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = (pw[idx] @ ind) / pw[idx].sum()
            thetas = (wr.T @ ind) / wr.sum(axis=0)[:, None]
        p_hat[lev] = theta
        # NaN replicates are dropped per column, as R's svrVar drops NA replicates
        var = replicate_variance(theta, thetas, design.effective_scale, rscales, design.mse)
        se[lev] = np.sqrt(var)
    return p_hat, se, df


def _alpha(level: float) -> float:
    """R's ``alpha`` as a user types it: 1 - level without the binary noise (0.05, not
    0.050000000000000044), so qt(alpha / 2) gets the same argument as in R."""
    return float(f"{1.0 - level:.15g}")


def _check(
    probs: Sequence[float], level: float, df: str, qrule: str, column: str
) -> tuple[float, ...]:
    if isinstance(probs, int | float):
        probs = (probs,)
    out = tuple(float(p) for p in probs)
    if not out:
        raise DesignError(f"no quantiles asked for column '{column}'", hint="pass probs=(0.5,)")
    for p in out:
        if not 0.0 < p < 1.0:
            raise DesignError(
                f"quantile probability {p} for column '{column}' is outside (0, 1)",
                hint="use probabilities strictly between 0 and 1, e.g. probs=(0.25, 0.5, 0.75)",
            )
    check_options(level=level, df=df)
    if qrule not in get_args(QuantileRule):
        raise DesignError(f"unknown qrule {qrule!r}", hint="use 'math', 'school' or 'hf7'")
    return out


@dataclass(frozen=True, slots=True)
class _Job:
    """What every domain spec shares: the rows, the design and the options."""

    frame: pl.DataFrame
    design: SurveyDesign | ReplicateDesign
    column: str
    probs: tuple[float, ...]
    x: FloatArray
    has: BoolArray
    w: FloatArray
    alpha: float
    df: DfMethod
    qrule: QuantileRule
    reps: FloatArray | None  # replicate weights (rows x replicates) of a ReplicateDesign

    def whole_df(self) -> float:
        """The whole design's df (``df="design"``), as :func:`estimate` counts it."""
        if isinstance(self.design, ReplicateDesign):
            return float(self.design.design_df)
        nz = np.flatnonzero(self.w != 0)
        return float(_count_psus(self.frame, self.design, nz, np.zeros(nz.size, np.int64), 1)[0])


def _prepare(  # noqa: PLR0917 - internal
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    column: str,
    by_cols: Sequence[str],
    probs: tuple[float, ...],
    level: float,
    df: DfMethod,
    qrule: QuantileRule,
) -> _Job:
    """Select and check the columns; values of ``column`` as floats (NaN = null)."""
    if isinstance(design, ReplicateDesign):
        weights = [design.weight, *design.replicates]
        design_cols: list[str] = weights
    elif isinstance(design, SurveyDesign):
        weights = [design.weight]
        design_cols = list(design.columns)
    else:
        raise DesignError(f"not a design: {type(design).__name__}")
    selected = select_columns(data, [*design_cols, column, *by_cols])
    frame = selected.collect() if isinstance(selected, pl.LazyFrame) else selected
    dtype = frame.schema[column]
    if not dtype.is_numeric():
        raise DataError(
            f"quantiles need a numeric column, not {dtype}",
            column=column,
            hint="cast the column to a number, or pick a numeric column",
        )
    check_frame(frame, weights, [Mean(column)])
    x = frame[column].cast(pl.Float64).fill_null(np.nan).to_numpy()
    w = frame[design.weight].cast(pl.Float64).to_numpy()
    reps = (
        frame.select(pl.col(design.replicates).cast(pl.Float64)).to_numpy(order="c")
        if isinstance(design, ReplicateDesign)
        else None
    )
    has = ~np.isnan(x)
    return _Job(frame, design, column, probs, x, has, w, _alpha(level), df, qrule, reps)


def _spec_block(job: _Job, spec: tuple[str, ...] | None, whole_df: float) -> pl.DataFrame:
    """Rows of one domain spec: every level, every probability."""
    table = _row_codes(job.frame, spec or ())
    lv = spec_levels(table, spec)
    k = len(job.probs)
    member = job.has & (lv.group_col >= 0)
    usable = np.flatnonzero(member & (job.w != 0))
    col_u = lv.group_col[usable]
    order = np.argsort(col_u, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(col_u, minlength=lv.n))))
    q_hat = np.full((lv.n, k), np.nan)
    sorted_: list[_Sorted | None] = []
    for lev in range(lv.n):
        idx = usable[order[bounds[lev] : bounds[lev + 1]]]
        s = _Sorted.of(job.x[idx], job.w[idx])
        sorted_.append(s)
        if s is not None:
            q_hat[lev] = [s.quantile(p, job.qrule) for p in job.probs]
    with np.errstate(invalid="ignore"):
        below = (job.x[:, None] <= q_hat[np.maximum(lv.group_col, 0)]).astype(np.float64)
    if isinstance(job.design, ReplicateDesign):
        assert job.reps is not None
        p_hat, se_p, dom_df = _replicate_cdf(
            job.frame, job.design, job.reps, lv, below, member, job.df == "domain"
        )
    else:
        p_hat, se_p = _taylor_cdf(job.frame, job.design, spec, lv, below, member)
        if job.df == "domain":
            dom_df = _count_psus(job.frame, job.design, usable, col_u, lv.n)
    if job.df == "design":
        dom_df = np.full(lv.n, whole_df)
    elif job.df == "infinite":
        dom_df = np.full(lv.n, np.inf)
    # R: confint(svymean(x <= q), df) = p_hat + se * qt(c(alpha/2, 1 - alpha/2), df)
    fac_lo = t_quantile(job.alpha / 2, dom_df)
    fac_hi = t_quantile(1 - job.alpha / 2, dom_df)
    lo_p = p_hat + se_p * fac_lo[:, None]
    hi_p = p_hat + se_p * fac_hi[:, None]
    ci_lo = np.full((lv.n, k), np.nan)
    ci_hi = np.full((lv.n, k), np.nan)
    for lev, s in enumerate(sorted_):
        if s is None:
            continue
        for i in range(k):
            a, b = float(lo_p[lev, i]), float(hi_p[lev, i])
            if not (np.isnan(a) or a < 0):
                ci_lo[lev, i] = s.quantile(a, job.qrule)
            if not (np.isnan(b) or b > 1):
                ci_hi[lev, i] = s.quantile(b, job.qrule)
    se = (ci_hi - ci_lo) / (2 * fac_hi[:, None])
    n_rows = np.bincount(lv.group_col[member], minlength=lv.n)
    return pl.DataFrame(
        {
            "by": [lv.by] * (lv.n * k),
            "level": [label for label in lv.labels for _ in range(k)],
            "indicator": [job.column] * (lv.n * k),
            "quantile": list(job.probs) * lv.n,
            "estimate": q_hat.ravel(),
            "se": se.ravel(),
            "ci_low": ci_lo.ravel(),
            "ci_high": ci_hi.ravel(),
            "df": np.repeat(dom_df.astype(np.float64), k),
            "n_unweighted": np.repeat(n_rows.astype(np.int64), k),
        },
        schema=_SCHEMA,
    )


def quantiles(
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    column: str,
    probs: Sequence[float] = (0.25, 0.5, 0.75),
    by: DomainSpec | Sequence[DomainSpec] | None = None,
    *,
    overall: bool = True,
    level: float = 0.95,
    df: DfMethod = "domain",
    qrule: QuantileRule = "math",
) -> pl.DataFrame:
    """Quantiles of ``column`` with Woodruff intervals, as R ``svyquantile`` (survey 4.1.1).

    One row per (domain spec, level, probability) with the columns of
    :data:`QUANTILE_COLUMNS`: ``by``, ``level`` (labelled as :func:`estimate` labels them; the
    whole sample is by = level = "total"), ``indicator`` (the column), ``quantile`` (the
    probability), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df`` and ``n_unweighted``
    (rows of the domain with a value). Rows with a null in ``column`` are left out (R
    ``na.rm=TRUE``); domains keep the full design. ``qrule`` is "math" (R's default),
    "school" or "hf7"; ``df`` as in :func:`estimate` (see the module notes for replicate
    designs). A LazyFrame is collected: the values are sorted in memory, once per domain.

    Example::

        design = SurveyDesign(weight="w", strata="stratum", psu="psu", fpc="fpc")
        quantiles(frame, design, "income", probs=(0.5,), by="sex")
        # by     level   indicator quantile estimate se  ci_low ci_high df   n_unweighted
        # total  total   income    0.5      ...
        # sex    female  income    0.5      ...
    """
    prob_list = _check(probs, level, df, qrule, column)
    if not isinstance(column, str) or not column:
        raise DesignError(f"the analysed column must be a column name, got {column!r}")
    specs: list[tuple[str, ...] | None] = [None] if overall else []
    specs.extend(normalise_by(by))
    if not specs:
        raise DesignError("nothing to estimate: overall=False and no domains", hint="pass by=")
    by_cols = list(dict.fromkeys(c for spec in specs if spec for c in spec))
    job = _prepare(data, design, column, by_cols, prob_list, level, df, qrule)
    whole_df = job.whole_df() if df == "design" else np.nan
    return pl.concat([_spec_block(job, spec, whole_df) for spec in specs], how="vertical")

"""Calibration to known population totals: post-stratification and raking, as R ``survey``.

:class:`PostStratify` is R ``postStratify(design, ~column, totals)``: the weights of each level
of ``column`` are scaled to that level's population total. :class:`Rake` is R ``rake``: the
margins are post-stratified in turn, sweep after sweep, until no cell of the crossed margins
moves its weight total by ``epsilon`` or more (R's default: an absolute 1, so the earlier
margins are met only approximately; ``epsilon < 1`` is relative to the sum of the weights) or
``max_iter`` sweeps have run (then a ``RuntimeWarning``, as R warns).

Standard errors follow R survey 4.1.1:

* a linearised design (:class:`SurveyDesign`) takes the linearised scores of every row (rows
  outside the domain or with a missing value score 0, but stay in the design as R's ``subset``
  of a calibrated design keeps them) and removes from them what the calibration explains, as
  ``svyrecvar`` does: the post-stratum means for post-stratification; ten sweeps over the
  margins of ``x - w * ave(x / w, margin)`` for raking. The stratified (multi-stage) variance
  of the residual scores follows, with fpc and lonely-PSU rules as :func:`estimate`;
* a replicate design (:class:`ReplicateDesign`) calibrates the full weight and every replicate
  weight on its own (R ``postStratify.svyrep.design``), then :func:`estimate` runs on the
  calibrated columns. The design's degrees of freedom become the rank of the calibrated
  replicate weights minus one, as R recomputes ``degf`` after calibrating.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError, DesignError
from ipec.rows import offending_rows, shown
from ipec.survey.blocks import Block, design_effects, result_block
from ipec.survey.design import ReplicateDesign, SurveyDesign
from ipec.survey.domains import DomainSpec, Levels, normalise_by, spec_levels
from ipec.survey.estimate import DfMethod, analysed_columns, check_options, estimate, indicators_of
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Ratio, Total
from ipec.survey.intervals import CiMethod
from ipec.survey.prepare import check_frame, select_columns
from ipec.survey.replicate_rank import qr_rank
from ipec.survey.result import SurveyResult
from ipec.survey.sufficient import build_group_table
from ipec.survey.taylor import ROW_ID, Structure, build_structure, level_df, taylor_variance

__all__ = ["Calibration", "PostStratify", "Rake", "calibrated_estimate", "calibrated_weights"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_SCORE_SWEEPS = 10  # svyrecvar: `for (iterations in 1:10)` over the raking margins
_CELLS = 4_000_000  # rows x domain levels residualised at once


def _shown(values: Sequence[object]) -> str:
    return shown([repr(v) for v in values])


@dataclass(frozen=True, slots=True)
class PostStratify:
    """Scale the weights of each level of ``column`` to its population total (R ``postStratify``).

    ``totals`` maps every level found in the data to its population total; a level of the data
    without a total is an error (R: "Strata in sample absent from population"). A positive
    total for a level with no sample weight is an error too, unless ``partial=True``, which
    ignores it with a warning (R ``partial=TRUE``); a total of 0 for such a level is dropped
    silently, as R does. Keys must have the column's type: strings for a text column, ints for
    an integer column. Post-stratify on a crossed classification by first building one column
    of its cells.
    """

    column: str
    totals: Mapping[str | int, float]
    partial: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise DesignError(f"a calibration column must be a non-empty name, got {self.column!r}")
        if not isinstance(self.totals, Mapping) or not self.totals:
            raise DesignError(
                f"column '{self.column}': population totals must be a non-empty mapping",
                hint="pass totals={level: population total, ...}",
            )
        clean: dict[str | int, float] = {}
        for key, value in self.totals.items():
            if not isinstance(key, str | int):
                raise DesignError(
                    f"column '{self.column}': level {key!r} is not a string or an integer"
                )
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DesignError(
                    f"column '{self.column}': the total of level {key!r} is not a number: {value!r}"
                )
            total = float(value)
            if not math.isfinite(total) or total < 0:
                raise DesignError(
                    f"column '{self.column}': the population total of level {key!r} must be "
                    f"positive, got {value!r}",
                    hint="give every level its (positive) population count",
                )
            clean[key] = total
        object.__setattr__(self, "totals", MappingProxyType(clean))


@dataclass(frozen=True, slots=True, init=False)
class Rake:
    """Rake to several margins (R ``rake(design, sample.margins, population.margins, control)``).

    Defaults are R's ``control = list(maxit = 10, epsilon = 1)``: stop when no cell of the
    crossed margins changes its weight total by ``epsilon`` (absolute; if ``epsilon < 1``, times
    the sum of the weights) in one sweep. The margins must share one grand total to be met.
    """

    margins: tuple[PostStratify, ...]
    max_iter: int
    epsilon: float

    def __init__(
        self, margins: Sequence[PostStratify], max_iter: int = 10, epsilon: float = 1.0
    ) -> None:
        found = tuple(margins)
        if not found:
            raise DesignError("Rake needs at least one margin")
        for m in found:
            if not isinstance(m, PostStratify):
                raise DesignError(f"a raking margin must be a PostStratify, got {m!r}")
            if m.partial:
                raise DesignError(
                    f"margin '{m.column}': partial=True is not available when raking",
                    hint="R rake has no partial margins; drop or merge the absent levels",
                )
        if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
            raise DesignError(f"max_iter must be a positive integer, got {max_iter!r}")
        if not math.isfinite(epsilon) or epsilon <= 0:
            raise DesignError(f"epsilon must be positive, got {epsilon!r}")
        object.__setattr__(self, "margins", found)
        object.__setattr__(self, "max_iter", max_iter)
        object.__setattr__(self, "epsilon", float(epsilon))


Calibration = PostStratify | Rake


@dataclass(frozen=True, slots=True)
class _Levels:
    """One calibration variable coded per row: level index and its population total."""

    spec: PostStratify
    code: IntArray
    labels: tuple[object, ...]
    totals: FloatArray
    rows: FloatArray = field(init=False)  # rows per level, which every raking pass reads

    def __post_init__(self) -> None:
        count = np.bincount(self.code, minlength=len(self.labels)).astype(np.float64)
        object.__setattr__(self, "rows", count)


@dataclass(frozen=True, slots=True)
class _Step:
    """One post-stratification of the full weight (R's ``postStrata`` index): the weights
    before (``oldweights``) and after it (``weights``)."""

    levels: _Levels
    old: FloatArray
    new: FloatArray


@dataclass(frozen=True, slots=True)
class _Result:
    weights: FloatArray  # (rows, weight columns): calibrated full (and replicate) weights
    prob: FloatArray  # R's design$prob of a linearised design (1 / weight), else empty
    steps: tuple[_Step, ...]  # of the full weight, for the linearised variance
    raking: bool


def _margins(calibration: Calibration) -> tuple[PostStratify, ...]:
    if isinstance(calibration, PostStratify):
        return (calibration,)
    if isinstance(calibration, Rake):
        return calibration.margins
    raise DesignError(
        f"not a calibration: {calibration!r}", hint="use PostStratify(...) or Rake([...])"
    )


def _code_levels(frame: pl.DataFrame, spec: PostStratify) -> _Levels:
    """Code the column's levels and match them with the population totals."""
    col = spec.column
    series = frame.get_column(col)
    if series.null_count():
        rows, count = offending_rows(frame, pl.col(col).is_null())
        raise DataError(
            "a calibration variable has missing values",
            column=col,
            rows=rows,
            row_count=count,
            hint="give every row a level (R model.frame(na.action = na.fail) stops here)",
        )
    if isinstance(series.dtype, pl.Categorical | pl.Enum):
        series = series.cast(pl.String)
    if series.dtype.is_float():
        raise DataError("a calibration variable must be text, integer or boolean", column=col)
    levels = series.unique().sort().to_list()
    unknown = [v for v in levels if v not in spec.totals]
    if unknown:
        raise DataError(
            f"level(s) {_shown(unknown)} are in the data but have no population total",
            column=col,
            hint=f"add their totals (the totals name {_shown(list(spec.totals))}); "
            "R postStratify stops with 'Strata in sample absent from population'",
        )
    zero = [v for v in levels if spec.totals[v] == 0]
    if zero:
        raise DataError(
            f"level(s) {_shown(zero)} have sample rows but a population total of 0",
            column=col,
            hint="give those levels their population total, or merge them with a neighbour",
        )
    data_keys = set(levels)
    absent = [k for k, v in spec.totals.items() if k not in data_keys and v > 0]
    if absent and not spec.partial:
        raise DesignError(
            f"column '{col}': population level(s) {_shown(absent)} have no rows in the sample",
            hint="merge them with a neighbouring level, or pass partial=True to ignore them "
            "(R postStratify stops: 'Some strata absent from sample')",
        )
    if absent:
        warnings.warn(
            f"column '{col}': population level(s) {_shown(absent)} absent from the sample: "
            "ignored (R postStratify(partial = TRUE))",
            UserWarning,
            stacklevel=4,
        )
    code = series.replace_strict(levels, list(range(len(levels))), return_dtype=pl.Int64)
    totals = np.array([spec.totals[v] for v in levels], dtype=np.float64)
    return _Levels(spec, code.to_numpy().astype(np.int64), tuple(levels), totals)


def _level_sums(code: IntArray, n: int, values: FloatArray) -> FloatArray:
    """Per-level column sums of a (rows, k) array, summed in row order."""
    out = np.empty((n, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(code, weights=values[:, j], minlength=n)
    return out


def _calibrate(
    start: FloatArray, levels: Sequence[_Levels], calibration: Calibration, names: Sequence[str]
) -> _Result:
    """Calibrate every column of ``start`` (rows, weights). One column is a linearised design:
    R keeps it as selection probabilities (``prob / reweight``), which is mirrored here; several
    columns are a replicate design, whose weights R multiplies (``pweights * reweight``).
    """
    prob_space = start.shape[1] == 1
    empty = np.empty(0)
    with np.errstate(divide="ignore"):
        state = 1.0 / start if prob_space else start.copy()

    def weights(s: FloatArray) -> FloatArray:
        if not prob_space:
            return s
        with np.errstate(divide="ignore"):
            out: FloatArray = 1.0 / s
        return out

    def post_stratify(s: FloatArray, lv: _Levels) -> FloatArray:
        w = weights(s)
        freq = _level_sums(lv.code, len(lv.labels), w)
        empty = freq <= 0
        if empty.any():
            level, column = (int(i) for i in np.argwhere(empty)[0])
            which = "" if column == 0 else f" in replicate weight '{names[column]}'"
            raise DesignError(
                f"column '{lv.spec.column}': level {lv.labels[level]!r} has no sample weight"
                f"{which}, so it cannot be scaled to its population total",
                hint="merge the level with a neighbour (R: 'Some strata absent from sample')",
            )
        reweight = lv.totals[:, None] / freq
        out: FloatArray = s / reweight[lv.code] if prob_space else s * reweight[lv.code]
        return out

    if isinstance(calibration, PostStratify):
        old = weights(state)[:, 0]
        state = post_stratify(state, levels[0])
        step = _Step(levels[0], old, weights(state)[:, 0])
        return _Result(weights(state), state[:, 0] if prob_space else empty, (step,), False)

    # R rake(): sweeps of postStratify over the margins, until the crossed table settles
    cell = np.zeros(start.shape[0], dtype=np.int64)
    for lv in levels:
        cell = cell * len(lv.labels) + lv.code
    _, cell = np.unique(cell, return_inverse=True)
    n_cells = int(cell.max()) + 1

    def table(s: FloatArray) -> FloatArray:
        out: FloatArray = np.bincount(cell, weights=weights(s)[:, 0], minlength=n_cells).astype(
            np.float64
        )
        return out

    total = float(weights(state)[:, 0].sum())
    epsilon = calibration.epsilon * total if calibration.epsilon < 1 else calibration.epsilon
    old_table = table(state)
    steps: list[_Step] = []
    done = 0
    delta = math.inf
    while done < calibration.max_iter:
        steps = []
        for lv in levels:
            before = weights(state)[:, 0]
            state = post_stratify(state, lv)
            steps.append(_Step(lv, before, weights(state)[:, 0]))
        new_table = table(state)
        delta = float(np.abs(old_table - new_table).max())
        if delta < epsilon:
            break
        old_table = new_table
        done += 1
    else:
        warnings.warn(
            f"raking did not converge after {done} iterations: a cell of the crossed margins "
            f"still moved by {delta:.6g} (epsilon {epsilon:.6g}); R rake warns the same",
            RuntimeWarning,
            stacklevel=4,
        )
    return _Result(weights(state), state[:, 0] if prob_space else empty, tuple(steps), True)


def _prepare(
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    calibration: Calibration,
    columns: Sequence[str],
    inds: Sequence[Indicator] = (),
) -> tuple[pl.DataFrame, list[str], _Result]:
    """Select and check the columns, code the calibration variables and calibrate."""
    if isinstance(design, ReplicateDesign):
        names = [design.weight, *design.replicates]
    elif isinstance(design, SurveyDesign):
        names = [design.weight]
    else:
        raise DesignError(f"not a design: {type(design).__name__}")
    margins = _margins(calibration)
    selected = select_columns(data, [*names, *columns, *(m.column for m in margins)])
    frame = selected.collect() if isinstance(selected, pl.LazyFrame) else selected
    check_frame(frame, names, inds)
    if frame.height == 0:
        raise DataError("no rows to calibrate")
    levels: list[_Levels] = []
    for m in margins:  # a loop, not a comprehension: the warnings' stacklevel counts frames
        levels.append(_code_levels(frame, m))
    start = np.column_stack([frame.get_column(c).cast(pl.Float64).to_numpy() for c in names])
    return frame, names, _calibrate(start, levels, calibration, names)


def calibrated_weights(
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    calibration: Calibration,
    *,
    suffix: str = "_cal",
) -> pl.DataFrame:
    """``data`` with the calibrated weights added as ``<weight><suffix>`` (and, for a replicate
    design, ``<replicate><suffix>`` for every replicate weight); ``suffix=""`` replaces them.

    A replicate design over the new columns gives calibrated standard errors with
    :func:`estimate` (set its ``degf`` as :func:`calibrated_estimate` does); a linearised
    design does not: :func:`estimate` on calibrated weights alone ignores the variance the
    calibration removes, so use :func:`calibrated_estimate` for its standard errors.
    """
    frame = data.collect() if isinstance(data, pl.LazyFrame) else data
    if not isinstance(frame, pl.DataFrame):
        raise DataError(f"expected a Polars DataFrame or LazyFrame, got {type(data).__name__}")
    _, names, result = _prepare(frame, design, calibration, [])
    return frame.with_columns(
        pl.Series(f"{name}{suffix}", result.weights[:, j]) for j, name in enumerate(names)
    )


def _values(frame: pl.DataFrame, column: str) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    s = frame.get_column(column)
    ok: npt.NDArray[np.bool_] = s.is_not_null().to_numpy()
    values: FloatArray = s.cast(pl.Float64).fill_null(0.0).to_numpy()
    return values, ok


def _residualise(x: FloatArray, result: _Result) -> FloatArray:
    """Remove the calibration's part from the scores ``x`` (rows, columns), as ``svyrecvar``."""
    if result.raking:
        for _ in range(_SCORE_SWEEPS):
            for step in result.steps:
                psw = step.new[:, None]
                lv = step.levels
                ave = _level_sums(lv.code, len(lv.labels), x / psw) / lv.rows[:, None]
                x = x - psw * ave[lv.code]
        return x
    for step in result.steps:
        lv = step.levels
        psw = step.new.copy()
        oldw = step.old
        psw[(psw == 0) & (oldw == 0)] = 1.0
        k = len(lv.labels)
        psmeans = _level_sums(lv.code, k, x * oldw[:, None] / psw[:, None])
        psmeans = psmeans / np.bincount(lv.code, weights=oldw, minlength=k)[:, None]
        x = x - psmeans[lv.code] * psw[:, None]
    return x


@dataclass(frozen=True, slots=True)
class _Rows:
    """Where each row sits in the design (row order of the frame)."""

    st: Structure
    unit: IntArray  # finest sampling unit (SSU in two-stage designs, else PSU)
    unit_rows: FloatArray  # rows per unit: all of them stay in R's calibrated subsets


def _variance(
    rows: _Rows, score: FloatArray, col: IntArray, n_cols: int, result: _Result
) -> FloatArray:
    """Variance per domain level of the row scores ``score`` of the levels ``col`` (-1: no
    level): spread per level into a column, residualised per block of columns, totalled per
    unit, then the stratified variance per column."""
    n = score.size
    out = np.empty(n_cols)
    n_units = rows.st.n_units
    step = max(1, _CELLS // max(n, 1))
    for lo in range(0, n_cols, step):
        k = min(step, n_cols - lo)
        x = np.zeros((n, k))
        hit = (col >= lo) & (col < lo + k)
        x[np.flatnonzero(hit), col[hit] - lo] = score[hit]
        block = _residualise(x, result)
        z = np.column_stack([np.bincount(rows.unit, block[:, j], n_units) for j in range(k)])
        unit = np.repeat(np.arange(n_units, dtype=np.int64), k)
        entry_col = np.tile(np.arange(k, dtype=np.int64), n_units)
        present = np.repeat(rows.unit_rows, k)
        out[lo : lo + k] = taylor_variance(
            rows.st, unit, entry_col, z.ravel().astype(np.float64), present, k
        )
    return out


def _taylor_blocks(  # noqa: PLR0917 - internal numeric kernel
    frame: pl.DataFrame,
    design: SurveyDesign,
    result: _Result,
    inds: Sequence[Indicator],
    specs: Sequence[tuple[str, ...] | None],
    df_method: DfMethod,
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
) -> list[Block]:
    if result.raking and (result.weights[:, 0] == 0).any():
        raise DesignError(
            f"column '{design.weight}': raking's linearised variance divides the scores by the "
            "raked weight, so rows with weight 0 leave it undefined (R survey returns NaN)",
            hint="drop the rows with weight 0 before raking, or use a replicate design",
        )
    w = result.weights[:, 0]
    n = frame.height
    frame = frame.with_columns(
        pl.Series(design.weight, w), pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_ID)
    )
    by_cols = [c for spec in specs if spec for c in spec]
    table = build_group_table(
        frame,
        weight=design.weight,
        keys=[*design.key_columns, ROW_ID, *by_cols],
        measures=[],
        squares=[],
        extra_minmax=[c for c in (design.fpc, design.fpc2) if c is not None],
    )
    st = build_structure(table, design)
    offset = table.decoders[ROW_ID].offset or 0
    order = table.codes[ROW_ID] + offset  # group g is row order[g]
    unit = np.empty(n, dtype=np.int64)
    unit[order] = st.group_unit
    psu = unit if st.unit_psu is None else st.unit_psu[unit]
    nonzero = np.empty(n)
    nonzero[order] = table.n_nonzero
    rows = _Rows(st, unit, np.bincount(unit, minlength=st.n_units).astype(np.float64))
    blocks: list[Block] = []
    for spec in specs:
        lv = spec_levels(table, spec)
        n_cols = lv.n
        row_col = np.empty(n, dtype=np.int64)
        row_col[order] = lv.group_col
        inside = row_col >= 0
        df = level_df(df_method, st, psu[inside], row_col[inside], nonzero[inside], n_cols)
        n_rows = np.bincount(row_col[inside], minlength=n_cols).astype(np.float64)
        col = np.where(inside, row_col, 0)
        for ind in inds:
            blocks.append(
                _indicator_block(
                    frame,
                    rows,
                    result,
                    (lv, col, inside, df, n_rows),
                    ind,
                    method,
                    level,
                    flag_rule,
                )
            )
    return blocks


def _indicator_block(  # noqa: PLR0917 - internal numeric kernel
    frame: pl.DataFrame,
    rows: _Rows,
    result: _Result,
    domain: tuple[Levels, IntArray, npt.NDArray[np.bool_], FloatArray, FloatArray],
    ind: Indicator,
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
) -> Block:
    lv, col, inside, df, n_rows = domain
    n_cols = lv.n
    w = result.weights[:, 0]
    if isinstance(ind, Ratio):
        y, ok_y = _values(frame, ind.numerator)
        xv, ok_x = _values(frame, ind.denominator)
        ok = ok_y & ok_x
    else:
        y, ok = _values(frame, ind.column)
        xv = np.ones_like(y)
    use = inside & ok
    wu = np.where(use, w, 0.0)
    prob = result.prob

    def by_col(values: FloatArray) -> FloatArray:
        out: FloatArray = np.bincount(col[use], weights=values[use], minlength=n_cols).astype(
            np.float64
        )
        return out

    n_c = by_col(np.ones_like(y))
    sw_c = by_col(w)
    swy_c = by_col(w * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(ind, Total):
            est = swy_c
            score = np.where(use, y / prob, 0.0)  # R: x / design$prob
        elif isinstance(ind, Ratio):
            swx_c = by_col(w * xv)
            est = swy_c / swx_c
            score = np.where(use, (y - est[col] * xv) / swx_c[col] * wu, 0.0)
        else:
            est = swy_c / sw_c
            score = np.where(use, (y - est[col]) * wu / sw_c[col], 0.0)
    var = _variance(rows, score, np.where(use, col, -1), n_cols, result)
    if isinstance(ind, Ratio):
        deffs = (np.full(n_cols, np.nan), np.full(n_cols, np.nan))
    else:
        nz_c = by_col((w != 0).astype(np.float64))
        deffs = design_effects(ind.kind, var, by_col(w * y * y), swy_c, sw_c, nz_c)
    return result_block(lv, ind, est, var, df, n_rows, (n_c, sw_c), deffs, method, level, flag_rule)


def calibrated_estimate(
    data: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign | ReplicateDesign,
    indicators: Indicator | str | Sequence[Indicator | str],
    by: DomainSpec | Sequence[DomainSpec] | None = None,
    *,
    calibration: Calibration,
    overall: bool = True,
    df: DfMethod = "domain",
    ci: CiMethod = "logit",
    level: float = 0.95,
    flags: FlagRule | None = None,
) -> SurveyResult:
    """Estimate as :func:`estimate` does, on weights calibrated by ``calibration``, with the
    calibrated design's standard errors (R ``svymean``/``svytotal``/``svyratio``/``svyby`` on
    ``postStratify(...)`` or ``rake(...)``).

    The data are held in memory (a LazyFrame is collected). For a replicate design, the
    calibrated replicate weights make a new design whose ``degf`` is their rank minus one (R
    recomputes it after calibrating), and ``df`` then means what it means in :func:`estimate`.
    """
    inds = indicators_of(indicators)
    check_options(level=level, df=df, ci=ci)
    specs: list[tuple[str, ...] | None] = [None] if overall else []
    specs.extend(normalise_by(by))
    if not specs:
        raise DesignError("nothing to estimate: overall=False and no domains")
    by_cols = list(dict.fromkeys(c for spec in specs if spec for c in spec))
    design_cols = design.columns if isinstance(design, SurveyDesign) else ()
    frame, names, result = _prepare(
        data, design, calibration, [*design_cols, *analysed_columns(inds), *by_cols], inds
    )
    if isinstance(design, ReplicateDesign):
        calibrated = frame.with_columns(
            pl.Series(name, result.weights[:, j]) for j, name in enumerate(names)
        )
        rank = qr_rank(result.weights[:, 1:], result.weights.shape[0])
        redesign = ReplicateDesign(
            design.weight,
            design.replicates,
            design.type,
            rho=design.rho,
            scale=design.scale,
            rscales=design.rscales,
            mse=design.mse,
            degf=rank - 1,
        )
        return estimate(
            calibrated, redesign, inds, by, overall=overall, df=df, ci=ci, level=level,
            flags=flags,
        )  # fmt: skip
    blocks = _taylor_blocks(frame, design, result, inds, specs, df, ci, level, flags or FlagRule())
    return SurveyResult.from_parts(blocks, level=level, ci_method=ci, df_method=df)

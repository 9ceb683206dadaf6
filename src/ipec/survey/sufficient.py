"""The one heavy step: a single pass over the rows building sufficient statistics.

Rows are grouped by (stratum, PSU, second-stage unit, domain cell). Every key column is first
turned into a small integer code and the codes are packed into one Int64 key. When the packed
key space is small (the usual case: PSUs times domain cells), ``np.bincount`` sums every
statistic straight into a dense array, several times faster than a hash group-by; otherwise
Polars groups on the packed key. A LazyFrame is grouped by Polars' streaming engine on the raw
key columns, so the rows are never held in memory. Everything after this pass works on the
(much smaller) group table with NumPy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError

__all__ = ["Decoder", "GroupTable", "Measure", "bad_rows", "build_group_table", "encode_columns"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_MAX_KEY = 2**62
_DENSE_BINS = 1 << 26  # largest key space summed with np.bincount
_DENSE_PER_ROW = 8  # ... and at most this many bins per row
_ROWS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Measure:
    """Sums needed for one analysed column (or numerator/denominator pair).

    Rows with a null in ``y`` (or ``x``) are excluded, as R does with ``na.rm=TRUE``.
    """

    y: str
    x: str | None = None

    @property
    def tag(self) -> str:
        """Unique prefix of this measure's aggregate columns."""
        return f"{self.y}\x1f{self.x}" if self.x is not None else self.y


@dataclass(frozen=True, slots=True)
class Decoder:
    """Turns a column's integer codes back into its values (None for a null)."""

    offset: int | None
    values: tuple[object, ...]
    null_code: int

    def decode(self, code: int) -> object:
        """The original value behind ``code``."""
        if code == self.null_code:
            return None
        if self.offset is not None:
            return self.offset + code
        return self.values[code]


@dataclass(frozen=True, slots=True)
class GroupTable:
    """Per-group sums; one entry per non-empty (stratum, psu, psu2, cell) group."""

    codes: Mapping[str, IntArray]
    decoders: Mapping[str, Decoder]
    n_rows: IntArray
    n_nonzero: IntArray
    sums: Mapping[str, FloatArray] = field(default_factory=dict)
    n_total_rows: int = 0
    check_counts: tuple[int, ...] = ()


def bad_rows(frame: pl.DataFrame, condition: pl.Expr) -> tuple[list[int], int]:
    """0-based indices of the first offending rows, and how many there are (error path only)."""
    idx = frame.select(pl.arg_where(condition).alias("i"))["i"]
    return [int(i) for i in idx.head(_ROWS_SHOWN).to_list()], idx.len()


def encode_columns(
    frame: pl.DataFrame, cols: Sequence[str]
) -> tuple[pl.DataFrame, dict[str, pl.Expr], dict[str, Decoder], dict[str, int]]:
    """Integer codes 0..k-1 per key column (k = null code) as expressions on the returned frame,
    how to decode them, and the packing base of each column (k + 1, or k when the column has no
    null, to keep the key space small). One select finds every range and category.
    """
    if not cols:
        return frame, {}, {}, {}
    schema = frame.schema
    to_cat = [c for c in cols if not (schema[c].is_integer() or schema[c] == pl.Boolean)]
    cast: list[pl.Expr] = []
    for c in to_cat:
        dtype = schema[c]
        if dtype in (pl.Categorical,) or isinstance(dtype, pl.Enum | pl.Categorical):
            continue
        cast.append(pl.col(c).cast(pl.String).cast(pl.Categorical))
    cast.extend(pl.col(c).cast(pl.UInt8) for c in cols if schema[c] == pl.Boolean)
    if cast:
        frame = frame.with_columns(cast)
    phys = {c: pl.col(c).to_physical() if c in to_cat else pl.col(c) for c in cols}
    found = frame.select(
        *[phys[c].min().cast(pl.Int64).alias(f"min{i}") for i, c in enumerate(cols)],
        *[phys[c].max().cast(pl.Int64).alias(f"max{i}") for i, c in enumerate(cols)],
        *[pl.col(c).drop_nulls().unique().implode().alias(f"u{c}") for c in to_cat],
    )
    stats = found.row(0)
    k = len(cols)
    decoders: dict[str, Decoder] = {}
    bases: dict[str, int] = {}
    exprs: dict[str, pl.Expr] = {}
    for i, c in enumerate(cols):
        lo, hi = stats[i], stats[k + i]
        if lo is None or hi is None:  # every value null
            lo, hi = 0, -1
        span = hi - lo + 1
        if c in to_cat:
            uniq = found[f"u{c}"].explode()
            values: list[object] = [None] * span
            for code, value in zip(uniq.to_physical().to_list(), uniq.to_list(), strict=True):
                values[int(code) - lo] = value
            decoders[c] = Decoder(None, tuple(values), span)
        else:
            decoders[c] = Decoder(lo, (), span)
        bases[c] = max(1, span + (1 if frame[c].null_count() else 0))
        exprs[c] = (phys[c].cast(pl.Int64) - lo).fill_null(span).alias(c)
    return frame, exprs, decoders, bases


Job = tuple[str, Callable[[], FloatArray | None], bool]  # name, per-row weights, shared


def _measure_aggs(
    weight: str,
    measures: Sequence[Measure],
    squares: Sequence[str],
    nulls: Mapping[str, int] | None,
) -> dict[str, pl.Expr]:
    """Polars aggregations for the group-by paths (``nulls`` None = nulls possible)."""
    w = pl.col(weight).cast(pl.Float64)
    aggs: dict[str, pl.Expr] = {"__n": pl.len(), "__nz": (w != 0).sum()}
    for m in measures:
        y = pl.col(m.y).cast(pl.Float64)
        cols = [m.y] if m.x is None else [m.y, m.x]
        has_null = nulls is None or any(nulls[c] for c in cols)
        ok = pl.all_horizontal([pl.col(c).is_not_null() for c in cols]) if has_null else None
        t = m.tag
        if ok is None:
            aggs[f"{t}|n"] = pl.len()
            aggs[f"{t}|nz"] = (w != 0).sum()
            aggs[f"{t}|sw"] = w.sum()
        else:
            aggs[f"{t}|n"] = ok.sum()
            aggs[f"{t}|nz"] = (ok & (w != 0)).sum()
            aggs[f"{t}|sw"] = pl.when(ok).then(w).otherwise(0.0).sum()
        if m.x is None:
            aggs[f"{t}|swy"] = (w * y).sum()
            if m.y in squares:
                aggs[f"{t}|swyy"] = (w * y * y).sum()
        else:
            x = pl.col(m.x).cast(pl.Float64)
            yy = y if ok is None else pl.when(ok).then(y)
            xx = x if ok is None else pl.when(ok).then(x)
            aggs[f"{t}|swy"] = (w * yy).sum()
            aggs[f"{t}|swx"] = (w * xx).sum()
    return aggs


def _as_float(frame: pl.DataFrame, column: str) -> FloatArray:
    out: FloatArray = frame[column].cast(pl.Float64).to_numpy()
    return out


def _dense_jobs(
    frame: pl.DataFrame, weight: str, measures: Sequence[Measure], squares: Sequence[str]
) -> list[Job]:
    """One job per statistic, each giving its per-row weights for ``np.bincount``.

    Statistics that do not depend on the measure (counts and weight sums when a measure has no
    null) are shared, and for a boolean ``y`` the sum of w*y*y is the sum of w*y.
    """
    w = _as_float(frame, weight)
    cache: dict[str, FloatArray] = {}

    def nonzero() -> FloatArray:
        if "nz" not in cache:
            cache["nz"] = (w != 0).astype(np.float64)
        return cache["nz"]

    jobs: list[Job] = [("__nz", nonzero, True)]
    for m in measures:
        cols = [m.y] if m.x is None else [m.y, m.x]
        t = m.tag
        has_null = any(frame[c].null_count() for c in cols)
        boolean = frame.schema[m.y] == pl.Boolean and m.x is None

        def values(c: str = m.y) -> FloatArray:
            col = frame[c]
            if col.null_count():
                col = col.cast(pl.Float64).fill_null(0.0)
            out: FloatArray = col.to_numpy()
            return out

        def ok(cols: list[str] = cols) -> FloatArray:
            mask = np.ones(frame.height, dtype=np.bool_)
            for c in cols:
                mask &= frame[c].is_not_null().to_numpy()
            return mask.astype(np.float64)

        def swy(
            c: str = m.y,
            ok: Callable[[], FloatArray] = ok,
            mask: bool = has_null and m.x is not None,  # a pair: a null in either drops the row
        ) -> FloatArray:
            out: FloatArray = w * values(c)
            if mask:
                out *= ok()
            return out

        def times_ok(v: Callable[[], FloatArray], ok: Callable[[], FloatArray] = ok) -> FloatArray:
            out: FloatArray = ok() * v()
            return out

        def square(values: Callable[[], FloatArray] = values) -> FloatArray:
            out: FloatArray = w * values() * values()
            return out

        def weights() -> FloatArray:
            return w

        if has_null:
            jobs.append((f"{t}|n", ok, False))
            jobs.append((f"{t}|nz", partial(times_ok, nonzero), False))
            jobs.append((f"{t}|sw", partial(times_ok, weights), False))
        else:
            jobs.append((f"{t}|n", lambda: None, True))
            jobs.append((f"{t}|nz", nonzero, True))
            jobs.append((f"{t}|sw", weights, True))
        jobs.append((f"{t}|swy", swy, False))
        if m.x is not None:
            jobs.append((f"{t}|swx", partial(swy, m.x), False))
        elif m.y in squares and not boolean:
            jobs.append((f"{t}|swyy", square, False))
    return jobs


def _dense_table(  # noqa: PLR0917 - internal
    frame: pl.DataFrame,
    key: IntArray,
    bound: int,
    weight: str,
    measures: Sequence[Measure],
    squares: Sequence[str],
    extra_minmax: Sequence[str],
) -> tuple[IntArray, dict[str, FloatArray]]:
    """Sums per non-empty key with ``np.bincount`` (two threads: NumPy's arithmetic lets go of
    the GIL, so one job's products overlap another's counting)."""
    n = np.bincount(key, minlength=bound)
    nonempty = np.flatnonzero(n)
    counted: dict[int, FloatArray] = {}
    rows: FloatArray = n[nonempty].astype(np.float64)

    def run(job: Job) -> tuple[str, FloatArray]:
        name, weights, share = job
        values = weights()
        if values is None:
            return name, rows
        same = counted.get(id(values)) if share else None
        if same is not None:
            return name, same
        out = np.bincount(key, weights=values, minlength=bound)[nonempty].astype(np.float64)
        if share:  # shared jobs return long-lived arrays, so their id() is a safe cache key
            counted[id(values)] = out
        return name, out

    jobs = _dense_jobs(frame, weight, measures, squares)
    sums = dict(run(j) for j in jobs if j[2])
    own = [j for j in jobs if not j[2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        sums.update(pool.map(run, own))
    for m in measures:
        if m.x is None and f"{m.tag}|swyy" not in sums and m.y in squares:
            sums[f"{m.tag}|swyy"] = sums[f"{m.tag}|swy"]
    if extra_minmax:
        group = np.zeros(bound, dtype=np.int64)
        group[nonempty] = np.arange(nonempty.size)
        gidx = group[key]
        for c in extra_minmax:
            v = frame[c].cast(pl.Float64).fill_null(np.nan).to_numpy()
            lo = np.full(nonempty.size, np.inf)
            hi = np.full(nonempty.size, -np.inf)
            np.minimum.at(lo, gidx, v)
            np.maximum.at(hi, gidx, v)
            sums[f"{c}|min"], sums[f"{c}|max"] = lo, hi
    sums["__n"] = rows
    return nonempty.astype(np.int64), sums


def _strides(keys: Sequence[str], bases: Mapping[str, int]) -> tuple[dict[str, int], int]:
    stride = 1
    strides: dict[str, int] = {}
    for c in reversed(keys):
        strides[c] = stride
        stride *= bases[c]
        if stride >= _MAX_KEY:
            raise DataError(
                "too many distinct values across the design and domain columns to index",
                column=c,
                hint="recode very sparse ids (e.g. with a dense rank) before estimating",
            )
    return strides, stride


def _minmax_aggs(extra_minmax: Sequence[str]) -> dict[str, pl.Expr]:
    aggs: dict[str, pl.Expr] = {}
    for c in extra_minmax:
        aggs[f"{c}|min"] = pl.col(c).cast(pl.Float64).min()
        aggs[f"{c}|max"] = pl.col(c).cast(pl.Float64).max()
    return aggs


def _lazy_table(
    frame: pl.LazyFrame,
    weight: str,
    keys: Sequence[str],
    aggs: Mapping[str, pl.Expr],
    checks: Sequence[pl.Expr],
) -> tuple[pl.DataFrame, tuple[int, ...]]:
    """Streaming group-by on the raw key columns: only the group table is ever in memory."""
    all_aggs = dict(aggs)
    all_aggs.update({f"__chk{i}": c.sum() for i, c in enumerate(checks)})
    query = frame.group_by(keys).agg(**all_aggs) if keys else frame.select(**all_aggs)
    table = query.collect(engine="streaming")
    counts = tuple(int(table[f"__chk{i}"].sum()) for i in range(len(checks)))
    return table.drop([f"__chk{i}" for i in range(len(checks))]), counts


def build_group_table(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    weight: str,
    keys: Sequence[str],
    measures: Sequence[Measure],
    squares: Sequence[str],
    extra_minmax: Sequence[str] = (),
    extra_aggs: Mapping[str, pl.Expr] | None = None,
    checks: Sequence[pl.Expr] = (),
) -> GroupTable:
    """Run the single pass over the rows and unpack it into NumPy arrays.

    ``checks`` (LazyFrame only) are row conditions counted in the same pass, so bad data is
    found without a second read; their counts come back in ``check_counts``.
    """
    keys = list(dict.fromkeys(keys))
    counts: tuple[int, ...] = ()
    if isinstance(frame, pl.LazyFrame):
        aggs = _measure_aggs(weight, measures, squares, None)
        aggs.update(_minmax_aggs(extra_minmax))
        aggs.update(extra_aggs or {})
        raw, counts = _lazy_table(frame, weight, keys, aggs, checks)
        raw, exprs, decoders, bases = encode_columns(raw, keys)
        coded = raw.with_columns(exprs.values())
        strides, _ = _strides(keys, bases)
        packed = np.zeros(coded.height, dtype=np.int64)
        for c in keys:
            packed += coded[c].to_numpy().astype(np.int64) * strides[c]
        order = np.argsort(packed, kind="stable")  # the order the in-memory path gives
        table = coded[order]
        codes = {c: (packed[order] // strides[c]) % bases[c] for c in keys}
        n_total = int(raw["__n"].sum())
    else:
        coded, exprs, decoders, bases = encode_columns(frame, keys)
        strides, bound = _strides(keys, bases)
        key_expr: pl.Expr = pl.lit(0, dtype=pl.Int64)
        for c in keys:
            key_expr = key_expr + exprs[c] * strides[c]
        dense = (
            not extra_aggs
            and frame.height > 0
            and bound <= min(_DENSE_BINS, _DENSE_PER_ROW * frame.height + 1024)
        )
        n_total = frame.height
        if dense:
            key = coded.select(key_expr.alias("k")).to_series().to_numpy().astype(np.int64)
            packed, sums = _dense_table(frame, key, bound, weight, measures, squares, extra_minmax)
            codes = {c: (packed // strides[c]) % bases[c] for c in keys}
            return GroupTable(
                codes=codes,
                decoders=decoders,
                n_rows=sums.pop("__n").astype(np.int64),
                n_nonzero=sums.pop("__nz").astype(np.int64),
                sums=sums,
                n_total_rows=n_total,
            )
        nulls = {c: frame[c].null_count() for m in measures for c in (m.y, m.x) if c is not None}
        aggs = _measure_aggs(weight, measures, squares, nulls)
        aggs.update(_minmax_aggs(extra_minmax))
        aggs.update(extra_aggs or {})
        table = (
            coded.lazy()
            .with_columns(pl.col(weight).cast(pl.Float64))
            .group_by(key_expr.alias("__key"))
            .agg(**aggs)
            .sort("__key")
            .collect()
        )
        key = table["__key"].to_numpy().astype(np.int64, copy=False)
        codes = {c: (key // strides[c]) % bases[c] for c in keys}
    sums = {
        name: table[name].to_numpy().astype(np.float64, copy=False)
        for name in table.columns
        if "|" in name
    }
    return GroupTable(
        codes=codes,
        decoders=decoders,
        n_rows=table["__n"].to_numpy().astype(np.int64, copy=False),
        n_nonzero=table["__nz"].to_numpy().astype(np.int64, copy=False),
        sums=sums,
        n_total_rows=n_total,
        check_counts=counts,
    )

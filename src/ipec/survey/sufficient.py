"""The one heavy step: a single Polars group-by building sufficient statistics.

Rows are grouped by (stratum, PSU, second-stage unit, domain cell). Every key column is first
turned into a small integer code and the codes are packed into one Int64 key, because grouping
on one integer is several times faster than grouping on several typed columns. Everything after
this pass works on the (much smaller) group table with NumPy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError

__all__ = ["Decoder", "GroupTable", "Measure", "bad_rows", "build_group_table"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_MAX_KEY = 2**62
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


def bad_rows(frame: pl.DataFrame, condition: pl.Expr) -> tuple[list[int], int]:
    """0-based indices of the first offending rows, and how many there are (error path only)."""
    idx = frame.select(pl.arg_where(condition).alias("i"))["i"]
    return [int(i) for i in idx.head(_ROWS_SHOWN).to_list()], idx.len()


def _encode_columns(
    frame: pl.DataFrame, cols: Sequence[str]
) -> tuple[pl.DataFrame, dict[str, Decoder], dict[str, int]]:
    """Integer codes 0..k-1 per key column (k = null code), plus how to decode them."""
    if not cols:
        return frame, {}, {}
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
    stats = frame.select(
        *[phys[c].min().cast(pl.Int64).alias(f"min{i}") for i, c in enumerate(cols)],
        *[phys[c].max().cast(pl.Int64).alias(f"max{i}") for i, c in enumerate(cols)],
    ).row(0)
    k = len(cols)
    decoders: dict[str, Decoder] = {}
    bases: dict[str, int] = {}
    exprs: list[pl.Expr] = []
    for i, c in enumerate(cols):
        lo, hi = stats[i], stats[k + i]
        if lo is None or hi is None:  # every value null
            lo, hi = 0, -1
        span = hi - lo + 1
        if c in to_cat:
            uniq = frame.select(pl.col(c).unique().drop_nulls())[c]
            values: list[object] = [None] * span
            for code, value in zip(uniq.to_physical().to_list(), uniq.to_list(), strict=True):
                values[int(code) - lo] = value
            decoders[c] = Decoder(None, tuple(values), span)
        else:
            decoders[c] = Decoder(lo, (), span)
        bases[c] = span + 1
        exprs.append((phys[c].cast(pl.Int64) - lo).fill_null(span).alias(c))
    return frame.with_columns(exprs), decoders, bases


def build_group_table(
    frame: pl.DataFrame,
    *,
    weight: str,
    keys: Sequence[str],
    measures: Sequence[Measure],
    squares: Sequence[str],
    extra_minmax: Sequence[str] = (),
    extra_aggs: Mapping[str, pl.Expr] | None = None,
) -> GroupTable:
    """Run the single group-by pass and unpack it into NumPy arrays."""
    keys = list(dict.fromkeys(keys))
    coded, decoders, bases = _encode_columns(frame, keys)
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
    key_expr: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for c in keys:
        key_expr = key_expr + pl.col(c) * strides[c]
    w = pl.col(weight)
    aggs: dict[str, pl.Expr] = {
        "__n": pl.len(),
        "__nz": (w != 0).sum(),
    }
    nulls = {c: frame[c].null_count() for m in measures for c in (m.y, m.x) if c is not None}
    for m in measures:
        y = pl.col(m.y).cast(pl.Float64)
        cols = [m.y] if m.x is None else [m.y, m.x]
        has_null = any(nulls[c] for c in cols)
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
            assert ok is not None or not has_null
            yy = y if ok is None else pl.when(ok).then(y)
            xx = x if ok is None else pl.when(ok).then(x)
            aggs[f"{t}|swy"] = (w * yy).sum()
            aggs[f"{t}|swx"] = (w * xx).sum()
    for c in extra_minmax:
        aggs[f"{c}|min"] = pl.col(c).cast(pl.Float64).min()
        aggs[f"{c}|max"] = pl.col(c).cast(pl.Float64).max()
    for name, expr in (extra_aggs or {}).items():
        aggs[name] = expr
    table = (
        coded.lazy()
        .with_columns(pl.col(weight).cast(pl.Float64))
        .group_by(key_expr.alias("__key"))
        .agg(**aggs)
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
        n_total_rows=frame.height,
    )

"""Sufficient statistics as dense (PSU x domain cell) arrays, summed batch by batch.

Why: PSUs are nested in strata and domains are a few small columns, so each statistic fits a
dense P x C array and one ``np.bincount`` per statistic replaces a hash group-by. The sums are
additive over rows, so a LazyFrame is read in batches that add into the same arrays: codes are
fixed by a first cheap pass (column ranges, distinct values, (stratum, PSU) pairs), so every
batch maps its rows onto the same PSU and cell indices and memory stays bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.survey.replicate_rank import RankCache
from ipec.survey.sufficient import Measure

__all__ = [
    "Coder",
    "DenseCube",
    "FrameCodes",
    "RowTerms",
    "add_batch",
    "cell_strides",
    "plan_coders",
    "psu_keys",
    "row_codes",
    "start_cube",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

MAX_CELLS = 1 << 25  # P x C bound of the dense path
_LOOKUP = 1 << 26  # largest packed (stratum, PSU) key space indexed with a lookup table


@dataclass(frozen=True, slots=True)
class Coder:
    """Integer codes 0..span-1 of one key column (span = the null code)."""

    name: str
    offset: int  # integer, boolean and categorical columns: code = value (or physical) - offset
    values: tuple[object, ...] | None  # strings: sorted distinct values; categoricals: by code
    span: int
    has_null: bool
    replace: bool  # strings: codes by value lookup

    @property
    def base(self) -> int:
        """Packing base: the null code gets a slot only when the column has nulls."""
        return max(1, self.span + (1 if self.has_null else 0))

    def decode(self, code: int) -> object:
        """The value behind ``code`` (as the group-table decoders give it)."""
        if self.values is None:
            return self.offset + code
        return self.values[code]

    def expr(self) -> pl.Expr:
        """Int64 codes of the column, the null code for nulls."""
        col = pl.col(self.name)
        if self.replace:
            assert self.values is not None
            code = col.replace_strict(
                list(self.values), list(range(len(self.values))), default=None,
                return_dtype=pl.Int64,
            )  # fmt: skip
        elif self.values is not None:
            code = col.to_physical().cast(pl.Int64) - self.offset
        else:
            code = col.cast(pl.Int64) - self.offset
        return code.fill_null(self.span).alias(self.name)


def _kind(dtype: pl.DataType) -> str | None:
    if dtype.is_integer() or dtype == pl.Boolean:
        return "int"
    if isinstance(dtype, pl.Categorical | pl.Enum):
        return "cat"
    if dtype == pl.String:
        return "str"
    return None


def plan_coders(
    frame: pl.DataFrame | pl.LazyFrame, cols: Sequence[str], extra: Sequence[pl.Expr] = ()
) -> tuple[list[Coder], tuple[object, ...]] | None:
    """Coders for ``cols`` from one pass (streaming for a LazyFrame), plus the values of
    ``extra`` scalar expressions computed in the same pass; None when a column does not suit."""
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    kinds = {c: _kind(schema[c]) for c in cols}
    if any(k is None for k in kinds.values()):
        return None
    exprs: list[pl.Expr] = []
    for i, c in enumerate(cols):
        col = pl.col(c)
        if kinds[c] == "int":
            v = col.cast(pl.Int64)
        elif kinds[c] == "cat":
            v = col.to_physical().cast(pl.Int64)
        else:
            v = pl.lit(0, dtype=pl.Int64)
        exprs += [v.min().alias(f"lo{i}"), v.max().alias(f"hi{i}"), col.null_count().alias(f"n{i}")]
        if kinds[c] == "cat":  # one row per physical code: faster than a unique on strings
            exprs.append(col.gather(col.to_physical().arg_unique()).implode().alias(f"u{i}"))
        elif kinds[c] == "str":
            exprs.append(col.drop_nulls().unique().implode().alias(f"u{i}"))
    exprs += [e.alias(f"x{i}") for i, e in enumerate(extra)]
    query = frame.lazy().select(exprs)
    found = query.collect(engine="streaming" if isinstance(frame, pl.LazyFrame) else "auto")
    row = found.row(0, named=True)
    coders: list[Coder] = []
    for i, c in enumerate(cols):
        lo, hi, nulls = row[f"lo{i}"], row[f"hi{i}"], int(row[f"n{i}"])
        if kinds[c] == "str":
            values = tuple(sorted(found[f"u{i}"].explode().drop_nulls().to_list()))
            coders.append(Coder(c, 0, values, len(values), nulls > 0, True))
            continue
        if lo is None or hi is None:
            lo, hi = 0, -1
        span = int(hi) - int(lo) + 1
        if kinds[c] == "cat":
            uniq = found[f"u{i}"].explode().drop_nulls()
            if span > 4 * uniq.len() + 16:
                return None
            vals: list[object] = [None] * span
            for code, value in zip(uniq.to_physical().to_list(), uniq.to_list(), strict=True):
                vals[int(code) - int(lo)] = value
            coders.append(Coder(c, int(lo), tuple(vals), span, nulls > 0, False))
        else:
            coders.append(Coder(c, int(lo), None, span, nulls > 0, False))
    return coders, tuple(row[f"x{i}"] for i in range(len(extra)))


def _small(codes: npt.NDArray[np.int64], span: int) -> npt.NDArray[np.integer]:
    """Codes in the smallest integer type that holds 0..span (less memory to keep and read)."""
    for dtype in (np.int8, np.int16, np.int32):
        if span < np.iinfo(dtype).max:
            return codes.astype(dtype)
    return codes


def _same_values(held: pl.Series, series: pl.Series) -> bool:
    """Same dtype, length and values (nulls at the same rows); a categorical also by code."""
    if held.dtype != series.dtype or held.len() != series.len():
        return False
    if held.null_count() != series.null_count():
        return False
    if isinstance(held.dtype, pl.Categorical | pl.Enum) and not held.to_physical().equals(
        series.to_physical(), null_equal=True
    ):
        return False
    return held.equals(series, check_dtypes=True, null_equal=True)


@dataclass(frozen=True, slots=True)
class _Coded:
    series: pl.Series  # the values coded (kept: a later frame is compared with them)
    coder: Coder
    codes: npt.NDArray[np.integer]  # the code of every row


@dataclass(frozen=True, slots=True)
class _PsuIndex:
    strata: _Coded | None
    psu: _Coded
    keys: IntArray  # sorted distinct packed (stratum, PSU) keys, as ``psu_keys`` gives them
    index: IntArray  # PSU number (position in ``keys``) of every row


@dataclass(frozen=True, slots=True)
class RowKeys:
    """What the dense cube needs of a frame's key columns, from :class:`FrameCodes`."""

    s: Coder | None
    p: Coder
    cells: list[Coder]
    keys: IntArray
    psu: IntArray  # PSU number of every row
    cell_codes: list[npt.NDArray[np.integer]]  # per domain column, its code of every row


class FrameCodes:
    """Codes of the design and domain columns of in-memory frames, made once and reused.

    Why: a report makes many estimates over frames that share these columns (only the weights
    and indicators differ), and coding 10 million rows costs more than summing them. A column
    is coded again unless the frame's column has the same dtype and values as the one coded
    (a vectorised comparison), so codes of another frame are never used. Estimates running in
    several threads may share one: a lock makes each column coded once.
    """

    def __init__(self) -> None:
        self._columns: dict[str, _Coded] = {}
        self._psus: dict[tuple[str | None, str], _PsuIndex] = {}
        self._lock = threading.Lock()
        #: a replicate design's domain df, kept the same way (its owner is replicate_rank)
        self.replicate_ranks = RankCache()

    def _column(self, frame: pl.DataFrame, name: str) -> _Coded | None:
        series = frame.get_column(name)
        held = self._columns.get(name)
        if held is not None and _same_values(held.series, series):
            return held
        if series.dtype.is_integer() and series.len() and not series.null_count():
            # the codes ``plan_coders`` would give (value - minimum), without two queries
            values = series.to_numpy()
            lo = int(values.min())
            coder = Coder(name, lo, None, int(values.max()) - lo + 1, False, False)
            codes = np.subtract(values, lo, dtype=np.int64)
        else:
            plan = plan_coders(frame.select(name), [name])
            if plan is None:
                return None
            coder = plan[0][0]
            codes = frame.select(coder.expr()).to_series().to_numpy().astype(np.int64, copy=False)
        coded = _Coded(series, coder, _small(codes, coder.span))
        self._columns[name] = coded
        return coded

    def _psu_index(self, s: _Coded | None, p: _Coded) -> _PsuIndex:
        key = (None if s is None else s.series.name, p.series.name)
        held = self._psus.get(key)
        if held is not None and held.strata is s and held.psu is p:
            return held
        p_codes = p.codes.astype(np.int64)
        base = p.coder.base
        index: IntArray | None = None
        if s is None:
            seen = np.zeros(base, dtype=np.bool_)
            seen[p_codes] = True
            keys = np.flatnonzero(seen).astype(np.int64)
            rank = np.zeros(base, dtype=np.int64)
            rank[keys] = np.arange(keys.size, dtype=np.int64)
            index = rank[p_codes]
        else:
            s_codes = s.codes.astype(np.int64)
            stratum = np.full(base, -1, dtype=np.int64)
            stratum[p_codes] = s_codes
            if np.array_equal(stratum[p_codes], s_codes):
                # every PSU id is in one stratum: index by the PSU id alone (small tables)
                present = np.flatnonzero(stratum >= 0)
                keys = np.sort(stratum[present] * base + present)
                rank = np.zeros(base, dtype=np.int64)
                rank[keys % base] = np.arange(keys.size, dtype=np.int64)
                index = rank[p_codes]
            else:
                packed = s_codes * base + p_codes
                keys = psu_keys(packed, s.coder.base * base)
                index = np.searchsorted(keys, packed).astype(np.int64)
        found = _PsuIndex(s, p, keys, index)
        self._psus[key] = found
        return found

    def row_keys(
        self, frame: pl.DataFrame, strata: str | None, psu: str, by_cols: Sequence[str]
    ) -> RowKeys | None:
        """Coders, PSU keys and row codes of the frame's design and domain columns; None when
        a column cannot be coded or a design column has nulls (the caller's own path decides)."""
        names = list(dict.fromkeys([*([] if strata is None else [strata]), psu, *by_cols]))
        coded: dict[str, _Coded] = {}
        with self._lock:
            for name in names:
                found = self._column(frame, name)
                if found is None:
                    return None
                coded[name] = found
            s = None if strata is None else coded[strata]
            p = coded[psu]
            if p.coder.has_null or (s is not None and s.coder.has_null):
                return None
            index = self._psu_index(s, p)
        return RowKeys(
            None if s is None else s.coder,
            p.coder,
            [coded[c].coder for c in by_cols],
            index.keys,
            index.index,
            [coded[c].codes for c in by_cols],
        )

    def psu_count(self, frame: pl.DataFrame, strata: str | None, psu: str) -> int | None:
        """Distinct (stratum, PSU) pairs of the frame, from the kept PSU keys; None as
        ``row_keys``."""
        known = self.row_keys(frame, strata, psu, [])
        return None if known is None else int(known.keys.size)


def psu_keys(packed: IntArray, bound: int) -> IntArray:
    """Sorted distinct packed (stratum, PSU) keys."""
    if bound <= _LOOKUP:
        seen = np.zeros(bound, dtype=np.bool_)
        seen[packed] = True
        return np.flatnonzero(seen).astype(np.int64)
    return np.unique(packed).astype(np.int64)


@dataclass(slots=True)
class DenseCube:
    """Running (PSU x cell) sums; ``stats[name]`` is flat of size n_psu * n_cells.

    Accumulators are created by the first batch that adds to them (no zeroed arrays to add
    into); ``names`` lists every statistic the cube holds.
    """

    keys: IntArray  # sorted packed (stratum, PSU) keys: index = PSU number
    p_base: int
    cells: list[Coder]
    n_cells: int
    strides: list[int]
    measures: list[Measure]
    own: dict[str, bool]  # measure tag -> has its own n/nz/sw (a null in its columns)
    squares: set[str]
    stats: dict[str, FloatArray]
    lookup: IntArray | None
    names: frozenset[str] = frozenset()
    # tag -> tag whose n/nz/sw it has (WEIGHTED_ROWS: the cube's nz and sw)
    shared: dict[str, str] = field(default_factory=dict)

    @property
    def n_psu(self) -> int:
        """Number of PSUs."""
        return int(self.keys.size)

    def resolve(self, name: str) -> str:
        """The accumulator behind a statistic (no nulls: the measure's n is the row count)."""
        tag, _, what = name.rpartition("|")
        if tag and what in ("n", "nz", "sw"):
            if not self.own[tag]:
                return {"n": "rows", "nz": "nz", "sw": "sw"}[what]
            if tag in self.shared:
                first = self.shared[tag]
                if first == WEIGHTED_ROWS:
                    return {"n": "nz", "nz": "nz", "sw": "sw"}[what]
                return f"{first}|{what}"
        if what == "swyy" and name not in self.names:
            return f"{tag}|swy"  # boolean: y*y = y
        return name

    def stat(self, name: str) -> FloatArray:
        """A statistic as (P, C)."""
        key = self.resolve(name)
        if key not in self.stats:  # no rows were added
            self.stats[key] = np.zeros(self.n_psu * self.n_cells)
        return self.stats[key].reshape(self.n_psu, self.n_cells)

    def add(self, name: str, sums: FloatArray) -> None:
        """Add one batch's sums of statistic ``name``."""
        held = self.stats.get(name)
        if held is None:
            self.stats[name] = sums
        else:
            held += sums


def start_cube(  # noqa: PLR0917 - internal
    keys: IntArray,
    p_base: int,
    cells: list[Coder],
    measures: Sequence[Measure],
    own: dict[str, bool],
    squares: Iterable[str],
    boolean: set[str],
    *,
    lookup: bool = True,
) -> DenseCube:
    """An empty cube for every statistic the indicators need (``lookup``: a table from packed
    (stratum, PSU) keys to PSU numbers, not needed when rows come with their PSU numbers)."""
    strides, n_cells = cell_strides(cells)
    names = ["rows", "nz", "sw"]
    sq = set(squares)
    for m in measures:
        t = m.tag
        if own[t]:
            names += [f"{t}|n", f"{t}|nz", f"{t}|sw"]
        names.append(f"{t}|swy")
        if m.x is not None:
            names.append(f"{t}|swx")
        elif m.y in sq and m.y not in boolean:
            names.append(f"{t}|swyy")
    bound = int(keys[-1]) + 1 if keys.size else 1
    table = None
    if lookup and bound <= _LOOKUP:
        table = np.full(bound, -1, dtype=np.int64)
        table[keys] = np.arange(keys.size, dtype=np.int64)
    return DenseCube(
        keys, p_base, list(cells), n_cells, strides, list(measures), own, sq, {}, table,
        frozenset(names),
    )  # fmt: skip


def cell_strides(cells: Sequence[Coder]) -> tuple[list[int], int]:
    """Mixed-radix strides of the joint cell code, and the number of cells."""
    strides: list[int] = []
    n_cells = 1
    for c in reversed(cells):
        strides.insert(0, n_cells)
        n_cells *= c.base
    return strides, n_cells


def row_codes(
    batch: pl.DataFrame, cells: Sequence[Coder], s: Coder | None, p: Coder
) -> tuple[IntArray, IntArray]:
    """Packed (stratum, PSU) key and joint cell code of every row, in one Polars select."""
    strides, _ = cell_strides(cells)
    cell_expr: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for c, stride in zip(cells, strides, strict=True):
        cell_expr = cell_expr + c.expr() * stride
    sp_expr = p.expr() if s is None else s.expr() * p.base + p.expr()
    coded = batch.select(sp_expr.alias("sp"), cell_expr.alias("cell"))
    return coded["sp"].to_numpy(), coded["cell"].to_numpy()


def _row_keys(
    cube: DenseCube, batch: pl.DataFrame, s: Coder | None, p: Coder,
    codes: tuple[IntArray, IntArray] | None,
) -> IntArray:  # fmt: skip
    sp, cell = codes if codes is not None else row_codes(batch, cube.cells, s, p)
    if cube.lookup is not None:
        psu = cube.lookup[sp]
    else:
        psu = np.searchsorted(cube.keys, sp).astype(np.int64)
    key: IntArray = psu * cube.n_cells + cell
    return key


def _values(batch: pl.DataFrame, column: str) -> FloatArray | npt.NDArray[np.bool_]:
    """A column as numbers, nulls as 0 (a boolean stays boolean: w * True is exactly w)."""
    col = batch[column]
    if col.dtype == pl.Boolean:
        out_bool: npt.NDArray[np.bool_] = col.fill_null(value=False).to_numpy()
        return out_bool
    if col.null_count():
        col = col.cast(pl.Float64).fill_null(0.0)
    out: FloatArray = col.to_numpy().astype(np.float64, copy=False)
    return out


#: Above this share of non-zero weights a statistic is summed over every row.
_SPARSE_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class _Terms:
    """The rows that add to one statistic (None: every row) and their values (None: 1 each)."""

    rows: IntArray | None
    values: FloatArray | None

    def sum(self, key: IntArray, size: int) -> FloatArray:
        """Per-bin sums: each bin gets its rows' values in row order, from 0.0."""
        bins = key if self.rows is None else key[self.rows]
        out: FloatArray = np.bincount(bins, weights=self.values, minlength=size).astype(
            np.float64, copy=False
        )
        return out


def _terms(values: FloatArray, rows: IntArray | None = None) -> _Terms:
    """``values`` (of ``rows``, or of every row), over the rows where they are non-zero only
    when those are few.

    Why: indicators are mostly 0, and skipping exact zeros leaves every bin's sum bit for bit
    the same (the rows kept are added in the same order, from the same 0.0 start).
    """
    kept = np.flatnonzero(values)
    if kept.size < _SPARSE_SHARE * values.size:
        return _Terms(kept if rows is None else rows[kept], values[kept])
    return _Terms(rows, values)


#: ``DenseCube.shared`` value of a measure present exactly on the rows with a non-zero weight.
WEIGHTED_ROWS = ""


class RowTerms:
    """The per-row work of one batch (weights, rows where measures are present, true rows),
    done once and kept for every cube the batch is summed into.

    Why: an estimate over several groups of domains sums the same rows into one cube per
    group; only the bins differ. Sums over the rows where a measure is present (and, for a
    boolean, its true rows) give each bin the same terms in the same order as summing
    ``ok * w`` over every row: the skipped terms are exact zeros, weights and values being
    finite (checked before).
    """

    def __init__(self, batch: pl.DataFrame, weight: str, *, keep: bool = True) -> None:
        self.batch = batch
        self._keep = keep
        self.w: FloatArray = batch[weight].cast(pl.Float64).to_numpy()
        nonzero = self.w != 0
        self.has_zero = not bool(nonzero.all())
        self._made: dict[str, _Terms] = {}
        self._masks: list[tuple[npt.NDArray[np.bool_], IntArray, str]] = []
        self._found: dict[tuple[str, ...], tuple[IntArray, str]] = {}
        if self.has_zero:
            self._masks.append((nonzero, np.flatnonzero(nonzero), WEIGHTED_ROWS))

    def get(self, name: str, make: Callable[[], _Terms]) -> _Terms:
        """The terms of statistic ``name``, made by ``make`` the first time (kept for the
        next cube only when ``keep``: a batch summed into one cube needs them once)."""
        held = self._made.get(name)
        if held is None:
            held = make()
            if self._keep:
                self._made[name] = held
        return held

    def every_row(self) -> _Terms:
        """Row counts."""
        return _Terms(None, None)

    def weights(self) -> _Terms:
        """Weight sums."""
        return _terms(self.w)

    def nonzero(self) -> _Terms:
        """Counts of rows with a non-zero weight."""
        return _terms((self.w != 0).astype(np.float64))

    def mask(self, cols: Sequence[str]) -> npt.NDArray[np.bool_]:
        """True where every column of ``cols`` is present."""
        mask = np.ones(self.batch.height, dtype=np.bool_)
        for c in cols:
            if self.batch[c].null_count():
                mask &= self.batch[c].is_not_null().to_numpy()
        return mask

    def present_rows(self, tag: str, cols: Sequence[str]) -> tuple[IntArray, str]:
        """The rows where ``cols`` are all present, and the first measure with those rows
        (``tag`` if none; ``WEIGHTED_ROWS`` if they are the rows with a non-zero weight)."""
        held = self._found.get(tuple(cols))
        if held is not None:
            return held
        mask = self.mask(cols)
        found = next(
            ((rows, first) for seen, rows, first in self._masks if np.array_equal(seen, mask)),
            None,
        )
        if found is None:
            found = (np.flatnonzero(mask), tag)
            self._masks.append((mask, *found))
        self._found[tuple(cols)] = found
        return found

    def present(self, rows: IntArray, what: str) -> _Terms:
        """Count (n), non-zero weights (nz) or weight sum (sw) over ``rows``."""
        if what == "n":
            return _Terms(rows, None)
        w = self.w[rows]
        return _terms((w != 0).astype(np.float64) if what == "nz" else w, rows)

    def true_rows(self, column: str) -> _Terms:
        """Weights of the rows where a boolean column is true (null: not true)."""
        values = self.batch[column]
        if values.null_count():
            values = values.fill_null(value=False)
        rows = np.flatnonzero(values.to_numpy())
        return _Terms(rows, self.w[rows])

    def weighted(
        self, column: str, present: Sequence[str] | None = None, *, square: bool = False
    ) -> _Terms:
        """w * y (or w * y * y), 0 where a column of ``present`` is missing."""
        y = _values(self.batch, column)
        out: FloatArray = self.w * y * y if square else self.w * y
        if present is not None:
            out *= self.mask(present).astype(np.float64)
        return _terms(out)


Job = tuple[str, Callable[[], _Terms]]


def add_batch(  # noqa: PLR0917 - internal
    cube: DenseCube,
    batch: pl.DataFrame,
    weight: str,
    s: Coder | None,
    p: Coder,
    codes: tuple[IntArray, IntArray] | None = None,
    row_key: IntArray | None = None,
    *,
    single: bool = False,
    terms: RowTerms | None = None,
) -> None:
    """Add one batch's sums into the cube (NumPy's products run in a second thread).

    ``row_key``: every row's PSU number x cells + cell, when the caller has them. ``single``:
    the batch holds every row of the cube, so measures missing on the same rows share one set
    of n, nz and sw sums (the same rows summed in the same order: the same numbers), and
    measures missing exactly where the weight is 0 use the cube's nz and sw. ``terms``: the
    batch's per-row work, kept from another cube of the same batch and measures.
    """
    if batch.height == 0:
        return
    key = row_key if row_key is not None else _row_keys(cube, batch, s, p, codes)
    size = cube.n_psu * cube.n_cells
    rt = terms if terms is not None else RowTerms(batch, weight, keep=False)

    rows = rt.get("rows", rt.every_row).sum(key, size)
    cube.add("rows", rows)
    cube.add("sw", rt.get("sw", rt.weights).sum(key, size))
    cube.add("nz", rt.get("nz", rt.nonzero).sum(key, size) if rt.has_zero else rows.copy())

    jobs: list[Job] = []
    counts: list[str] = []  # measures whose nz is their n (no zero weight)
    for m in cube.measures:
        t = m.tag
        cols = [m.y] if m.x is None else [m.y, m.x]
        if cube.own[t]:
            found, first = rt.present_rows(t, cols)
            if first == t or not single:
                jobs.append((f"{t}|n", partial(rt.present, found, "n")))
                if rt.has_zero:
                    jobs.append((f"{t}|nz", partial(rt.present, found, "nz")))
                else:
                    counts.append(t)
                jobs.append((f"{t}|sw", partial(rt.present, found, "sw")))
            else:
                cube.shared[t] = first
        if m.x is not None:
            present = cols if cube.own[t] else None
            jobs.append((f"{t}|swy", partial(rt.weighted, m.y, present)))
            jobs.append((f"{t}|swx", partial(rt.weighted, m.x, present)))
            continue
        if batch[m.y].dtype == pl.Boolean:
            jobs.append((f"{t}|swy", partial(rt.true_rows, m.y)))
        else:
            jobs.append((f"{t}|swy", partial(rt.weighted, m.y)))
        if f"{t}|swyy" in cube.names:
            jobs.append((f"{t}|swyy", partial(rt.weighted, m.y, square=True)))

    def run(job: Job) -> tuple[str, FloatArray]:
        name, make = job
        return name, rt.get(name, make).sum(key, size)

    copies = {f"{t}|n": f"{t}|nz" for t in counts}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, sums in pool.map(run, jobs):
            if name in copies:
                cube.add(copies[name], sums.copy())
            cube.add(name, sums)

"""Sufficient statistics as dense (PSU x domain cell) arrays, summed batch by batch.

Why: PSUs are nested in strata and domains are a few small columns, so each statistic fits a
dense P x C array and one ``np.bincount`` per statistic replaces a hash group-by. The sums are
additive over rows, so a LazyFrame is read in batches that add into the same arrays: codes are
fixed by a first cheap pass (column ranges, distinct values, (stratum, PSU) pairs), so every
batch maps its rows onto the same PSU and cell indices and memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.survey.sufficient import Measure

__all__ = [
    "Coder",
    "DenseCube",
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


def psu_keys(packed: IntArray, bound: int) -> IntArray:
    """Sorted distinct packed (stratum, PSU) keys."""
    if bound <= _LOOKUP:
        seen = np.zeros(bound, dtype=np.bool_)
        seen[packed] = True
        return np.flatnonzero(seen).astype(np.int64)
    return np.unique(packed).astype(np.int64)


@dataclass(slots=True)
class DenseCube:
    """Running (PSU x cell) sums; ``stats[name]`` is flat of size n_psu * n_cells."""

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

    @property
    def n_psu(self) -> int:
        """Number of PSUs."""
        return int(self.keys.size)

    def resolve(self, name: str) -> str:
        """The accumulator behind a statistic (no nulls: the measure's n is the row count)."""
        tag, _, what = name.rpartition("|")
        if tag and what in ("n", "nz", "sw") and not self.own[tag]:
            return {"n": "rows", "nz": "nz", "sw": "sw"}[what]
        if what == "swyy" and name not in self.stats:
            return f"{tag}|swy"  # boolean: y*y = y
        return name

    def stat(self, name: str) -> FloatArray:
        """A statistic as (P, C)."""
        return self.stats[self.resolve(name)].reshape(self.n_psu, self.n_cells)


def start_cube(  # noqa: PLR0917 - internal
    keys: IntArray,
    p_base: int,
    cells: list[Coder],
    measures: Sequence[Measure],
    own: dict[str, bool],
    squares: Iterable[str],
    boolean: set[str],
) -> DenseCube:
    """Zeroed accumulators for every statistic the indicators need."""
    strides, n_cells = cell_strides(cells)
    size = keys.size * n_cells
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
    stats = {n: np.zeros(size) for n in dict.fromkeys(names)}
    bound = int(keys[-1]) + 1 if keys.size else 1
    lookup = None
    if bound <= _LOOKUP:
        lookup = np.full(bound, -1, dtype=np.int64)
        lookup[keys] = np.arange(keys.size, dtype=np.int64)
    return DenseCube(
        keys, p_base, list(cells), n_cells, strides, list(measures), own, sq, stats, lookup
    )


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


def _values(batch: pl.DataFrame, column: str) -> FloatArray:
    col = batch[column]
    if col.null_count():
        col = col.cast(pl.Float64).fill_null(0.0)
    out: FloatArray = col.to_numpy().astype(np.float64, copy=False)
    return out


def add_batch(  # noqa: PLR0917 - internal
    cube: DenseCube,
    batch: pl.DataFrame,
    weight: str,
    s: Coder | None,
    p: Coder,
    codes: tuple[IntArray, IntArray] | None = None,
) -> None:
    """Add one batch's sums into the cube (NumPy's products run in a second thread)."""
    if batch.height == 0:
        return
    key = _row_keys(cube, batch, s, p, codes)
    size = cube.n_psu * cube.n_cells
    w = batch[weight].cast(pl.Float64).to_numpy()

    def count(weights: FloatArray | None) -> FloatArray:
        out: FloatArray = np.bincount(key, weights=weights, minlength=size).astype(np.float64)
        return out

    rows = count(None)
    cube.stats["rows"] += rows
    cube.stats["sw"] += count(w)
    nonzero = (w != 0).astype(np.float64) if (w == 0).any() else None
    cube.stats["nz"] += rows if nonzero is None else count(nonzero)

    jobs: list[tuple[str, object]] = []
    for m in cube.measures:
        t = m.tag
        cols = [m.y] if m.x is None else [m.y, m.x]
        ok: FloatArray | None = None
        if cube.own[t]:
            mask = np.ones(batch.height, dtype=np.bool_)
            for c in cols:
                if batch[c].null_count():
                    mask &= batch[c].is_not_null().to_numpy()
            ok = mask.astype(np.float64)
            jobs += [(f"{t}|n", ok), (f"{t}|nz", (ok, nonzero)), (f"{t}|sw", (ok, w))]
        jobs.append((f"{t}|swy", (m.y, ok if m.x is not None else None)))
        if m.x is not None:
            jobs.append((f"{t}|swx", (m.x, ok)))
        elif f"{t}|swyy" in cube.stats:
            jobs.append((f"{t}|swyy", (m.y, "square")))

    def weights_of(spec: object) -> FloatArray:
        if isinstance(spec, np.ndarray):
            return spec
        assert isinstance(spec, tuple)
        a, b = spec
        if isinstance(a, np.ndarray):  # (ok, nonzero or w)
            if b is None:
                return a
            out: FloatArray = a * b
            return out
        y = _values(batch, a)
        if isinstance(b, str):
            return w * y * y
        out = w * y
        if b is not None:
            out *= b
        return out

    def run(job: tuple[str, object]) -> tuple[str, FloatArray]:
        name, spec = job
        return name, count(weights_of(spec))

    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, sums in pool.map(run, jobs):
            cube.stats[name] += sums

"""Domain levels of every spec as marginals of the dense (PSU x cell) cube.

Why: a spec's level is a set of joint cells, so all specs' (PSU x level) sums come from one
product of the stacked statistics with a 0/1 (cell x level) matrix, instead of a pass per spec.
Levels are the non-null value combinations with rows, sorted by value as ``spec_levels`` does.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from threadpoolctl import threadpool_limits

from ipec.survey.dense_cube import DenseCube
from ipec.survey.domains import TOTAL, Levels

__all__ = ["Margins", "SharedBlasLimit", "margins"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_DENSE_MATRIX = 1 << 22  # cells x levels below which the 0/1 matrix is dense (BLAS)


class SharedBlasLimit:
    """BLAS limited to one thread while any thread is inside (threadpoolctl's limit is
    process-wide: two overlapping plain ``threadpool_limits`` would restore the limits out of
    order). The first thread in sets the limit, the last one out restores the original."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._limit: threadpool_limits | None = None

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._limit = threadpool_limits(limits=1, user_api="blas")
            self._inside += 1

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0 and self._limit is not None:
                self._limit.restore_original_limits()
                self._limit = None


_ONE_BLAS_THREAD = SharedBlasLimit()


@dataclass(frozen=True, slots=True)
class Margins:
    """(PSU x level) sums of each statistic, levels of all specs side by side."""

    levels: list[Levels]
    slices: list[slice]
    n_levels: int
    sums: dict[str, FloatArray]
    #: Level totals (summed over PSUs) of each statistic.
    totals: dict[str, FloatArray]

    def get(self, name: str) -> FloatArray:
        """(PSU x level) sums of statistic ``name``."""
        return self.sums[name]

    def total(self, name: str) -> FloatArray:
        """Level totals of statistic ``name``."""
        return self.totals[name]


def _spec_columns(cube: DenseCube, spec: tuple[str, ...]) -> tuple[Levels, IntArray]:
    """The spec's levels and, per joint cell, its level (-1: a null or another spec's cell)."""
    names = [c.name for c in cube.cells]
    bases = [c.base for c in cube.cells]
    digits = np.indices(bases).reshape(len(bases), -1) if bases else np.zeros((0, 1), np.int64)
    rows = cube.stat("rows").sum(axis=0)
    coders = [cube.cells[names.index(c)] for c in spec]
    sub = np.zeros(cube.n_cells, dtype=np.int64)
    valid = np.ones(cube.n_cells, dtype=np.bool_)
    bound = 1
    for c in coders:
        d = digits[names.index(c.name)]
        valid &= d < c.span
        sub = sub * c.base + d
        bound *= c.base
    present = np.bincount(sub[valid], weights=rows[valid], minlength=bound) > 0
    combos = np.flatnonzero(present)
    values: list[tuple[object, ...]] = []
    for packed in combos.tolist():
        parts: list[object] = []
        rest = packed
        for c in reversed(coders):
            parts.append(c.decode(rest % c.base))
            rest //= c.base
        values.append(tuple(reversed(parts)))
    order = sorted(range(len(values)), key=lambda i: values[i])
    rank = np.full(bound, -1, dtype=np.int64)
    rank[combos[np.asarray(order, dtype=np.int64)]] = np.arange(len(order), dtype=np.int64)
    level_of_cell = np.where(valid, rank[sub], -1)
    labels = tuple("*".join(str(v) for v in values[i]) for i in order)
    return Levels("*".join(spec), labels, np.zeros(0, dtype=np.int64)), level_of_cell


def margins(
    cube: DenseCube, specs: Sequence[tuple[str, ...] | None], names: Sequence[str]
) -> Margins:
    """Marginal (PSU x level) sums of the named statistics over every spec's levels."""
    levels: list[Levels] = []
    slices: list[slice] = []
    cell_idx: list[IntArray] = []
    level_idx: list[IntArray] = []
    offset = 0
    all_cells = np.arange(cube.n_cells, dtype=np.int64)
    for spec in specs:
        if spec is None:
            lv = Levels(TOTAL, (TOTAL,), np.zeros(0, dtype=np.int64))
            col = np.zeros(cube.n_cells, dtype=np.int64)
        else:
            lv, col = _spec_columns(cube, spec)
        keep = col >= 0
        cell_idx.append(all_cells[keep])
        level_idx.append(col[keep] + offset)
        levels.append(lv)
        slices.append(slice(offset, offset + lv.n))
        offset += lv.n
    cells = np.concatenate(cell_idx)
    cols = np.concatenate(level_idx)
    base = list(dict.fromkeys(cube.resolve(n) for n in names))
    if offset == cube.n_cells and np.array_equal(cells, all_cells) and np.array_equal(cols, cells):
        done = {b: cube.stat(b) for b in base}  # every cell is its own level, in order
    elif cube.n_cells * offset <= _DENSE_MATRIX:
        matrix = np.zeros((cube.n_cells, offset))
        matrix[cells, cols] = 1.0
        # one product per statistic: no (S x P x C) stacked copy. One BLAS thread: products
        # this narrow take as long on one thread as on several, which spin and burn a core.
        with _ONE_BLAS_THREAD:
            done = {b: cube.stat(b) @ matrix for b in base}
    else:
        mat = sparse.csr_matrix((np.ones(cells.size), (cols, cells)), shape=(offset, cube.n_cells))
        done = {b: np.asarray(mat @ cube.stat(b).T).T for b in base}
    sums = {n: done[cube.resolve(n)] for n in names}
    # Summed over PSUs once per base, as statistics often share one (every indicator missing
    # on the same rows has the same n and sw).
    base_totals = {b: sums_of.sum(axis=0) for b, sums_of in done.items()}
    totals = {n: base_totals[cube.resolve(n)] for n in names}
    return Margins(levels, slices, offset, sums, totals)

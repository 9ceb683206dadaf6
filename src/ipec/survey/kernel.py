"""Small NumPy kernels: factorising codes, collapsing sums to (unit, column) cells, and the
with-replacement between-unit sum of squares per stratum, all without loops over rows or domains.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["collapse", "factorize", "stratum_sums"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_DENSE_LIMIT = 20_000_000


def factorize(keys: IntArray, bound: int) -> tuple[IntArray, IntArray]:
    """Dense 0..k-1 index for non-negative integer keys below ``bound``; also the sorted uniques.

    Uses a lookup table when ``bound`` is small (no sort), else ``np.unique``.
    """
    if bound <= max(_DENSE_LIMIT, 4 * keys.size):
        seen = np.zeros(bound, dtype=np.bool_)
        seen[keys] = True
        uniq = np.flatnonzero(seen).astype(np.int64)
        lookup = np.cumsum(seen, dtype=np.int64) - 1
        return lookup[keys], uniq
    uniq, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.int64), uniq.astype(np.int64)


def collapse(
    unit: IntArray, col: IntArray, n_cols: int, n_units: int, values: Sequence[FloatArray]
) -> tuple[IntArray, IntArray, list[FloatArray]]:
    """Sum ``values`` over entries sharing the same (unit, column); returns unique entries."""
    key = unit * n_cols + col
    idx, uniq = factorize(key, n_units * n_cols)
    out = [np.bincount(idx, weights=v, minlength=uniq.size).astype(np.float64) for v in values]
    return uniq // n_cols, uniq % n_cols, out


def stratum_sums(  # noqa: PLR0917 - internal numeric kernel
    unit_stratum: IntArray,
    n_per_stratum: FloatArray,
    unit: IntArray,
    col: IntArray,
    z: FloatArray,
    n_strata: int,
    n_cols: int,
) -> tuple[FloatArray, FloatArray]:
    """Per (stratum, column): total of unit scores and sum of squared deviations from the
    stratum mean, where units absent from the entries count as zero (R pads them the same way).
    """
    h = unit_stratum[unit]
    cell = h * n_cols + col
    size = n_strata * n_cols
    zsum = np.bincount(cell, weights=z, minlength=size).astype(np.float64).reshape(n_strata, n_cols)
    count = np.bincount(cell, minlength=size).astype(np.float64).reshape(n_strata, n_cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        zbar = zsum / n_per_stratum[:, None]
    zbar = np.where(n_per_stratum[:, None] > 0, zbar, 0.0)
    dev = z - zbar.ravel()[cell]
    ss = (
        np.bincount(cell, weights=dev * dev, minlength=size)
        .astype(np.float64)
        .reshape(n_strata, n_cols)
    )
    ss += (n_per_stratum[:, None] - count) * zbar * zbar
    return zsum, ss

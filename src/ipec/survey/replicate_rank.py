"""Degrees of freedom of a replicate design's domain, as R ``degf``: the rank of the domain's
replicate weights minus one.

R computes ``qr(weights(design, "analysis"), tol = 1e-5)$rank - 1`` on the rows of the
domain's subset design: LINPACK's ``dqrdc2`` takes the columns (replicates) in order and
sets aside one whose part not explained by the columns already taken is shorter than
``tol`` times its own length. Only the Gram matrix W'W decides that, and rows whose
replicate weights are proportional (the rows of one PSU, in every usual replicate scheme)
add to W'W as one row scaled by the root of their summed squared lengths. So the rows are
grouped by domain cell and weight pattern in one group-by, and the rank is taken on the
(patterns x replicates) matrix of each domain level.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.survey.design import ReplicateDesign
from ipec.survey.domains import spec_levels
from ipec.survey.sufficient import build_group_table

__all__ = ["R_QR_TOL", "RankCache", "domain_df", "qr_rank"]

FloatArray = npt.NDArray[np.float64]
Spec = tuple[str, ...] | None

#: R's tolerance for ``degf`` of a replicate design (``qr(..., tol = 1e-5)``).
R_QR_TOL = 1e-5
_PATTERN = "__pattern"
_NORM2 = "__norm2"
_DIGITS = 12
_SEED = 20261207


def qr_rank(rows: FloatArray, n_rows: int, tol: float = R_QR_TOL) -> int:
    """The rank R's ``qr(x, tol)`` reports for a matrix with the Gram matrix of ``rows``
    (columns in order, a column set aside when its unexplained length falls below ``tol``
    times its length) and ``n_rows`` rows.

    A tall ``rows`` is first reduced to the triangular factor of its QR decomposition, which
    has the same Gram matrix; the columns of that small square matrix are then taken in order
    by Gram-Schmidt, twice over for accuracy.

    >>> qr_rank(np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 1.0]]), 2)
    2
    """
    n_cols = rows.shape[1]
    if rows.shape[0] > n_cols:
        rows = np.asarray(np.linalg.qr(rows, mode="r"), dtype=np.float64)
    limit = min(n_rows, n_cols)
    basis = np.zeros((rows.shape[0], limit))
    taken = 0
    set_aside = 0
    for j in range(n_cols):
        if taken >= limit:
            break
        column = rows[:, j].astype(np.float64, copy=True)
        length = float(np.sqrt(column @ column)) or 1.0
        for _ in range(2):
            column -= basis[:, :taken] @ (basis[:, :taken].T @ column)
        rest = float(np.sqrt(column @ column))
        if rest < tol * length:
            set_aside += 1
            continue
        basis[:, taken] = column / rest
        taken += 1
    return int(min(n_cols - set_aside, n_rows))


def _pattern(design: ReplicateDesign) -> tuple[list[pl.Expr], pl.Expr]:
    """A row's weight pattern and its squared length. The pattern is the row's unit vector
    seen through two fixed random directions, rounded: proportional rows share it; rounding
    may split one pattern in two, which leaves the Gram matrix as it is (two distinct
    patterns sharing both keys would have to agree to 12 digits on two random sums)."""
    reps = [pl.col(r).cast(pl.Float64) for r in design.replicates]
    norm2 = pl.sum_horizontal([r * r for r in reps])
    directions = np.random.default_rng(_SEED).random((2, len(reps)))
    keys = [
        (pl.sum_horizontal([r * float(c) for r, c in zip(reps, row, strict=True)]) / norm2.sqrt())
        .round(_DIGITS)
        .alias(f"{_PATTERN}{i}")
        for i, row in enumerate(directions)
    ]
    return keys, norm2.alias(_NORM2)


@dataclass(frozen=True)
class _Patterns:
    """The weight patterns of an in-memory frame's rows: each row's pattern number and
    squared length, and each pattern's unit direction."""

    rows: pl.DataFrame  # _PATTERN (null for a row without weight) and _NORM2, row by row
    directions: FloatArray  # (patterns x replicates), unit rows


def _unit(totals: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.nan_to_num(totals / np.sqrt((totals * totals).sum(axis=1))[:, None])
    return out


def _find_patterns(frame: pl.DataFrame, design: ReplicateDesign) -> _Patterns:
    """The rows' keys, computed once; one group-by summing each replicate weight by pattern
    (rows of one pattern are proportional, so their sum points its way); each row numbered
    by its pattern from the same keys."""
    keys, norm2 = _pattern(design)
    names = [f"{_PATTERN}{i}" for i in range(len(keys))]
    keyed = frame.select(*keys, norm2, *design.replicates)
    grouped = (
        keyed.filter(pl.col(_NORM2) > 0)
        .group_by(names)
        .agg(pl.col(r).cast(pl.Float64).sum() for r in design.replicates)
        .with_row_index(_PATTERN)
    )
    rows = keyed.select(*names, _NORM2).join(
        grouped.select(*names, _PATTERN), on=names, how="left", maintain_order="left"
    )
    directions = _unit(grouped.select(design.replicates).to_numpy().astype(np.float64))
    return _Patterns(rows.select(_PATTERN, _NORM2), directions)


class RankCache:
    """Domain df already found, and the design's weight patterns, reused while the replicate
    weights (and the domain columns) hold the same values (compared column by column,
    vectorised): a table set or a report estimates many indicators over one design and many
    sets of domains. Thread-safe."""

    def __init__(self) -> None:
        self._held: dict[Spec, tuple[pl.DataFrame, dict[str, float]]] = {}
        self._patterns: tuple[pl.DataFrame, _Patterns] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _same(kept: pl.DataFrame, now: pl.DataFrame) -> bool:
        return kept.columns == now.columns and kept.equals(now)

    def get(
        self, frame: pl.DataFrame, design: ReplicateDesign, spec: Spec
    ) -> dict[str, float] | None:
        """The df of each level of ``spec`` if they were found for the same values."""
        with self._lock:
            held = self._held.get(spec)
        if held is None:
            return None
        now = frame.select(*design.replicates, *(spec or ()))
        return held[1] if self._same(held[0], now) else None

    def put(
        self, frame: pl.DataFrame, design: ReplicateDesign, spec: Spec, found: dict[str, float]
    ) -> None:
        """Keep the df of ``spec``'s levels for these values."""
        with self._lock:
            self._held[spec] = (frame.select(*design.replicates, *(spec or ())), found)

    def patterns(self, frame: pl.DataFrame, design: ReplicateDesign) -> _Patterns:
        """The design's weight patterns, found once for the same replicate weights."""
        now = frame.select(design.replicates)
        with self._lock:
            held = self._patterns
        if held is not None and self._same(held[0], now):
            return held[1]
        found = _find_patterns(frame, design)
        with self._lock:
            self._patterns = (now, found)
        return found


def domain_df(
    frame: pl.DataFrame | pl.LazyFrame,
    design: ReplicateDesign,
    specs: Sequence[Spec],
    cache: RankCache | None = None,
) -> list[dict[str, float]]:
    """Per spec, each level's R ``degf``: the rank of its rows' replicate weights minus one,
    by level label (:func:`ipec.survey.domains.spec_levels`). Rows with no replicate weight
    (outside a profile's scope) are no part of any domain's subset design, as in R; a level
    that has only such rows is absent (R: rank 0, df -1).

    An in-memory frame's results and weight patterns are taken from ``cache`` where it holds
    them for the same values, and kept there; a LazyFrame is read in one streaming pass."""
    by_cols = list(dict.fromkeys(c for spec in specs if spec for c in spec))
    if not isinstance(frame, pl.DataFrame):
        return _ranks(*_streamed_groups(frame, design, by_cols), by_cols, specs)
    cache = cache or RankCache()
    found = {spec: cache.get(frame, design, spec) for spec in specs}
    missing = [spec for spec in specs if found[spec] is None]
    if missing:
        patterns = cache.patterns(frame, design)
        grouped = (
            patterns.rows.with_columns(frame.get_column(c) for c in by_cols)
            .filter(pl.col(_NORM2) > 0)
            .group_by([*by_cols, _PATTERN])
            .agg(pl.col(_NORM2).sum(), pl.len().alias("__rows"))
        )
        for spec, df in zip(
            missing, _ranks(grouped, patterns.directions, by_cols, missing), strict=True
        ):
            cache.put(frame, design, spec, df)
            found[spec] = df
    return [found[spec] or {} for spec in specs]


def _streamed_groups(
    frame: pl.LazyFrame, design: ReplicateDesign, by_cols: Sequence[str]
) -> tuple[pl.DataFrame, FloatArray]:
    """One streaming group-by by domain cell and weight pattern, summing each replicate
    weight: every group is its own pattern, whose direction its sums give."""
    keys, norm2 = _pattern(design)
    names = [f"{_PATTERN}{i}" for i in range(len(keys))]
    grouped = (
        frame.select(*by_cols, *keys, norm2, *design.replicates)
        .filter(pl.col(_NORM2) > 0)
        .group_by([*by_cols, *names])
        .agg(
            *(pl.col(r).cast(pl.Float64).sum() for r in design.replicates),
            pl.col(_NORM2).sum(),
            pl.len().alias("__rows"),
        )
        .with_row_index(_PATTERN)
        .collect(engine="streaming")
    )
    directions = _unit(grouped.select(design.replicates).to_numpy().astype(np.float64))
    return grouped.select(*by_cols, _PATTERN, _NORM2, "__rows"), directions


def _ranks(
    grouped: pl.DataFrame,
    directions: FloatArray,
    by_cols: Sequence[str],
    specs: Sequence[Spec],
) -> list[dict[str, float]]:
    """The rank of each level's rows from (cell, pattern) groups: a level's groups of one
    pattern add to W'W as one row, the pattern's direction times the root of their summed
    squared lengths."""
    table = build_group_table(
        grouped.with_row_index("__group"),
        weight=_NORM2,
        keys=[*by_cols, "__group"],
        measures=[],
        squares=[],
        extra_aggs={
            "rank|pattern": pl.col(_PATTERN).first().cast(pl.Float64),
            "rank|norm2": pl.col(_NORM2).sum(),
            "rank|rows": pl.col("__rows").sum(),
        },
    )
    which = table.sums["rank|pattern"].astype(np.int64)
    n_patterns = directions.shape[0]
    out = []
    for spec in specs:
        levels = spec_levels(table, spec)
        df: dict[str, float] = {}
        for level, label in enumerate(levels.labels):
            mine = levels.group_col == level
            n_rows = int(table.sums["rank|rows"][mine].sum())
            length2 = np.bincount(which[mine], table.sums["rank|norm2"][mine], n_patterns)
            present = length2 > 0
            rows = directions[present] * np.sqrt(length2[present])[:, None]
            df[label] = float(qr_rank(rows, n_rows) - 1)
        out.append(df)
    return out

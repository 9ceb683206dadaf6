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

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.survey.design import ReplicateDesign
from ipec.survey.domains import spec_levels
from ipec.survey.sufficient import build_group_table

__all__ = ["R_QR_TOL", "domain_df", "qr_rank"]

FloatArray = npt.NDArray[np.float64]

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


def domain_df(
    frame: pl.DataFrame | pl.LazyFrame,
    design: ReplicateDesign,
    specs: Sequence[tuple[str, ...] | None],
) -> list[dict[str, float]]:
    """Per spec, each level's R ``degf``: the rank of its rows' replicate weights minus one,
    by level label (:func:`ipec.survey.domains.spec_levels`). Rows with no replicate weight
    (outside a profile's scope) are no part of any domain's subset design, as in R; a level
    that has only such rows is absent (R: rank 0, df -1)."""
    by_cols = list(dict.fromkeys(c for spec in specs if spec for c in spec))
    pattern, norm2 = _pattern(design)
    sums = [
        pl.col(r).cast(pl.Float64).sum().alias(f"s{i}") for i, r in enumerate(design.replicates)
    ]
    pattern_keys = [f"{_PATTERN}{i}" for i in range(len(pattern))]
    grouped = (
        frame.lazy()
        .select(*by_cols, *pattern, norm2, *design.replicates)
        .filter(pl.col(_NORM2) > 0)
        .group_by([*by_cols, *pattern_keys])
        .agg(*sums, pl.col(_NORM2).sum(), pl.len().alias("__rows"))
        .with_row_index(_PATTERN)
        .collect(engine="streaming")
    )
    n_rep = len(design.replicates)
    table = build_group_table(
        grouped,
        weight=_NORM2,
        keys=[*by_cols, _PATTERN],
        measures=[],
        squares=[],
        extra_aggs={
            **{f"rank|s{i}": pl.col(f"s{i}").sum() for i in range(n_rep)},
            "rank|norm2": pl.col(_NORM2).sum(),
            "rank|rows": pl.col("__rows").sum(),
        },
    )
    totals = np.vstack([table.sums[f"rank|s{i}"] for i in range(n_rep)]).T
    with np.errstate(divide="ignore", invalid="ignore"):
        lengths = np.sqrt((totals * totals).sum(axis=1))
        rows = totals / lengths[:, None] * np.sqrt(table.sums["rank|norm2"])[:, None]
    rows = np.nan_to_num(rows)
    out = []
    for spec in specs:
        levels = spec_levels(table, spec)
        df: dict[str, float] = {}
        for level, label in enumerate(levels.labels):
            mine = levels.group_col == level
            n_rows = int(table.sums["rank|rows"][mine].sum())
            df[label] = float(qr_rank(rows[mine], n_rows) - 1)
        out.append(df)
    return out

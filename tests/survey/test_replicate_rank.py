"""R's ``qr(x, tol = 1e-5)$rank`` as ``qr_rank`` computes it: against a slow, obvious reading of
LINPACK's rule on the full matrix, and on R's own degf in the design tests
(``test_design_maps.py``, ``test_quantiles.py``, ``test_calibrate.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipec.survey import ReplicateDesign
from ipec.survey.replicate_rank import RankCache, domain_df, qr_rank

REF = Path(__file__).parent / "reference"


def _in_order_rank(matrix: np.ndarray, tol: float = 1e-5) -> int:
    """dqrdc2 read literally: each column in turn, less its projection on the columns kept
    (one at a time, twice), is kept when at least ``tol`` times its length remains."""
    kept: list[np.ndarray] = []
    set_aside = 0
    for j in range(matrix.shape[1]):
        if len(kept) >= min(matrix.shape):
            break
        column = matrix[:, j].copy()
        length = np.linalg.norm(column) or 1.0
        for _ in range(2):
            for q in kept:
                column -= (q @ column) * q
        if np.linalg.norm(column) < tol * length:
            set_aside += 1
        else:
            kept.append(column / np.linalg.norm(column))
    return min(matrix.shape[1] - set_aside, matrix.shape[0])


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 30),
    rank=st.integers(0, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_equals_the_in_order_rule_on_low_rank_products(
    rows: int, cols: int, rank: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    inner = min(rank, rows, cols)
    matrix = rng.random((rows, inner)) @ rng.random((inner, cols))
    assert qr_rank(matrix, rows) == _in_order_rank(matrix)


def test_columns_are_taken_in_order_and_capped_by_the_rows() -> None:
    # the second column repeats the first and is set aside; the third is new
    matrix = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 1.0], [0.0, 0.0, 3.0]])
    assert qr_rank(matrix, 3) == 2
    # one row stands for ten proportional rows: the rank is still one
    assert qr_rank(np.array([[1.0, 3.0, 2.0]]), 10) == 1
    assert qr_rank(np.zeros((4, 3)), 4) == 0


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_tolerance_is_relative_to_each_column(scale: float) -> None:
    base = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]) * scale
    near = base.copy()
    near[:, 1] = near[:, 0] + 1e-7 * scale * np.array([0.0, 1.0, 0.0])  # within 1e-5
    assert qr_rank(base, 3) == 2
    assert qr_rank(near, 3) == 1


def test_the_cache_holds_only_for_the_same_values() -> None:
    design = ReplicateDesign("w", ["r1", "r2", "r3"], "JK1")
    frame = pl.DataFrame(
        {
            "w": [1.0, 1.0, 1.0, 1.0],
            "r1": [0.0, 1.5, 1.5, 1.5],
            "r2": [1.5, 0.0, 1.5, 1.5],
            "r3": [1.5, 1.5, 0.0, 0.0],
            "sex": [1, 2, 1, 2],
        }
    )
    cache = RankCache()
    found = domain_df(frame, design, [None, ("sex",)], cache)
    assert found == domain_df(frame, design, [None, ("sex",)])
    assert found[0] == {"total": 2.0}
    assert cache.get(frame, design, ("sex",)) == found[1]
    # other weights, or other domains, are not the frame the df were found for
    changed = frame.with_columns(pl.col("r3") * 2)
    assert cache.get(changed, design, ("sex",)) is None
    assert cache.get(frame.with_columns(pl.col("sex").reverse()), design, ("sex",)) is None
    assert domain_df(changed, design, [("sex",)], cache) == domain_df(changed, design, [("sex",)])


def test_a_lazy_frame_gives_the_same_df(r_results: pl.DataFrame) -> None:
    """The streaming path (groups summed per cell and pattern) and the in-memory path (each
    row's pattern found once) agree, on R's own bootstrap weights of make_reference.R."""
    data = pl.read_csv(REF / "rep_boot.csv", null_values=[""])
    reps = [c for c in data.columns if c.startswith("rep")]
    design = ReplicateDesign("w", reps, "bootstrap")
    specs: list[tuple[str, ...] | None] = [None, ("sex",), ("sex", "age")]
    assert domain_df(data.lazy(), design, specs) == domain_df(data, design, specs)
    assert (
        domain_df(data, design, [None])[0]["total"]
        == r_results.filter((pl.col("case") == "rep_boot") & (pl.col("stat") == "degf"))["value"][0]
    )

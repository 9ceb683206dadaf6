"""Replicate-weight designs against R survey 4.1.1 (replicate weights exported from R)."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from ipec.errors import DesignError
from ipec.survey import Mean, ReplicateDesign, Total, estimate

REF_DIR = Path(__file__).parent / "reference"
REL = 1e-12
TYPES = {
    "rep_jk1": "JK1",
    "rep_jkn": "JKn",
    "rep_brr": "BRR",
    "rep_fay": "Fay",
    "rep_boot": "bootstrap",
}


def _design(
    case: str, rows: pl.DataFrame, weight: str, reps: list[str], kind: str
) -> ReplicateDesign:
    meta = {
        s: rows.filter(pl.col("stat") == s)["value"].to_list() for s in ("scale", "rscales", "degf")
    }
    design = ReplicateDesign(
        weight, reps, kind,  # type: ignore[arg-type]
        rho=0.3 if kind == "Fay" else None,
        rscales=meta["rscales"] if kind == "JKn" or case.startswith("apiclus1") else None,
        # as.svrepdesign's bootstrap and fpc-adjusted JK1 set their own scale; svrepdesign's
        # defaults (ours) are checked for the other types below
        scale=meta["scale"][0] if case.startswith("apiclus1") or kind == "bootstrap" else None,
        degf=int(meta["degf"][0]) if meta["degf"] else None,
    )  # fmt: skip
    # our defaults reproduce R's scale for every type
    assert math.isclose(design.effective_scale, meta["scale"][0], rel_tol=1e-15)
    return design


@pytest.mark.parametrize("case", sorted(TYPES))
def test_matches_r_survey(case: str, r_results: pl.DataFrame) -> None:
    rows = r_results.filter(pl.col("case") == case)
    data = pl.read_csv(REF_DIR / f"{case}.csv", null_values=[""])
    reps = [c for c in data.columns if c.startswith("rep")]
    design = _design(case, rows, "w", reps, TYPES[case])
    ours = estimate(
        data, design, [Mean("y"), Mean("b"), Total("y"), Total("b")], by="sex"
    ).to_polars()
    checked = 0
    for by, level, ind, stat, value in (
        rows.filter(pl.col("by") != "").select("by", "level", "indicator", "stat", "value").rows()
    ):
        kind = stat.split("_")[0]
        col = "se" if stat.endswith("_se") else "estimate"
        got = ours.filter(
            (pl.col("by") == by)
            & (pl.col("level") == level)
            & (pl.col("indicator") == ind)
            & (pl.col("kind") == kind)
        )[col][0]
        assert math.isclose(got, value, rel_tol=REL), (case, by, level, ind, stat, got, value)
        checked += 1
    assert checked == 24
    assert (ours["df"] == design.design_df).all()


@pytest.mark.parametrize("case", ["apiclus1_jk1", "apiclus1_bootstrap"])
def test_r_own_api_example(case: str, r_results: pl.DataFrame) -> None:
    rows = r_results.filter(pl.col("case") == case)
    data = pl.read_csv(REF_DIR / f"{case}.csv", null_values=["", "NA"])
    reps = [c for c in data.columns if c.startswith("rep")]
    design = _design(case, rows, "pw", reps, "JK1" if case.endswith("jk1") else "bootstrap")
    out = estimate(data, design, "api00").to_polars()
    expect = dict(rows.filter(pl.col("by") == "total").select("stat", "value").rows())
    assert math.isclose(out["estimate"][0], expect["mean"], rel_tol=REL)
    assert math.isclose(out["se"][0], expect["mean_se"], rel_tol=REL)


def test_mse_centres_on_full_estimate() -> None:
    data = pl.DataFrame(
        {
            "w": [1.0, 2.0, 3.0],
            "r1": [0.0, 3.0, 4.5],
            "r2": [1.5, 0.0, 4.5],
            "r3": [1.5, 3.0, 0.0],
            "y": [1.0, 2.0, 4.0],
        }
    )
    plain = estimate(data, ReplicateDesign("w", ["r1", "r2", "r3"], "JK1"), "y").to_polars()
    mse = estimate(data, ReplicateDesign("w", ["r1", "r2", "r3"], "JK1", mse=True), "y").to_polars()
    assert mse["se"][0] >= plain["se"][0]


def test_bad_replicate_designs() -> None:
    with pytest.raises(DesignError, match="rscales"):
        ReplicateDesign("w", ["a", "b"], "JKn")
    with pytest.raises(DesignError, match="rho"):
        ReplicateDesign("w", ["a", "b"], "Fay")
    with pytest.raises(DesignError, match="two replicate"):
        ReplicateDesign("w", ["a"], "JK1")

"""Design and domain codes kept between estimates give the numbers of a fresh estimate."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ipec.errors import DataError
from ipec.survey import estimate
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.design import SurveyDesign
from ipec.survey.estimate import estimate_with_codes
from ipec.survey.indicators import Mean, Proportion, Total


def _same(left: pl.DataFrame, right: pl.DataFrame) -> None:
    assert_frame_equal(left, right, check_exact=False, rel_tol=1e-12, abs_tol=0)


def _frame(seed: int, *, shared_psu_ids: bool = False) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = 4_000
    psu = rng.integers(0, 80, n)
    stratum = psu // 4
    if shared_psu_ids:
        psu = psu % 4  # PSU ids repeat in every stratum
    weight = rng.uniform(0.5, 3.0, n)
    weight[rng.random(n) < 0.2] = 0.0
    scope = rng.random(n) < 0.7
    return pl.DataFrame(
        {
            "stratum": stratum,
            "psu": psu,
            "w": weight,
            "sex": rng.integers(1, 3, n),
            "group": pl.Series(rng.choice(["a", "b", "c"], n)),
            "region": pl.Series(rng.choice(["x", "y"], n)).cast(pl.Categorical),
            "flag": rng.random(n) < 0.3,
            "other": rng.random(n) < 0.6,
            "hours": rng.uniform(0, 40, n),
            "scope": scope,
        }
    ).with_columns(
        pl.when("scope").then(pl.col("flag")).alias("flag"),
        pl.when("scope").then(pl.col("other")).alias("other"),
    )


@pytest.mark.parametrize("shared_psu_ids", [False, True])
def test_kept_codes_give_the_numbers_of_a_fresh_estimate(shared_psu_ids: bool) -> None:
    design = SurveyDesign(weight="w", strata="stratum", psu="psu")
    kept = FrameCodes()
    indicators = [Proportion("flag"), Proportion("other"), Mean("hours"), Total("hours")]
    for seed, by in ((1, [("sex",), ("group",)]), (1, [("sex", "region")]), (2, ["group"])):
        frame = _frame(seed, shared_psu_ids=shared_psu_ids)
        fresh = estimate(frame, design, indicators, by=by).to_polars()
        coded = estimate_with_codes(frame, design, indicators, by=by, codes=kept).to_polars()
        _same(coded, fresh)


def test_kept_codes_are_not_used_for_other_values() -> None:
    design = SurveyDesign(weight="w", strata="stratum", psu="psu")
    kept = FrameCodes()
    first = _frame(3)
    estimate_with_codes(first, design, Proportion("flag"), by="group", codes=kept)
    # same column names and dtypes, other values: fewer groups, other PSUs and strata
    second = _frame(4).with_columns(
        pl.col("group").replace({"c": "a"}), (pl.col("psu") + 1000), (pl.col("stratum") + 7)
    )
    fresh = estimate(second, design, Proportion("flag"), by="group").to_polars()
    coded = estimate_with_codes(second, design, Proportion("flag"), by="group", codes=kept)
    _same(coded.to_polars(), fresh)
    assert coded.to_polars()["level"].to_list() == ["total", "a", "b"]


def test_kept_codes_skip_a_design_with_missing_values() -> None:
    design = SurveyDesign(weight="w", strata="stratum", psu="psu")
    frame = _frame(5).with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("psu")).alias("psu")
    )
    kept = FrameCodes()
    with pytest.raises(DataError, match="missing values") as fresh_error:
        estimate(frame, design, Proportion("flag"))
    with pytest.raises(DataError, match="missing values") as coded_error:
        estimate_with_codes(frame, design, Proportion("flag"), codes=kept)
    assert str(coded_error.value) == str(fresh_error.value)

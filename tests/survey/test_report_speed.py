"""The report's shared estimates and the dense path's sparse sums give the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ipec.standards import load_profile
from ipec.survey import engines, estimate
from ipec.survey.analysis import estimate_survey
from ipec.survey.blocks import Block
from ipec.survey.design import SurveyDesign
from ipec.survey.indicators import Mean, Proportion, Ratio, Total
from ipec.survey.pipeline import open_mapped
from ipec.survey.report.content import build_content
from ipec.survey.tables import standard_tables


def _same(left: pl.DataFrame, right: pl.DataFrame) -> None:
    assert_frame_equal(left, right, check_exact=False, rel_tol=1e-12, abs_tol=0)


@pytest.mark.parametrize("profile_id", ["sdg-8.7.1", "mics6-2017"])
def test_report_sections_equal_their_own_estimates(synth_file: Path, profile_id: str) -> None:
    mapped = open_mapped(synth_file, "mics6")
    profile = load_profile(profile_id)
    sdg = [load_profile("sdg-8.7.1"), load_profile("sdg-8.7.1-econ")]
    content = build_content(mapped, profile, compare=[load_profile("ilo-global-estimates")])
    headline_profiles = list({p.id: p for p in [*sdg, profile]}.values())
    headline = estimate_survey(
        mapped,
        headline_profiles,
        by=[("sex",), ("age_group",), ("age_band",)],
        indicators=["child_labour"],
    )
    _same(content.headline, headline)
    for name, section in (("region", content.by_region), ("area", content.by_area)):
        direct = estimate_survey(mapped, profile, by=[(name,)], indicators=["child_labour"])
        _same(section, direct.filter(pl.col("by") == name))
    _same(content.tables, standard_tables(mapped, profile))


def _group_tables_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every linearised pass through the group tables: the dense engine left out."""
    kept = tuple(e for e in engines.ENGINES if not isinstance(e, engines.DenseTaylorEngine))
    monkeypatch.setattr(engines, "ENGINES", kept)


def _frame(seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = 3_000
    psu = rng.integers(0, 60, n)
    weight = rng.uniform(0.5, 3.0, n)
    weight[rng.random(n) < 0.2] = 0.0
    flag = rng.random(n) < 0.3
    missing = rng.random(n) < 0.25
    return pl.DataFrame(
        {
            "stratum": psu // 4,
            "psu": psu,
            "w": weight,
            "sex": rng.integers(1, 3, n),
            "group": pl.Series(rng.choice(["a", "b", "c"], n)),
            "flag": flag,
            "hours": rng.uniform(0, 40, n),
            "count": rng.integers(0, 5, n),
            "missing": missing,
            "gap": rng.random(n) < 0.1,
        }
    ).select(
        "stratum", "psu", "w", "sex", "group",
        pl.when(~pl.col("missing")).then(pl.col("flag")).alias("flag"),
        pl.when(~pl.col("missing")).then(~pl.col("flag")).alias("same_scope"),
        pl.when(~pl.col("missing")).then(pl.col("hours")).alias("hours"),
        pl.when(~pl.col("gap")).then(pl.col("count")).alias("count"),
    )  # fmt: skip


@pytest.mark.parametrize("lonely", ["fail", "adjust", "average"])
def test_dense_path_matches_group_table_path(lonely: str, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frame(3)
    design = SurveyDesign(weight="w", strata="stratum", psu="psu", lonely_psu=lonely)  # type: ignore[arg-type]
    indicators = [
        Proportion("flag"),
        Proportion("same_scope"),
        Mean("hours"),
        Total("count"),
        Ratio("count", "hours"),
    ]
    by = [("sex",), ("group",), ("sex", "group")]
    dense = estimate(frame, design, indicators, by=by).to_polars()
    _group_tables_only(monkeypatch)
    grouped = estimate(frame, design, indicators, by=by).to_polars()
    _same(dense.drop("flag"), grouped.drop("flag"))
    assert dense["n_unweighted"].to_list() == grouped["n_unweighted"].to_list()


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("zero_where_missing", [False, True])
def test_groups_match_one_estimate_per_group_and_the_group_table_path(
    monkeypatch: pytest.MonkeyPatch, lazy: bool, zero_where_missing: bool
) -> None:
    frame = _frame(5)
    if zero_where_missing:  # the measures' n and sw are then the cube's nz and sw
        frame = frame.with_columns(
            pl.when(pl.col("flag").is_null()).then(0.0).otherwise(pl.col("w") + 0.5).alias("w")
        )
    data = frame.lazy() if lazy else frame
    design = SurveyDesign(weight="w", strata="stratum", psu="psu")
    indicators = [Proportion("flag"), Proportion("same_scope"), Mean("hours"), Total("count")]
    groups = [[("group",)], [("sex", "group")]]
    together = estimate(data, design, indicators, by=[("sex",)], groups=groups).to_polars()
    apart = pl.concat(
        [
            estimate(data, design, indicators, by=[("sex",)]).to_polars(),
            *(
                estimate(data, design, indicators, by=group, overall=False).to_polars()
                for group in groups
            ),
        ]
    )
    assert_frame_equal(together, apart)  # the same cubes: the same numbers, bit for bit
    _group_tables_only(monkeypatch)
    grouped = estimate(data, design, indicators, by=[("sex",)], groups=groups).to_polars()
    _same(together.drop("flag"), grouped.drop("flag"))


def test_a_group_too_wide_for_a_cube_leaves_the_others_on_theirs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """500 areas over 60 PSUs make too large a cube: that group alone goes through the group
    tables, and the sex group keeps its cube (the same numbers, bit for bit, as alone)."""
    tabled: list[engines.Specs] = []

    class Recording(engines.GroupTaylorEngine):
        def blocks(
            self, job: engines.EstimateJob, passes: Sequence[engines.Specs]
        ) -> list[list[Block] | None]:
            tabled.extend(passes)  # each pass's specs
            return super().blocks(job, passes)

    recording = tuple(
        Recording() if isinstance(e, engines.GroupTaylorEngine) else e for e in engines.ENGINES
    )
    monkeypatch.setattr(engines, "ENGINES", recording)
    frame = _frame(7).with_columns(
        pl.Series("area", np.random.default_rng(7).integers(0, 500, 3_000))
    )
    design = SurveyDesign(weight="w", strata="stratum", psu="psu")
    indicators = [Proportion("flag"), Mean("hours")]
    together = estimate(frame, design, indicators, by=[("sex",)], groups=[[("area",)]])
    sexes = estimate(frame, design, indicators, by=[("sex",)]).to_polars()
    areas = estimate(frame, design, indicators, by=[("area",)], overall=False).to_polars()
    found = together.to_polars()
    assert_frame_equal(found.head(sexes.height), sexes)
    assert_frame_equal(found.tail(areas.height), areas)
    assert tabled == [[("area",)], [("area",)]]  # together, then alone; never the sexes

"""The engines are tried in their documented order and take the designs they say they take."""

from __future__ import annotations

import polars as pl
import pytest

from ipec.errors import DesignError
from ipec.survey import engines
from ipec.survey.design import ReplicateDesign, SurveyDesign
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Proportion


def _job(design: SurveyDesign | ReplicateDesign) -> engines.EstimateJob:
    frame = pl.DataFrame({"w": [1.0, 2.0], "r1": [1.0, 2.0], "r2": [2.0, 1.0], "y": [True, False]})
    return engines.EstimateJob(
        frame=frame,
        design=design,
        indicators=[Proportion("y")],
        df_method="domain",
        method="logit",
        level=0.95,
        flag_rule=FlagRule(),
        checks=[],
        codes=None,
    )


def test_the_order_is_replicate_dense_then_group_tables() -> None:
    kinds = [type(engine) for engine in engines.ENGINES]
    assert kinds == [
        engines.ReplicateEngine,
        engines.DenseTaylorEngine,
        engines.GroupTaylorEngine,
    ]


@pytest.mark.parametrize(
    ("design", "taken_by"),
    [
        (ReplicateDesign("w", ["r1", "r2"], "JK1"), {engines.ReplicateEngine}),
        (
            SurveyDesign(weight="w", strata="s", psu="p"),
            {engines.DenseTaylorEngine, engines.GroupTaylorEngine},
        ),
        (SurveyDesign(weight="w", strata="s"), {engines.GroupTaylorEngine}),
        (SurveyDesign(weight="w", psu="p", fpc="f"), {engines.GroupTaylorEngine}),
        (
            SurveyDesign(weight="w", psu="p", fpc="f", psu2="q", fpc2="g"),
            {engines.GroupTaylorEngine},
        ),
    ],
)
def test_each_engine_accepts_the_designs_it_documents(
    design: SurveyDesign | ReplicateDesign, taken_by: set[type]
) -> None:
    job = _job(design)
    assert {type(e) for e in engines.ENGINES if e.accepts(job)} == taken_by


def test_a_pass_no_engine_takes_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "ENGINES", (engines.ReplicateEngine(),))
    with pytest.raises(DesignError, match="no estimation engine takes a SurveyDesign"):
        engines.run_engines(_job(SurveyDesign(weight="w")), [[None]])

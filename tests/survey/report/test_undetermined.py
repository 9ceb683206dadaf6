"""Children left undetermined by unknown hours: the survey keeps the MICS convention (they are
not in child labour) and the report says how many there were and how they were counted."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.standards import load_profile
from ipec.survey.analysis import classify_survey
from ipec.survey.pipeline import open_mapped
from ipec.survey.report.content import build_content
from ipec.survey.report.i18n import text_for
from ipec.survey.report.render import render_report


def test_undetermined_children_are_counted_as_mics_does(synth_file: Path) -> None:
    mapped = open_mapped(synth_file, "mics6")
    profile = load_profile("sdg-8.7.1")
    classified = classify_survey(mapped, profile).collect()
    in_scope = classified.filter(pl.col("in_scope"))
    undetermined = in_scope.filter(pl.col("undetermined"))
    # the synthetic survey codes 2% of economic hours 98 (unknown): some children are left
    # undetermined, counted as not in child labour, and as permitted work when working
    assert undetermined.height > 0
    assert not undetermined["child_labour"].any()
    assert undetermined["permitted_work"].equals(undetermined["in_economic_activity"])
    expected = in_scope["in_economic_activity"] & ~in_scope["child_labour"]
    assert in_scope["permitted_work"].equals(expected)

    content = build_content(mapped, profile)
    count, weighted = content.undetermined
    assert count == undetermined.height
    assert weighted == pytest.approx(undetermined["_weight"].sum(), rel=1e-12)
    english = render_report(content, mapped, text_for("en"))
    assert (
        f"{count:,} children in scope ({round(weighted):,} weighted) have an undetermined "
        "status under sdg-8.7.1" in english
    )
    assert "They are counted as not in child labour, as MICS does." in english
    french = render_report(content, mapped, text_for("fr"))
    assert "ont un statut indéterminé selon sdg-8.7.1" in french
    assert "comme le fait MICS" in french

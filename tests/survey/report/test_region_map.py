"""The report's map of child labour by region: regions shaded by their estimate and named
with their interval, regions without a boundary named in a note, a bad boundary file refused
before the survey is read."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.maps import read_boundaries
from ipec.survey.report.i18n import text_for
from ipec.survey.report.region_map import region_map_chart

SVG = "{http://www.w3.org/2000/svg}"


def _boundaries(folder: Path, codes: list[str], *, projected: str = "") -> Path:
    features = []
    for index, code in enumerate(codes):
        west = 390_000.0 if code == projected else -8.0 + index
        ring = [[west, 5.0], [west + 1, 5.0], [west + 1, 6.0], [west, 6.0], [west, 5.0]]
        features.append({"type": "Feature", "properties": {"code": code},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    path = folder / "regions.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_regions_are_shaded_and_named_with_their_interval(tmp_path: Path) -> None:
    by_region = pl.DataFrame({"level": ["North", "South", "East"],
                              "estimate": [0.31, 0.12, 0.2], "ci_low": [0.25, 0.08, 0.15],
                              "ci_high": [0.37, 0.17, 0.26]})  # fmt: skip
    shapes = read_boundaries(_boundaries(tmp_path, ["North", "South", "West"]))
    chart = region_map_chart(by_region, shapes, text_for("en"))
    svg = ElementTree.fromstring(chart["svg"])
    paths = {p.get("data-code"): p for p in svg.iter(f"{SVG}path")}
    assert set(paths) == {"North", "South", "West"}
    assert paths["North"].get("fill") == "#8f3410"  # the highest: darkest
    assert paths["South"].get("fill") == "#fde7c8"  # the lowest: lightest
    assert paths["West"].get("fill") == "#ffffff"  # a feature that is no region
    assert paths["North"].findtext(f"{SVG}title") == "North: 31.0% (25.0%\u201337.0%)"
    assert chart["note"] == (
        "Regions without a boundary in the boundary file, not on the map: East."
    )
    french = region_map_chart(by_region, shapes, text_for("fr"))
    assert "Carte" in french["title"]
    assert "pas d'estimation" in french["svg"]


def test_a_bad_boundary_file_is_refused_before_the_survey_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _boundaries(tmp_path, ["1", "2"], projected="2")
    missing_survey = tmp_path / "never-read.csv"
    missing_survey.write_text("not a survey")
    code = run(["survey", "report", str(missing_survey), "--map", "mics6", "-p", "sdg-8.7.1",
                "-o", str(tmp_path / "r.html"), "--boundaries", str(bad)])  # fmt: skip
    assert code != 0
    err = capsys.readouterr().err
    assert "feature 2 (2)" in err
    assert "another projection" in err
    assert not (tmp_path / "r.html").exists()

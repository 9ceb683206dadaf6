"""``ipec survey small-area`` through the real entry point: the table of areas, the model fit,
areas with no sample, and one clear error line for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ipec.cli.main import run


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "mics.csv"
    assert run(["survey", "synth", "-n", "6000", "--seed", "4", "-o", str(path)]) == 0
    return path


def _auxiliary(folder: Path, regions: list[str], *, extra: str = "") -> Path:
    rng = np.random.default_rng(11)
    frame = pl.DataFrame(
        {
            "region": regions,
            "rural": rng.random(len(regions)).round(4),
            "poverty": rng.random(len(regions)).round(4),
            "children": rng.integers(1000, 50_000, len(regions)),
        }
    )
    path = folder / "aux.csv"
    text = frame.write_csv()
    path.write_text(text.replace("\n", extra + "\n", 1) if extra else text, encoding="utf-8")
    return path


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_areas_with_direct_eblup_and_synthetic_rows(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    regions = [str(r) for r in range(1, 11)]
    aux = _auxiliary(tmp_path, [*regions, "11", "12"])
    output = tmp_path / "areas.csv"
    code = run(["survey", "small-area", str(survey), "--map", "mics6", "-p", "sdg-8.7.1",
                "--area", "region", "--auxiliary", str(aux), "--population-column",
                "children", "-o", str(output)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "2 area(s) of" in err
    assert "not in the survey's sample (synthetic estimates): 11, 12" in err
    assert "Fay-Herriot (REML) on 10 areas" in err
    frame = pl.read_csv(output)
    assert frame["area"].cast(pl.String).to_list() == [*regions, "11", "12"]
    assert frame["kind"].to_list() == ["eblup"] * 10 + ["synthetic"] * 2
    assert (
        frame.filter(pl.col("kind") == "synthetic")["flag"].to_list()
        == ["no sample: synthetic estimate"] * 2
    )
    # the direct estimates and SEs are those of ipec survey estimate
    direct = tmp_path / "direct.csv"
    assert run(["survey", "estimate", str(survey), "--map", "mics6", "-p", "sdg-8.7.1", "--by",
                "region", "--indicators", "child_labour", "-o", str(direct)]) == 0  # fmt: skip
    expected = pl.read_csv(direct).filter(pl.col("by") == "region")
    sampled = frame.filter(pl.col("sampled"))
    np.testing.assert_allclose(sampled["direct"], expected["estimate"], rtol=1e-15)
    np.testing.assert_allclose(sampled["direct_se"], expected["se"], rtol=1e-15)
    np.testing.assert_allclose(sampled["direct_ci_low"], expected["ci_low"], rtol=1e-15)
    np.testing.assert_allclose(frame["count"], frame["population"] * frame["estimate"], rtol=1e-12)
    fit = json.loads((tmp_path / "areas.fit.json").read_text(encoding="utf-8"))
    model = fit["model"]
    assert model["method"] == "REML"
    assert [c["name"] for c in model["coefficients"]] == ["(Intercept)", "rural", "poverty"]
    assert model["areas_no_sample"] == ["11", "12"]
    assert model["model_variance"] >= 0
    assert {"loglike", "aic", "bic", "mse", "variance_smoothing"} <= set(model)
    assert fit["metadata"]["covariates"] == ["rural", "poverty"]
    assert fit["metadata"]["profile"] == "sdg-8.7.1"


def test_json_output_holds_the_fit_and_fh_method(survey: Path, tmp_path: Path) -> None:
    aux = _auxiliary(tmp_path, [str(r) for r in range(1, 11)])
    output = tmp_path / "areas.json"
    assert run(["survey", "small-area", str(survey), "-m", "mics6", "-p", "sdg-8.7.1",
                "--area", "region", "--auxiliary", str(aux), "--covariates", "poverty",
                "--method", "FH", "--smooth-below", "0", "-o", str(output)]) == 0  # fmt: skip
    content = json.loads(output.read_text(encoding="utf-8"))
    assert set(content) == {"metadata", "model", "areas"}
    assert content["model"]["method"] == "FH"
    assert [c["name"] for c in content["model"]["coefficients"]] == ["(Intercept)", "poverty"]
    assert len(content["areas"]) == 10
    assert not any(row["variance_smoothed"] for row in content["areas"])
    assert not (tmp_path / "areas.fit.json").exists()


def test_survey_area_missing_from_the_auxiliary_file(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aux = _auxiliary(tmp_path, [str(r) for r in range(1, 9)])
    code = run(["survey", "small-area", str(survey), "-m", "mics6", "-p", "sdg-8.7.1", "--area",
                "region", "--auxiliary", str(aux), "-o", str(tmp_path / "o.csv")])  # fmt: skip
    assert code == 1
    line = _error(capsys)
    assert "the survey's region level(s) 9, 10 are not in the auxiliary file" in line
    assert not (tmp_path / "o.csv").exists()


def test_non_numeric_covariate(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aux = tmp_path / "aux.csv"
    aux.write_text("region,zone,rural\n1,north,0.2\n2,south,0.4\n", encoding="utf-8")
    code = run(["survey", "small-area", str(survey), "-m", "mics6", "-p", "sdg-8.7.1", "--area",
                "region", "--auxiliary", str(aux), "-o", str(tmp_path / "o.csv")])  # fmt: skip
    assert code == 1
    assert "column 'zone': rows 1, 2: holds values that are not numbers" in _error(capsys)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--area", "district", "--area-column", "region"], "the map has no breakdown 'district'"),
        (["--area", "region", "--method", "ML"], "--method 'ML' is not one of REML, FH"),
        (["--area", "region", "--indicator", "poverty"], "unknown indicator 'poverty'"),
        (["--area", "region", "--area-column", "code"], "no column code"),
    ],
)
def test_bad_requests_are_one_error_line(
    survey: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    aux = _auxiliary(tmp_path, [str(r) for r in range(1, 11)])
    code = run(["survey", "small-area", str(survey), "-m", "mics6", "-p", "sdg-8.7.1",
                "--auxiliary", str(aux), *options, "-o", str(tmp_path / "o.csv")])  # fmt: skip
    assert code == 1
    assert message in _error(capsys)


def _boundaries(folder: Path, codes: list[str], *, projected: str = "") -> Path:
    features = []
    for index, code in enumerate(codes):
        west, south = -8.0 + index % 4, 5.0 + index // 4
        if code == projected:  # metres, as in a UTM file
            west, south = 390_000.0 + index * 1000, 590_000.0
        ring = [[west, south], [west + 1, south], [west + 1, south + 1], [west, south + 1],
                [west, south]]  # fmt: skip
        features.append({"type": "Feature", "properties": {"code": code},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    path = folder / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_the_estimates_are_drawn_as_a_map(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xml.etree import ElementTree

    aux = _auxiliary(tmp_path, [str(r) for r in range(1, 12)])
    shapes = _boundaries(tmp_path, [*(str(r) for r in range(1, 10)), "11", "13"])
    output, drawn = tmp_path / "areas.csv", tmp_path / "map.svg"
    code = run(["survey", "small-area", str(survey), "--map", "mics6", "-p", "sdg-8.7.1",
                "--area", "region", "--auxiliary", str(aux), "-o", str(output),
                "--choropleth", str(drawn), "--boundaries", str(shapes)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "1 area(s) have no boundary and are not on the map: 10" in err
    svg = ElementTree.fromstring(drawn.read_text(encoding="utf-8"))
    paths = {p.get("data-code"): p for p in svg.iter("{http://www.w3.org/2000/svg}path")}
    assert set(paths) == {*(str(r) for r in range(1, 10)), "11", "13"}
    estimates = pl.read_csv(output, schema_overrides={"area": pl.String})
    drawn_rows = estimates.filter(pl.col("area") != "10")
    highest = drawn_rows.sort("estimate")["area"][-1]
    lowest = drawn_rows.sort("estimate")["area"][0]
    assert paths[highest].get("fill") == "#8f3410"  # the darkest class
    assert paths[lowest].get("fill") == "#fde7c8"  # the lightest
    assert paths["13"].get("fill") == "#ffffff"  # no estimate
    row = estimates.filter(pl.col("area") == "3").row(0, named=True)
    title = paths["3"].findtext("{http://www.w3.org/2000/svg}title")
    assert title == (f"3: {row['estimate'] * 100:.1f}% ({row['ci_low'] * 100:.1f}%"
                     f"\u2013{row['ci_high'] * 100:.1f}%)")  # fmt: skip
    synthetic = paths["11"].findtext("{http://www.w3.org/2000/svg}title", "")
    assert synthetic.startswith("11 (synthetic): ")
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[-1] == "no estimate"


def test_a_boundary_in_another_projection_is_refused_before_reading(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aux = _auxiliary(tmp_path, [str(r) for r in range(1, 11)])
    shapes = _boundaries(tmp_path, ["1", "2", "3"], projected="2")
    output = tmp_path / "areas.csv"
    code = run(["survey", "small-area", str(survey), "--map", "mics6", "-p", "sdg-8.7.1",
                "--area", "region", "--auxiliary", str(aux), "-o", str(output),
                "--choropleth", str(tmp_path / "m.svg"), "--boundaries", str(shapes)])  # fmt: skip
    assert code != 0
    line = _error(capsys)
    assert "feature 2 (2)" in line
    assert "another projection" in line
    assert not output.exists()
    code = run(["survey", "small-area", str(survey), "--map", "mics6", "-p", "sdg-8.7.1",
                "--area", "region", "--auxiliary", str(aux), "-o", str(output),
                "--choropleth", str(tmp_path / "m.svg")])  # fmt: skip
    assert code != 0
    assert "--choropleth and --boundaries go together" in _error(capsys)

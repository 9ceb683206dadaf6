"""The report opened in headless Chromium: values, charts, no request outside the file.

Needs Debian's chromium (``.ci/run`` installs it); skips with a reason where it is absent.
Screenshots are saved to test-artifacts/ at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyreadstat
import pytest
from tests.conftest import ARTIFACTS, needs_chromium

from ipec.standards import load_profile
from ipec.survey.analysis import estimate_survey
from ipec.survey.pipeline import open_mapped
from ipec.survey.report import write_report

pytestmark = needs_chromium


def _open(browser: object, path: Path, width: int = 1100) -> tuple[object, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests + dialogs


def test_report_in_a_real_browser(browser: object, synth_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    write_report(synth_file, output, survey_map="mics6", profile="sdg-8.7.1",
                 compare=["mics6-2017", "ilo-global-estimates"])  # fmt: skip
    page, seen = _open(browser, output)
    assert seen == [output.as_uri()]
    mapped = open_mapped(synth_file, "mics6")
    for profile_id in ("sdg-8.7.1", "sdg-8.7.1-econ"):
        engine = estimate_survey(mapped, load_profile(profile_id), indicators=["child_labour"])
        card = page.locator(f'article.card[data-profile="{profile_id}"] .big')  # type: ignore[attr-defined]
        assert float(card.get_attribute("data-estimate")) == pytest.approx(
            engine["estimate"][0], rel=1e-12
        )
        assert card.inner_text().startswith(f"{100 * engine['estimate'][0]:.1f}")
    charts = page.locator("figure.chart")  # type: ignore[attr-defined]
    assert charts.count() == 6
    for i in range(charts.count()):
        chart = charts.nth(i)
        marks = chart.locator("svg path, svg rect, svg use, svg polyline").count()
        assert marks > 10, chart.get_attribute("id")
        box = chart.locator("svg").bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 100
    assert page.locator("table.estimates").count() == 5  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-desktop.png"), full_page=True)  # type: ignore[attr-defined]
    phone, _ = _open(browser, output, width=390)
    width = phone.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 400
    phone.screenshot(path=str(ARTIFACTS / "report-phone.png"))  # type: ignore[attr-defined]


def test_french_and_hostile_labels(
    browser: object, synth_survey: pl.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "hostile.sav"
    labels = {i: f"<script>alert({i})</script> Région {i}" for i in range(1, 11)}
    pyreadstat.write_sav(synth_survey, str(source), variable_value_labels={"HH7": labels})
    output = tmp_path / "rapport.html"
    write_report(source, output, survey_map="mics6", profile="sdg-8.7.1", lang="fr")
    html = output.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Région 1" in html
    page, seen = _open(browser, output)
    assert seen == [output.as_uri()]
    assert page.locator("html").get_attribute("lang") == "fr"  # type: ignore[attr-defined]
    assert "Chiffres clés" in page.locator("#headline h2").inner_text()  # type: ignore[attr-defined]
    page.screenshot(path=str(ARTIFACTS / "report-french.png"))  # type: ignore[attr-defined]

"""Bad requests for a report are refused before any work, and nothing is written."""

from __future__ import annotations

import threading
from pathlib import Path

import polars as pl
import pytest

from ipec.errors import DataError, ProfileError
from ipec.survey.report import write_report
from ipec.survey.synth import SYNTH_LABELS
from ipec.survey.writers import write_survey


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"compare": ["mics6-2017", "nope"]}, ProfileError, "unknown profile 'nope'"),
        ({"lang": "de"}, DataError, "unsupported report language 'de'"),
        ({"population": -5.0}, DataError, "population must be a positive number"),
        ({"population": float("inf")}, DataError, "population must be a positive number"),
    ],
)
def test_refused_before_reading(
    tmp_path: Path, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    absent = tmp_path / "not-read.dta"
    output = tmp_path / "r.html"
    with pytest.raises(error, match=message):
        write_report(absent, output, survey_map="mics6", profile="sdg-8.7.1", **kwargs)  # type: ignore[arg-type]
    assert not output.exists()


def test_output_must_be_html(synth_file: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="the report is an HTML file"):
        write_report(synth_file, tmp_path / "r.pdf", survey_map="mics6", profile="sdg-8.7.1")


def test_an_error_while_the_tables_are_computed_reaches_the_caller(
    synth_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables PR.3.1-PR.3.4 are computed in a worker thread: its error is raised by
    ``write_report`` as it is, and no report is left behind."""
    from ipec.survey.report import content

    def broken(*args: object, **kwargs: object) -> None:
        raise DataError("cannot estimate the tables", source="test")

    monkeypatch.setattr(content, "background_tables", broken)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(DataError, match="cannot estimate the tables"):
        write_report(synth_file, folder / "r.html", survey_map="mics6", profile="sdg-8.7.1")
    assert list(folder.iterdir()) == []


def test_an_error_in_the_other_sections_does_not_wait_for_the_tables(
    synth_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller's error is raised while the tables' thread still works, and that thread is
    a daemon: a failed or interrupted command does not wait for tables no one will read."""
    from ipec.survey.report import content

    release = threading.Event()

    def slow_tables(*args: object, **kwargs: object) -> None:
        release.wait(timeout=60)
        raise DataError("tables not needed", source="test")

    def broken_hazards(*args: object, **kwargs: object) -> None:
        raise DataError("cannot estimate the hazards", source="test")

    monkeypatch.setattr(content, "background_tables", slow_tables)
    monkeypatch.setattr(content, "_hazards", broken_hazards)
    try:
        with pytest.raises(DataError, match="cannot estimate the hazards"):
            write_report(synth_file, tmp_path / "r.html", survey_map="mics6",
                         profile="sdg-8.7.1")  # fmt: skip
        workers = [t for t in threading.enumerate() if t.name == "ipec-report-tables"]
        assert workers
        assert all(t.is_alive() and t.daemon for t in workers)
    finally:
        release.set()
    assert not (tmp_path / "r.html").exists()


def test_the_rules_name_the_tasks_of_a_national_list(synth_file: Path, tmp_path: Path) -> None:
    """A profile with a national hazardous-work list states its tasks, in the report's language,
    with the ages each is forbidden at (the survey need not measure them)."""
    output = tmp_path / "cocoa.html"
    write_report(synth_file, output, survey_map="mics6", profile="cocoa-ci-2017", lang="fr")
    html = output.read_text(encoding="utf-8")
    assert "Travaux de la liste nationale des travaux dangereux retenus" in html
    assert "Abat des arbres (5-17)" in html


def test_tables_of_the_report_say_what_a_statistician_needs(
    synth_survey: pl.DataFrame, tmp_path: Path
) -> None:
    """Labels from the file, the unweighted n beside the weighted N, each table's footnotes
    (in the report's language) and normalised weights."""
    source = tmp_path / "fs.dta"
    write_survey(synth_survey, source, SYNTH_LABELS)
    output = tmp_path / "r.html"
    write_report(source, output, survey_map="mics6", profile="sdg-8.7.1", normalise_weights=True)
    page = output.read_text(encoding="utf-8")
    tables = page[page.index('<section id="tables">') : page.index('<section id="methodology">')]
    assert '<h3 id="table-SDG-8.7.1">SDG 8.7.1: Children aged 5-17' in tables
    assert tables.count('<th scope="col">Number of children (unweighted)</th>') == 3
    assert tables.count('<th scope="col" rowspan="2">Number of children (unweighted)</th>') == 2
    assert '<th scope="colgroup" colspan="2">Children aged 5-11</th>' in tables
    assert '<td class="level">Capital</td>' in tables
    assert '<td class="level">Upper secondary or higher</td>' in tables
    cases = f"{synth_survey.filter(pl.col('FS17') == 1).height:,}"
    assert f"Weights normalised to sum to the number of cases ({cases})" in tables
    assert (
        "Working under hazardous conditions: shown for information, not counted as child "
        "labour (this definition lists no hazardous conditions)."
    ) in tables
    assert "sdg-8.7.1" not in tables
    french = tmp_path / "fr.html"
    write_report(source, french, survey_map="mics6", profile="sdg-8.7.1", lang="fr")
    text = french.read_text(encoding="utf-8")
    assert "Nombre d&#39;enfants (non pondéré)" in text
    assert "présenté pour information, non compté comme travail des enfants" in text
    assert "ont déclaré une activité dont les heures sont inconnues" in text
    assert "Poids normalisés" not in text

"""Bad requests for a report are refused before any work, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipec.errors import DataError, ProfileError
from ipec.survey.report import write_report


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

"""Both report languages say everything, and write numbers their own way."""

from __future__ import annotations

from typing import Any

import pytest

from ipec.errors import DataError
from ipec.survey.report.i18n import LANGUAGES, text_for


def _keys(table: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in table.items():
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys


def test_every_language_has_every_key() -> None:
    english = _keys(text_for("en").catalog)
    for lang in LANGUAGES:
        assert _keys(text_for(lang).catalog) - {"language"} == english - {"language"}, lang


def test_numbers() -> None:
    en, fr = text_for("en"), text_for("fr")
    assert en.percent(0.20135) == "20.1"
    assert fr.percent(0.20135) == "20,1"
    assert en.percent(float("nan")) == "-"
    assert en.count(21871.2) == "21,871"
    assert fr.count(21871.2) == "21\u202f871"
    assert fr.decimal("(12.5)") == "(12,5)"


def test_unknown_language() -> None:
    with pytest.raises(DataError, match="unsupported report language 'de'"):
        text_for("de")

"""The report's words in English and French, and numbers written the way each language does.

Every string a reader sees comes from ``locales/<lang>.toml``; a test checks that both files
hold the same keys.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ipec.errors import DataError

__all__ = ["LANGUAGES", "Text", "text_for"]

LANGUAGES = ("en", "fr")


@cache
def _catalog(lang: str) -> dict[str, Any]:
    path = resources.files("ipec.survey.report").joinpath("locales", f"{lang}.toml")
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Text:
    """Look-ups and number formats for one language."""

    lang: str

    @property
    def catalog(self) -> dict[str, Any]:
        return _catalog(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        template = self.catalog[key]
        if not isinstance(template, str):
            raise KeyError(key)
        return template.format(**values)

    def section(self, section: str, key: str, **values: object) -> str:
        """A text from a table of the catalog (rules, levels...), the key itself if absent."""
        template = self.catalog.get(section, {}).get(key)
        return str(template).format(**values) if template is not None else key

    def level(self, label: str) -> str:
        return self.section("levels", label)

    def domain(self, name: str) -> str:
        return self.section("domains", name)

    def indicator(self, name: str) -> str:
        return self.section("indicators", name)

    def condition(self, name: str) -> str:
        return self.section("conditions", name)

    def percent(self, share: float | None, digits: int = 1) -> str:
        """0.2013 -> "20.1" (en) or "20,1" (fr); missing -> "-"."""
        if share is None or math.isnan(share):
            return "-"
        text = f"{100 * share:.{digits}f}"
        return text.replace(".", ",") if self.lang == "fr" else text

    def decimal(self, shown: str) -> str:
        """A number already formatted in English ("(12.5)") with this language's decimal mark."""
        return shown.replace(".", ",") if self.lang == "fr" else shown

    def count(self, value: float) -> str:
        """21871.2 -> "21,871" (en) or "21 871" (fr, narrow no-break space)."""
        text = f"{round(value):,}"
        return text.replace(",", "\u202f") if self.lang == "fr" else text


def text_for(lang: str) -> Text:
    """The text of a supported language, or a DataError naming the supported ones."""
    if lang not in LANGUAGES:
        raise DataError(
            f"unsupported report language '{lang}'", hint=f"use one of {', '.join(LANGUAGES)}"
        )
    return Text(lang)

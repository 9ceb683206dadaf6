"""Templates in every language: one Jinja environment per language, made when the
application starts; every template escapes what it prints."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ipec import __version__
from ipec.classify.explain import Wording
from ipec.monitoring.scope import age_on
from ipec.web.api.common import today
from ipec.web.pages.i18n import LANGUAGES, choose_language, load_translations

__all__ = ["Pages", "format_number", "gettext_of", "pages_of", "wording_of"]

_TEMPLATES = Path(__file__).with_name("templates")


class Pages:
    """Renders a template in the request's language with what every page needs."""

    def __init__(self) -> None:
        self._translations = load_translations()
        loader = FileSystemLoader(_TEMPLATES)
        self._environments: dict[str, Environment] = {}
        for code, translations in self._translations.items():
            environment = Environment(
                loader=loader,
                autoescape=select_autoescape(["html"], default_for_string=True),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            environment.globals["age_on"] = age_on
            environment.filters["number"] = functools.partial(format_number, locale=code)
            self._environments[code] = environment

    def translations(self, request: Request) -> NullTranslations:
        """The request's catalog, for messages made in Python."""
        return self._translations[choose_language(request)]

    def render(
        self, request: Request, name: str, context: dict[str, Any], *, status: int = 200
    ) -> HTMLResponse:
        """The page ``name`` in the request's language."""
        language = choose_language(request)
        template = self._environments[language].get_template(name)
        viewer = getattr(request.state, "viewer", None)
        html = template.render(
            {
                "lang": language,
                "languages": LANGUAGES,
                "viewer": viewer,
                "path": request.url.path,
                "version": __version__,
                "today": today(),
                # what the last action did (a confirmation after a redirect), and the errors of
                # a form sent back (a summary above the page)
                "saved": request.query_params.get("saved", ""),
                "problems": (),
                **context,
            }
        )
        return HTMLResponse(html, status_code=status)


def format_number(value: int | float, *, locale: str) -> str:
    """A count as the page's language writes it (the ``number`` filter of the templates).

    >>> format_number(12345, locale="en"), format_number(12345, locale="fr")
    ('12,345', '12\u202f345')
    """
    return format_decimal(value, locale=locale)


def pages_of(request: Request) -> Pages:
    """The application's renderer."""
    pages: Pages = request.app.state.pages
    return pages


def gettext_of(request: Request) -> Callable[[str], str]:
    """The request's gettext, for messages made in Python (errors beside fields, labels)."""
    return pages_of(request).translations(request).gettext


def wording_of(request: Request) -> Wording:
    """The request's language, for the classification's explanations."""
    return Wording(choose_language(request), gettext_of(request))

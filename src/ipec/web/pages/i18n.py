"""Languages of the pages: gettext catalogs (``locales/<lang>/LC_MESSAGES/messages.po``)
compiled in memory when the application starts, and the choice of language per request."""

from __future__ import annotations

import io
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

__all__ = [
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "choose_language",
    "load_translations",
    "translatable",
]

#: The languages the pages speak, by code, each named in itself.
LANGUAGES = {"en": "English", "fr": "Français"}
#: The cookie that keeps a user's choice of language.
LANGUAGE_COOKIE = "ipec_lang"
_DEFAULT = "en"


def load_translations() -> dict[str, NullTranslations]:
    """Every language's translations; English is the source text itself."""
    loaded: dict[str, NullTranslations] = {_DEFAULT: NullTranslations()}
    locales = files("ipec.web").joinpath("locales")
    for code in LANGUAGES:
        if code == _DEFAULT:
            continue
        source = locales.joinpath(code, "LC_MESSAGES", "messages.po")
        with source.open("rb") as po_file:
            catalog = read_po(po_file, locale=code)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        loaded[code] = Translations(compiled)
    return loaded


def choose_language(request: Request) -> str:
    """The user's chosen language (cookie), else the browser's first known one, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return _DEFAULT


def translatable(message: str) -> str:
    """Mark a message made in Python for the catalogs; it is translated where it is shown."""
    return message

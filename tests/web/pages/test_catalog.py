"""Every message of the pages is in the catalog template and translated into French."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
LOCALES = ROOT / "src" / "ipec" / "web" / "locales"
_METHODS = [
    ("src/ipec/web/pages/**.py", "python"),
    ("src/ipec/classify/explain.py", "python"),
    ("src/ipec/web/pages/templates/*.html", "jinja2"),
]
_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "translatable": None, "say": None}


def _extracted() -> set[str]:
    found = extract_from_dir(str(ROOT), method_map=_METHODS, keywords=_KEYWORDS,
                             options_map={"**.html": {"trimmed": "true"}})  # fmt: skip
    messages: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        messages.update([message] if isinstance(message, str) else message[:1])
    return messages


def test_the_template_lists_every_message_of_the_pages() -> None:
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = {message.id for message in read_po(handle) if message.id}
    extracted = _extracted()
    assert len(extracted) > 50
    assert extracted - template == set(), "run pybabel extract (CONTRIBUTING.md)"
    assert template - extracted == set(), "messages no page uses any more"


def test_french_translates_every_message() -> None:
    with (LOCALES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        french = read_po(handle, locale="fr")
    untranslated = sorted(
        str(message.id) for message in french if message.id and not message.string
    )
    assert untranslated == []
    missing = _extracted() - {message.id for message in french if message.id}
    assert missing == set()
    placeholders = [
        str(message.id) for message in french
        if message.id and str(message.id).count("%(") != str(message.string).count("%(")
    ]  # fmt: skip
    assert placeholders == []


def test_no_translation_is_a_guess() -> None:
    """pybabel update fills a new message with a near one's translation, marked fuzzy: the
    pages would show English for it (compiled catalogs leave fuzzy entries out)."""
    with (LOCALES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        french = read_po(handle, locale="fr")
    assert sorted(str(message.id) for message in french if message.id and message.fuzzy) == []


def test_explanations_keep_their_placeholders() -> None:
    """The classification's templates are filled by name: a translation must keep every
    ``{name}`` of its template, or the page fails when it says it."""
    with (LOCALES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        french = read_po(handle, locale="fr")
    names = re.compile(r"\{(\w+)\}")
    wrong = [
        str(message.id) for message in french
        if message.id and set(names.findall(str(message.id))) != set(names.findall(
            str(message.string)))
    ]  # fmt: skip
    assert wrong == []

"""What a page form needs when it is sent back: the values the user typed and a message
beside each field that is wrong, already in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ipec.web.pages.i18n import translatable

__all__ = ["FormState", "Say", "read_date", "read_whole"]

#: The request's gettext: a message id in, the user's language out.
Say = Callable[[str], str]


@dataclass
class FormState:
    """One form's typed values and its errors by field name (empty for a fresh form)."""

    name: str = ""
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, key: str, default: str = "") -> str:
        """What the user typed in ``key``, or ``default`` on a fresh form."""
        return self.typed.get(key, default) if self.typed else default

    def checked(self, key: str, *, default: bool = False) -> bool:
        """Whether the box ``key`` was ticked (``default`` on a fresh form)."""
        return key in self.typed if self.typed else default

    def error(self, key: str) -> str:
        """The message beside ``key``, or an empty string."""
        return self.errors.get(key, "")


def read_date(
    state: FormState, key: str, say: Say, *, earliest: date | None = None, latest: date
) -> date | None:
    """The date typed in ``key``, or None with a message beside it."""
    text = state.typed.get(key, "").strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        state.errors[key] = say(translatable("Enter a date (year-month-day)."))
        return None
    if day > latest:
        state.errors[key] = say(translatable("The date cannot be in the future."))
        return None
    if earliest is not None and day < earliest:
        message = say(translatable("The date cannot be before %(day)s."))
        state.errors[key] = message % {"day": earliest.isoformat()}
        return None
    return day


def read_whole(state: FormState, key: str, say: Say, *, high: int) -> int | None:
    """The whole number in ``key`` from 0 to ``high``; None when empty or wrong (with a
    message beside it when wrong)."""
    text = state.typed.get(key, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > high:
        message = say(translatable("Enter a whole number from 0 to %(high)s."))
        state.errors[key] = message % {"high": high}
        return None
    return int(text)

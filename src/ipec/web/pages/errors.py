"""The error page: what went wrong in a sentence, a title in the user's language, and the
status code, without a traceback."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["error_page"]

_TITLES = {
    400: translatable("The request could not be used"),
    403: translatable("Not allowed"),
    404: translatable("Not found"),
    405: translatable("Not allowed"),
    409: translatable("Changed in the meantime"),
    413: translatable("Too large"),
    422: translatable("Some values are not valid"),
    503: translatable("Try again in a moment"),
}
_FALLBACK = translatable("Something went wrong")


def error_page(request: Request, status: int, message: str, hint: str | None = None) -> Response:
    """The error page for ``status``; ``message`` says what went wrong."""
    pages = pages_of(request)
    title = gettext_of(request)(_TITLES.get(status, _FALLBACK))
    context = {"title": title, "message": message, "hint": hint}
    return pages.render(request, "error.html", context, status=status)

"""An empty query value means "any": ``/cases?area_id=&status=`` is ``/cases``.

A filter form sends every field, its "All" choices as empty strings; read as values they
would fail validation (an area id, a status) and the page would answer 422 for the most
ordinary use of the form. Dropping the empty pairs before routing makes every filter, of the
pages and the API alike, treat an empty value as no filter.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ipec.web.limits import App, Receive, Send

__all__ = ["EmptyQueryValues", "without_empty_values"]


def without_empty_values(query: bytes) -> bytes:
    """The query string without its pairs whose value is empty (order kept).

    >>> without_empty_values(b"area_id=&status=identified&q=")
    b'status=identified'
    """
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if value != ""]
    if len(kept) == len(pairs):
        return query
    return urlencode(kept).encode("latin-1")


class EmptyQueryValues:
    """ASGI middleware: drop the empty values of every request's query string."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            scope = dict(scope)
            scope["query_string"] = without_empty_values(scope["query_string"])
        await self.app(scope, receive, send)

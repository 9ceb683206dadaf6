"""One JSON shape for every error of the API: ``{"error": {"type", "message", "status",
"fields"}}``; the pages answer with an error page instead, and send a signed-out browser to
the sign-in form."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ipec.errors import IpecError, NotAuthenticated, TooManyAttempts
from ipec.web.pages.errors import error_page
from ipec.web.refusals import record_refusal

__all__ = ["error_body", "install_error_handlers"]

_log = logging.getLogger(__name__)


def error_body(
    kind: str, message: str, status: int, fields: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The body of every error response."""
    return {"error": {"type": kind, "message": message, "status": status, "fields": fields or []}}


def _for_pages(request: Request) -> bool:
    """Whether the request came from the pages (HTML) rather than the API (JSON)."""
    return not request.url.path.startswith("/api/") and hasattr(request.app.state, "pages")


def _answer(
    request: Request, body: dict[str, Any], status: int, hint: str | None = None
) -> Response:
    """The error as JSON for the API, as an error page for the pages."""
    if not _for_pages(request):
        return JSONResponse(body, status_code=status)
    return error_page(request, status, body["error"]["message"], hint)


def install_error_handlers(app: FastAPI) -> None:
    """Library errors, validation errors and HTTP errors all answer in the one shape."""

    async def ipec_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, IpecError)
        await record_refusal(request, exc)
        if isinstance(exc, NotAuthenticated) and _for_pages(request):
            return _to_sign_in(request)
        if _for_pages(request):
            answer = error_page(request, exc.http_status, str(exc.args[0]), exc.hint)
        else:
            body = error_body(type(exc).__name__, exc.one_line(), exc.http_status)
            answer = JSONResponse(body, status_code=exc.http_status)
        if isinstance(exc, TooManyAttempts):
            answer.headers["Retry-After"] = str(exc.retry_after)
        return answer

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = [
            {"field": ".".join(str(part) for part in error["loc"]), "message": str(error["msg"])}
            for error in exc.errors()
        ]
        body = error_body("ValidationError", "some fields are invalid", 422, fields)
        hint = "; ".join(f"{field['field']}: {field['message']}" for field in fields)
        return _answer(request, body, 422, hint)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        body = error_body("HTTPError", str(exc.detail), exc.status_code)
        answer = _answer(request, body, exc.status_code)
        answer.headers.update(exc.headers or {})  # a 405's Allow, say
        return answer

    async def unexpected(request: Request, exc: Exception) -> Response:
        _log.exception("unexpected error in %s %s", request.method, request.url.path)
        body = error_body("InternalError", "an unexpected error occurred; it has been logged", 500)
        return _answer(request, body, 500)

    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(IpecError, ipec_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)


def _to_sign_in(request: Request) -> Response:
    """A signed-out browser goes to the sign-in form, and comes back afterwards."""
    back = request.url.path if request.method == "GET" else "/"
    target = f"/login?{urlencode({'next': back})}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)

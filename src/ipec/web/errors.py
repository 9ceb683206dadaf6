"""One JSON shape for every error: ``{"error": {"type", "message", "status", "fields"}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ipec.errors import IpecError

__all__ = ["error_body", "install_error_handlers"]

_log = logging.getLogger(__name__)


def error_body(
    kind: str, message: str, status: int, fields: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The body of every error response."""
    return {"error": {"type": kind, "message": message, "status": status, "fields": fields or []}}


def install_error_handlers(app: FastAPI) -> None:
    """Library errors, validation errors and HTTP errors all answer in the one shape."""

    async def ipec_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, IpecError)
        body = error_body(type(exc).__name__, exc.one_line(), exc.http_status)
        return JSONResponse(body, status_code=exc.http_status)

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        fields = [
            {"field": ".".join(str(part) for part in error["loc"]), "message": str(error["msg"])}
            for error in exc.errors()
        ]
        body = error_body("ValidationError", "some fields are invalid", 422, fields)
        return JSONResponse(body, status_code=422)

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        body = error_body("HTTPError", str(exc.detail), exc.status_code)
        return JSONResponse(body, status_code=exc.status_code)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unexpected error in %s %s", request.method, request.url.path)
        body = error_body("InternalError", "an unexpected error occurred; it has been logged", 500)
        return JSONResponse(body, status_code=500)

    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(IpecError, ipec_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)

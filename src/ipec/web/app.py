"""``create_app(settings)``: the web application, made by a factory (nothing at import time)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from ipec import __version__
from ipec.config import Settings, load_settings
from ipec.db import make_engine, require_current
from ipec.web.api.routes import router
from ipec.web.errors import error_body, install_error_handlers

__all__ = ["create_app", "from_environment"]


def create_app(settings: Settings) -> FastAPI:
    """The application for ``settings`` (use ``ipec.config.load_settings`` to check secrets);
    refuses a database whose schema is not current."""
    app = FastAPI(
        title="ipec",
        version=__version__,
        description="Child labour monitoring and remediation: records, workflow, metrics.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    engine, turns = _engine_and_turns(settings)
    require_current(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    install_error_handlers(app)

    @app.middleware("http")
    async def take_turns(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Admit as many requests to the database as it serves well; the rest wait here, in
        the event loop, rather than in worker threads that the admitted ones need to finish."""
        if request.url.path == "/health":
            return await call_next(request)
        async with turns:
            return await call_next(request)

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Refuse bodies larger than the setting before reading them."""
        declared = request.headers.get("content-length", "0")
        too_big = not declared.isdigit() or int(declared) > settings.max_body_bytes
        if request.method in {"POST", "PUT", "PATCH"} and too_big:
            message = f"the request body is larger than {settings.max_body_bytes} bytes"
            return JSONResponse(error_body("PayloadTooLarge", message, 413), status_code=413)
        return await call_next(request)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        """For load balancers and process managers: the process answers."""
        return {"status": "ok"}

    app.include_router(router)
    return app


def _engine_and_turns(settings: Settings) -> tuple[Engine, asyncio.Semaphore]:
    """The engine, and the admission semaphore sized with its connection pool."""
    engine = make_engine(settings.database_url, write_transactions=True)
    default = 1 if engine.dialect.name == "sqlite" else 8
    concurrency = settings.database_concurrency or default
    if engine.dialect.name != "sqlite":
        engine.dispose()
        engine = make_engine(settings.database_url, pool_size=concurrency + 2, max_overflow=0)
    return engine, asyncio.Semaphore(concurrency)


def from_environment() -> FastAPI:
    """The application for the IPEC_* settings of the environment (for server workers)."""
    return create_app(load_settings())

"""``create_app(settings)``: the web application, made by a factory (nothing at import time)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from ipec import __version__
from ipec.config import Settings, check_secret, load_settings
from ipec.db import make_engine, require_current
from ipec.web.api.routes import router
from ipec.web.empty_query import EmptyQueryValues
from ipec.web.errors import install_error_handlers
from ipec.web.limits import BodyLimit
from ipec.web.pages import install_pages
from ipec.web.pages.refresher import refreshing
from ipec.web.signin import SIGN_IN_ROUTES, AttemptLimiter, SignInGate

__all__ = ["create_app", "from_environment"]


def create_app(settings: Settings) -> FastAPI:
    """The application for ``settings``; refuses a default secret outside demo mode and a
    database whose schema is not current."""
    check_secret(settings)
    app = FastAPI(
        title="ipec",
        version=__version__,
        description="Child labour monitoring and remediation: records, workflow, metrics.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_figures_refreshed,
    )
    engine, turns = _engine_and_turns(settings)
    require_current(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.figures_refresher = None
    limiter = AttemptLimiter(settings.sign_in_per_address_per_minute, settings.sign_in_per_minute)
    app.state.sign_in_gate = SignInGate(limiter, turns)
    install_error_handlers(app)

    @app.middleware("http")
    async def take_turns(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Admit as many requests to the database as it serves well; the rest wait here, in
        the event loop, rather than in worker threads that the admitted ones need to finish.
        Sign-in takes its turns itself, only for its database work (``ipec.web.signin``)."""
        path = request.url.path
        if path == "/health" or path.startswith("/static/"):
            return await call_next(request)
        if (request.method, path) in SIGN_IN_ROUTES:
            return await call_next(request)
        async with turns:
            return await call_next(request)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(EmptyQueryValues)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        """For load balancers and process managers: the process answers."""
        return {"status": "ok"}

    app.include_router(router)
    install_pages(app)
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


@asynccontextmanager
async def _figures_refreshed(app: FastAPI) -> AsyncIterator[None]:
    """While the application serves, a background thread keeps the dashboard's figures
    computed (``dashboard_refresh_seconds``)."""
    settings: Settings = app.state.settings
    async with refreshing(app.state.dashboard_figures, settings.database_url,
                          profile=settings.profile,
                          interval=settings.dashboard_refresh_seconds) as refresher:  # fmt: skip
        app.state.figures_refresher = refresher
        yield
    app.state.figures_refresher = None


def from_environment() -> FastAPI:
    """The application for the IPEC_* settings of the environment (for server workers)."""
    return create_app(load_settings())

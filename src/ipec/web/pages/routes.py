"""Mount the pages on an application: their routes, static files and security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ipec.web.pages import (
    account,
    admin,
    alliance,
    assignments,
    audit_export,
    calendar,
    cases,
    children,
    consents,
    credentials,
    dashboard,
    follow_ups,
    households,
    maps,
    partner_referrals,
    partners,
    prevention,
    programmes,
    registry,
    reminders,
    supervision,
    week,
)
from ipec.web.pages.figures import FiguresStore
from ipec.web.pages.render import Pages

__all__ = ["PAGE_ROUTERS", "install_pages"]

_STATIC = Path(__file__).parent.parent / "static"
#: Only this site's own scripts, styles and images; no framing; forms post only here.
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_HEADERS = {
    "Content-Security-Policy": _POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

home = APIRouter(include_in_schema=False)


@home.get("/")
def start() -> Response:
    """The start page is the dashboard (the sign-in form for a signed-out browser)."""
    return RedirectResponse("/dashboard", status_code=303)


#: Every router of the pages, in the order they are mounted.
PAGE_ROUTERS = (
    home,
    account.router,
    dashboard.router,
    maps.router,
    cases.router,
    children.router,
    households.router,
    registry.router,
    partners.router,
    alliance.router,
    programmes.router,
    partner_referrals.router,
    consents.router,
    week.router,
    calendar.router,
    prevention.router,
    reminders.router,
    follow_ups.router,
    assignments.router,
    supervision.router,
    credentials.router,
    audit_export.router,
    admin.router,
)


def install_pages(app: FastAPI) -> None:
    """Add the pages to ``app`` (the renderer and the dashboard's figures store are made
    here, not at import time, so each application has its own)."""
    app.state.pages = Pages()
    app.state.dashboard_figures = FiguresStore(ttl=app.state.settings.dashboard_figures_seconds)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    for part in PAGE_ROUTERS:
        app.include_router(part)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every page and file is sent with headers that keep scripts and framing out; pages
        with personal data are not cached."""
        response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

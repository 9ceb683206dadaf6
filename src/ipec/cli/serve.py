"""``ipec serve``: run the web application (the pages, and the JSON API under /api/v1)."""

from __future__ import annotations

from typing import Annotated

import typer

from ipec.config import load_settings
from ipec.db import make_engine, require_current

__all__ = ["serve_command"]


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (one per core).")
    ] = 1,
) -> None:
    """Serve the monitoring pages and API (behind HTTPS in production: the session cookie is
    Secure, so browsers send it only over HTTPS, or to 127.0.0.1 and localhost). Settings come
    from IPEC_* variables: IPEC_DATABASE_URL, IPEC_PROFILE, IPEC_SECRET_KEY (required outside
    demo mode, 32 characters or more) and IPEC_DEMO."""
    import uvicorn

    settings = load_settings()  # refuse bad settings here, before any worker starts
    engine = make_engine(settings.database_url)
    try:
        require_current(engine)
    finally:
        engine.dispose()
    uvicorn.run("ipec.web.app:from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="info")  # fmt: skip

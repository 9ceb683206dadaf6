"""``ipec serve``: run the web application (the JSON API under /api/v1)."""

from __future__ import annotations

from typing import Annotated

import typer

from ipec.config import load_settings
from ipec.web import create_app

__all__ = ["serve_command"]


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Serve the monitoring API. Settings come from IPEC_* variables: IPEC_DATABASE_URL,
    IPEC_PROFILE, IPEC_SECRET_KEY (required outside demo mode, 32 characters or more) and
    IPEC_DEMO."""
    import uvicorn

    settings = load_settings()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")

"""``ipec demo``: a synthetic country in a new SQLite database, its accounts, and the server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from ipec.config import load_settings
from ipec.db import make_engine, upgrade
from ipec.errors import DataError
from ipec.monitoring.demo import DEMO_PASSWORD, DemoSize, seed_demo
from ipec.standards import load_profile

__all__ = ["demo_command"]


def demo_command(
    database: Annotated[
        Path, typer.Option("--database", help="The SQLite file to create (must not exist).")
    ] = Path("ipec-demo.db"),
    households: Annotated[
        int, typer.Option("--households", help="Households in the synthetic country.")
    ] = 20_000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API once the data is made.")
    ] = True,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
) -> None:
    """Create a demo database (5 regions, 50 districts, 500 communities, partners, households,
    children, two years of visits, cases, services, referrals, follow-ups), print the demo
    accounts, and serve. Invented data only."""
    if database.exists():
        raise DataError("the demo database already exists", source=str(database),
                        hint="remove it or pass another --database")  # fmt: skip
    if households < 10:
        raise DataError("a demo needs at least 10 households")
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    profile = load_profile("sdg-8.7.1")
    with Console(stderr=True).status("building the demo country", spinner="dots"):
        upgrade(engine)
        with Session(engine) as session, session.begin():
            counts = seed_demo(session, profile, size=DemoSize(households=households),
                               today=datetime.now(UTC).date())  # fmt: skip
    engine.dispose()
    typer.echo(
        f"demo database {database}: {counts['areas']:,} areas, {counts['households']:,} "
        f"households, {counts['children']:,} children, {counts['visits']:,} visits, "
        f"{counts['cases']:,} cases"
    )
    typer.echo(f"accounts (password {DEMO_PASSWORD}): admin, manager, supervisor, monitor, viewer")
    if serve:
        import uvicorn

        from ipec.web import create_app

        settings = load_settings(database_url=url, demo=True)
        uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="info")

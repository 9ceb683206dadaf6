"""``ipec db``: create or upgrade the monitoring database."""

from __future__ import annotations

from typing import Annotated

import typer

from ipec.db import make_engine, upgrade

__all__ = ["DEFAULT_URL", "app"]

DEFAULT_URL = "sqlite:///ipec.db"

app = typer.Typer(help="Create or upgrade the monitoring database.", no_args_is_help=True,
                  rich_markup_mode=None)  # fmt: skip


@app.command("upgrade")
def upgrade_command(
    url: Annotated[
        str,
        typer.Option(
            "--url",
            envvar="IPEC_DATABASE_URL",
            help="Database URL: sqlite:///path.db (the default, embedded) or "
            "postgresql+psycopg://user:password@host/name. Read from IPEC_DATABASE_URL too.",
        ),
    ] = DEFAULT_URL,
) -> None:
    """Bring the database schema up to date (creates every table on an empty database)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    typer.echo(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")

"""``ipec profiles``: list, show and check child labour standards profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipec.standards import load_profile, load_profile_file, shipped_profile_ids
from ipec.standards.loader import profile_text

__all__ = ["app"]

app = typer.Typer(
    help="List, show and check child labour standards profiles.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
def list_profiles() -> None:
    """List the shipped profiles with their version and title."""
    table = Table()
    for column in ("id", "version", "title"):
        table.add_column(column)
    for profile_id in shipped_profile_ids():
        profile = load_profile(profile_id)
        table.add_row(profile.id, profile.version, profile.title)
    Console().print(table)


@app.command("show")
def show_profile(
    profile: Annotated[str, typer.Argument(help="A shipped id or a profile file.")],
) -> None:
    """Print a profile file: its source and every rule choice, with comments."""
    load_profile(profile)
    typer.echo(profile_text(profile))


@app.command("check")
def check_profile(
    path: Annotated[Path, typer.Argument(help="The profile file (.toml).")],
) -> None:
    """Validate a profile file; on a problem, name the key and what is wrong (exit status 1)."""
    profile = load_profile_file(path)
    typer.echo(f"ok: {profile.id} {profile.version}: {profile.title}")

"""The ``ipec`` application and its entry point, which turns library errors into one clean line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ipec import __version__
from ipec.cli import classify as classify_commands
from ipec.cli import db as db_commands
from ipec.cli import demo as demo_commands
from ipec.cli import profiles as profile_commands
from ipec.cli import serve as serve_commands
from ipec.cli import survey as survey_commands
from ipec.cli import users as user_commands
from ipec.cli.survey_replicate import replicate_command
from ipec.errors import IpecError

__all__ = ["app", "run"]

app = typer.Typer(
    name="ipec",
    help=(
        "ipec: measure child labour (ILO/SDG 8.7.1 rules on survey data), act on it child by "
        "child, and prove results."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("classify")(classify_commands.classify_command)
app.command("explain")(classify_commands.explain_command)
app.add_typer(profile_commands.app, name="profiles")
app.add_typer(survey_commands.app, name="survey")
survey_commands.app.command("replicate")(replicate_command)
app.add_typer(db_commands.app, name="db")
app.add_typer(user_commands.app, name="users")
app.command("serve")(serve_commands.serve_command)
app.command("demo")(demo_commands.demo_command)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ipec {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """ipec command line."""


def run(argv: list[str] | None = None) -> int:
    """Run the command line; an IpecError becomes ``error: ...`` on stderr and exit status 1."""
    try:
        app(args=argv, prog_name="ipec")
    except IpecError as error:
        typer.echo(f"error: {error.one_line()}", err=True)
        return 1
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(run())

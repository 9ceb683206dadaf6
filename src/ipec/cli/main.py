"""The ``ipec`` application and its entry point, which turns library errors into one clean line."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from ipec import __version__
from ipec.errors import IpecError

__all__ = ["app", "run"]


@dataclass(frozen=True, slots=True)
class _Lazy:
    """A command imported only when it runs or shows its own help: ``module:attribute`` is a
    command function or a Typer app; ``help`` is its line in ``ipec --help`` (the same as the
    command's own first line: a test holds them equal)."""

    module: str
    attribute: str
    help: str

    def load(self, name: str) -> Any:
        """Import the command and build it as Typer would have under ``name``."""
        found = getattr(importlib.import_module(self.module), self.attribute)
        if isinstance(found, typer.Typer):
            holder = typer.Typer(rich_markup_mode=None)
            holder.add_typer(found, name=name)
            group = typer.main.get_command(holder)
            assert isinstance(group, TyperGroup)
            return group.commands[name]
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name)(found)
        return typer.main.get_command(single)


#: Every command, in the order ``ipec --help`` lists them. Nothing of a command is imported
#: until it is used, so ``ipec --version`` starts without the survey stack or the database.
LAZY_COMMANDS: dict[str, _Lazy] = {
    "classify": _Lazy(
        "ipec.cli.classify",
        "classify_command",
        "Classify every child in INPUT_FILE under a profile and write the verdicts to OUTPUT.",
    ),
    "explain": _Lazy(
        "ipec.cli.classify",
        "explain_command",
        "Classify one child and explain, in plain language, which rules fired and why.",
    ),
    "serve": _Lazy(
        "ipec.cli.serve",
        "serve_command",
        "Serve the monitoring pages and API (behind HTTPS in production: the session cookie "
        "is Secure, so browsers send it only over HTTPS, or to 127.0.0.1 and localhost).",
    ),
    "demo": _Lazy(
        "ipec.cli.demo",
        "demo_command",
        "Create a demo database (5 regions, 50 districts, 500 communities, partners, "
        "households, children, two years of visits, cases, services, referrals, follow-ups), "
        "print the demo accounts, and serve.",
    ),
    "profiles": _Lazy(
        "ipec.cli.profiles", "app", "List, show and check child labour standards profiles."
    ),
    "survey": _Lazy(
        "ipec.cli.survey_app",
        "app",
        "Situational analysis: survey microdata to SDG 8.7.1 and MICS-style estimates.",
    ),
    "db": _Lazy("ipec.cli.db", "app", "Create or upgrade the monitoring database."),
    "areas": _Lazy(
        "ipec.cli.areas",
        "app",
        "Import and list the administrative areas (the hierarchy every record hangs on).",
    ),
    "users": _Lazy("ipec.cli.users", "app", "Manage the users of the monitoring system."),
    "reminders": _Lazy(
        "ipec.cli.reminders", "app", "Send the reminders digest by e-mail (for cron)."
    ),
    "forms": _Lazy(
        "ipec.cli.forms",
        "app",
        "XLSForms for ODK and KoboToolbox, and the entity list of children due.",
    ),
    "import": _Lazy(
        "ipec.cli.imports",
        "app",
        "Import submissions of ODK Central and KoboToolbox, and existing registers.",
    ),
    "duplicates": _Lazy(
        "ipec.cli.duplicates",
        "duplicates_command",
        "List children of the user's areas that may be registered twice, with a score and "
        "the fields that agree (probabilistic record linkage; see docs/forms.md).",
    ),
}


def _shortened(text: str, limit: int) -> str:
    """The help line cut where a loaded command's own short help would be cut."""
    shortened: str = TyperCommand(name="help", help=text).get_short_help_str(limit)
    return shortened


class _LazyGroup(TyperGroup):
    """The top-level group: commands come from :data:`LAZY_COMMANDS` when first asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        loaded = super().list_commands(ctx)
        return [*loaded, *(name for name in LAZY_COMMANDS if name not in loaded)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            self.add_command(LAZY_COMMANDS[cmd_name].load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        limit = formatter.width - 6 - max(len(name) for name in LAZY_COMMANDS)
        rows = [(name, _shortened(lazy.help, limit)) for name, lazy in LAZY_COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="ipec",
    cls=_LazyGroup,
    help=(
        "ipec: measure child labour (ILO/SDG 8.7.1 rules on survey data), act on it child by "
        "child, and prove results."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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

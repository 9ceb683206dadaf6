"""``ipec import``: bring in what the field collected and the registers that exist, through
the pages' own rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from ipec.cli.db import DEFAULT_URL
from ipec.db import make_engine
from ipec.errors import DataError

__all__ = ["app"]

app = typer.Typer(
    help="Import submissions of ODK Central and KoboToolbox, and existing registers.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("submissions")
def submissions_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="ODK Central's CSV export (.zip, or its main .csv), KoboToolbox's .xlsx, "
            ".csv or .json export, or XML instances (a folder, a .zip or one .xml), of a "
            "form made by ipec forms xlsform.",
        ),
    ],
    user: Annotated[
        str, typer.Option("--user", help="The user the import acts as (scope and audit).")
    ],
    profile_id: Annotated[
        str,
        typer.Option("--profile", "-p", envvar="IPEC_PROFILE", help="The programme's profile."),
    ] = "sdg-8.7.1",
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check every submission as the import would; write nothing."
        ),
    ] = False,
    url: Annotated[
        str, typer.Option("--url", envvar="IPEC_DATABASE_URL", help="Database URL.")
    ] = DEFAULT_URL,
) -> None:
    """Import FILE's submissions as USER: each whole or not at all, each once (by
    instanceID), every refused one named with its row, field and reason."""
    from ipec.forms.exports import read_submissions
    from ipec.forms.importer import import_submissions
    from ipec.forms.people import principal_named
    from ipec.standards import load_profile

    profile = load_profile(profile_id)
    submissions = read_submissions(file)
    engine = make_engine(url, write_transactions=True)
    try:
        with Session(engine) as session:
            principal = principal_named(session, user)
            with typer.progressbar(length=len(submissions), label="importing") as bar:
                report = import_submissions(
                    session,
                    submissions,
                    principal=principal,
                    profile=profile,
                    checkpoint=None if dry_run else session.commit,
                    progress=lambda _: bar.update(1),
                )
            if dry_run:
                session.rollback()
    finally:
        engine.dispose()
    for rejection in report.rejected:
        typer.echo(rejection.line(), err=True)
    refused = len({(item.source, item.row) for item in report.rejected})
    done = " (checked, nothing written)" if dry_run else ""
    typer.echo(
        f"{file.name}{done}: {report.new} new, {report.unchanged} unchanged, {refused} refused"
    )
    if refused:
        raise DataError(
            f"{refused} submissions refused (each is named above); the others were imported",
            source=file.name,
            hint="correct them in the form or the export and import the file "
            "again: those imported are not imported twice",
        )


@app.command("register")
def register_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv or .xlsx register, one row per child (see docs/forms.md).",
            dir_okay=False,
        ),
    ],
    user: Annotated[
        str, typer.Option("--user", help="The user the import acts as (scope and audit).")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="A TOML file naming the register's columns and codes."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and say its fate; write nothing.")
    ] = False,
    url: Annotated[
        str, typer.Option("--url", envvar="IPEC_DATABASE_URL", help="Database URL.")
    ] = DEFAULT_URL,
) -> None:
    """Register FILE's households and children as USER: each household whole or not at
    all, those already registered left as they are, every row's fate printed."""
    from ipec.forms.people import principal_named
    from ipec.forms.register import import_register, read_mapping, read_register

    rows = read_register(file, read_mapping(mapping) if mapping else None)
    engine = make_engine(url, write_transactions=True)
    try:
        with Session(engine) as session:
            principal = principal_named(session, user)
            report = import_register(
                session, rows, principal=principal, source=file.name, dry_run=dry_run
            )
            session.commit()
    finally:
        engine.dispose()
    for fate in report.fates:
        typer.echo(fate.line(file.name), err=fate.outcome == "refused")
    done = "checked (nothing written)" if dry_run else "imported"
    typer.echo(
        f"{done} {file.name}: {report.new} households new ({report.children} children), "
        f"{report.existing} already registered, {report.refused} refused"
    )
    if report.refused:
        raise DataError(
            f"{report.refused} households refused (their rows are named above)",
            source=file.name,
            hint="correct them and import the file again: "
            "households already registered are not registered twice",
        )

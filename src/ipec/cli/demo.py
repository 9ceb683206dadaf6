"""``ipec demo``: a synthetic country in a new database, its accounts, and the server."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ipec.config import Settings, load_settings
from ipec.db import make_engine, upgrade
from ipec.demo import DEMO_PARTNER, DEMO_PASSWORD, DEMO_PROFILE, DemoSize, seed_database
from ipec.errors import DataError
from ipec.monitoring.schedule import rule_of
from ipec.standards import load_profile

__all__ = ["demo_command"]

DEFAULT_DATABASE = Path("ipec-demo.db")
DEFAULT_HOUSEHOLDS = 20_000


def _size(households: int | None, children: int | None, visits_per_child: int) -> DemoSize:
    if households is not None and children is not None:
        raise DataError("give --households or --children, not both")
    if children is not None:
        if children < 25:
            raise DataError("a demo needs at least 25 children")
        return DemoSize.for_children(children, visits_per_child=visits_per_child)
    count = DEFAULT_HOUSEHOLDS if households is None else households
    if count < 10:
        raise DataError("a demo needs at least 10 households")
    return DemoSize(households=count, visits_per_child=visits_per_child)


def _target(database: Path | None, database_url: str | None) -> tuple[str, Path | None]:
    """The URL to seed, and the SQLite file this command creates (removed if seeding fails)."""
    if database_url is not None:
        if database is not None:
            raise DataError("give --database or --database-url, not both")
        return database_url, None
    path = DEFAULT_DATABASE if database is None else database
    if path.exists():
        raise DataError("the demo database already exists", source=str(path),
                        hint="remove it or pass another --database")  # fmt: skip
    return f"sqlite:///{path}", path


def demo_command(
    database: Annotated[
        Path | None,
        typer.Option(
            "--database",
            help=f"The SQLite file to create (must not exist; default {DEFAULT_DATABASE}).",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Seed this database instead of a new SQLite file, e.g. "
            "postgresql+psycopg://user:password@host/name. It must be empty (the schema is "
            "created or upgraded first).",
        ),
    ] = None,
    households: Annotated[
        int | None,
        typer.Option(
            "--households",
            help=f"Households in the synthetic country (default {DEFAULT_HOUSEHOLDS:,}: about "
            "50,000 children).",
        ),
    ] = None,
    children: Annotated[
        int | None,
        typer.Option(
            "--children",
            help="About this many children instead (2.5 a household on average): "
            "--children 1000000 --visits-per-child 3 gives a million children and three "
            "million visits.",
        ),
    ] = None,
    visits_per_child: Annotated[
        int,
        typer.Option(
            "--visits-per-child",
            min=1,
            max=12,
            help="Monitoring rounds of each household over the two years (a child in a case "
            "is seen at its follow-ups instead): about this many visits per child.",
        ),
    ] = 2,
    today: Annotated[
        datetime | None,
        typer.Option(
            "--today",
            formats=["%Y-%m-%d"],
            help="The day the two years of history end (YYYY-MM-DD; default: today, UTC). "
            "The same size and day always give the same data.",
        ),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve", help="Serve the pages and the API once the data is made."
        ),
    ] = True,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
) -> None:
    """Create a demo database (5 regions, 50 districts, 500 communities, partners, households,
    children, two years of visits, cases, services, referrals, follow-ups), print the demo
    accounts, and serve. Invented data only.

    The two years end today (or --today); visits are classified under the cocoa sector's
    hazardous-work list (profile cocoa-ci-2017), which the demo server uses too. A new
    SQLite file by default, or an empty database at --database-url (PostgreSQL for load
    tests: --children 1000000 --visits-per-child 3 takes a few minutes)."""
    size = _size(households, children, visits_per_child)
    url, created = _target(database, database_url)
    engine = make_engine(url)
    shown = str(created) if created else engine.url.render_as_string(hide_password=True)
    profile = load_profile(DEMO_PROFILE)
    day: date = today.date() if today is not None else datetime.now(UTC).date()
    console = Console(stderr=True)
    try:
        with console.status("creating the schema", spinner="dots"):
            upgrade(engine)
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("households"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("building the demo country", total=size.households)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)
                if done == total:
                    progress.update(task, description="indexing and committing")

            counts = seed_database(engine, profile, size=size, today=day, progress=advance,
                                   rule=rule_of(Settings(demo=True)))  # fmt: skip
    except BaseException:
        engine.dispose()
        if created is not None:
            for leftover in (created, *(Path(f"{created}{end}") for end in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        raise
    engine.dispose()
    typer.echo(
        f"demo database {shown}: {counts['areas']:,} areas, {counts['households']:,} "
        f"households, {counts['children']:,} children, {counts['visits']:,} visits, "
        f"{counts['cases']:,} cases ({counts['case_events']:,} steps), "
        f"{counts['services']:,} services, {counts['referrals']:,} referrals, "
        f"{counts['follow_ups']:,} follow-ups, up to {day.isoformat()}"
    )
    typer.echo(f"accounts (password {DEMO_PASSWORD}): admin, manager, supervisor, monitor, "
               f"viewer, partner (a user of the {DEMO_PARTNER})")  # fmt: skip
    if serve:
        import uvicorn

        from ipec.web import create_app

        settings = load_settings(database_url=url, demo=True, profile=DEMO_PROFILE)
        typer.echo(f"open http://127.0.0.1:{port}/ in a browser and sign in (Ctrl-C stops)")
        uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="info")

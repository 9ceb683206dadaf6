"""``ipec areas``: import the hierarchy of administrative areas, and list it."""

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
    help="Import and list the administrative areas (the hierarchy every record hangs on).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_URL = typer.Option(
    "--url", envvar="IPEC_DATABASE_URL", help="Database URL (as for ipec db upgrade)."
)


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv or .xlsx file with the columns code, name, level and parent_code, or "
            "a GeoJSON FeatureCollection (.geojson) whose features have those properties.",
            dir_okay=False,
        ),
    ],
    check: Annotated[
        bool, typer.Option("--check", help="Check the file against the database; import nothing.")
    ] = False,
    url: Annotated[str, _URL] = DEFAULT_URL,
) -> None:
    """Import areas from FILE: all of it, or nothing with every bad row named."""
    from ipec.monitoring.areas import AreaFileRefused, import_areas, read_area_file

    area_file = read_area_file(file)
    engine = make_engine(url, write_transactions=True)
    try:
        with Session(engine) as session, session.begin():
            summary = import_areas(session, area_file, actor="cli", check_only=check)
    except AreaFileRefused as refused:
        for line in refused.lines:
            typer.echo(f"{area_file.source}: {line}", err=True)
        count = len({problem.number for problem in refused.problems})
        unit = area_file.unit if count == 1 else f"{area_file.unit}s"
        raise DataError(f"{count} bad {unit} (each is named above): nothing imported",
                        source=area_file.source, hint=refused.hint) from None  # fmt: skip
    finally:
        engine.dispose()
    done = "checked (nothing imported)" if check else "imported"
    typer.echo(f"{done} {summary.source}: {summary.created} areas new, {summary.updated} "
               f"changed, {summary.unchanged} unchanged")  # fmt: skip


@app.command("list")
def list_command(
    under: Annotated[
        str | None, typer.Option("--under", help="Only the subtree of the area with this code.")
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option("--depth", min=0, help="Levels shown below the first (0: that one only)."),
    ] = None,
    url: Annotated[str, _URL] = DEFAULT_URL,
) -> None:
    """Print the areas as a tree: code, name, level, and the areas, households and children
    each holds."""
    from ipec.monitoring.areas import area_tree

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            nodes = area_tree(session, under=under, depth=depth)
    finally:
        engine.dispose()
    if not nodes:
        typer.echo("no areas yet: ipec areas import FILE adds them")
    for node in nodes:
        typer.echo(f"{'  ' * node.depth}{node.code or '-'}  {node.name} ({node.level}): "
                   f"{node.areas_below} areas below, {node.households} households, "
                   f"{node.children} children")  # fmt: skip


@app.command("estimates")
def estimates_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="The output of ipec survey small-area (.csv or .parquet), run with "
            "--population-column: one row per area code.",
            dir_okay=False,
        ),
    ],
    url: Annotated[str, _URL] = DEFAULT_URL,
) -> None:
    """Keep survey estimates of child labour on the areas (by code), for the coverage of need:
    all of FILE or nothing, every bad row named; an area's earlier estimate is replaced."""
    from ipec.need.estimates import import_estimates, read_estimates

    frame = read_estimates(file)
    engine = make_engine(url, write_transactions=True)
    try:
        with Session(engine) as session, session.begin():
            done = import_estimates(session, frame, source=file.name, actor="cli")
    finally:
        engine.dispose()
    typer.echo(f"imported {done.source}: {done.indicator} estimates of {done.areas} areas "
               f"({done.replaced} replaced)")  # fmt: skip

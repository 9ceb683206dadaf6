"""``ipec users``: create the people who sign in to the monitoring system."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.cli.db import DEFAULT_URL
from ipec.db import make_engine
from ipec.errors import DataError
from ipec.monitoring.areas import area_by_code

__all__ = ["app"]

app = typer.Typer(help="Manage the users of the monitoring system.", no_args_is_help=True,
                  rich_markup_mode=None)  # fmt: skip
_ROLES = tuple(role.value for role in Role)


@app.command("create")
def create_command(
    username: Annotated[str, typer.Option("--username", help="The sign-in name (unique).")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(_ROLES)}.")],
    area_id: Annotated[
        int | None, typer.Option("--area-id", help="The area whose subtree the user may see.")
    ] = None,
    area_code: Annotated[
        str | None,
        typer.Option("--area-code", help="The same area by its code (instead of --area-id)."),
    ] = None,
    display_name: Annotated[
        str, typer.Option("--name", help="The person's name as shown in pages.")
    ] = "",
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 10 characters; asked for (hidden) when not given.",
        ),
    ] = "",
    url: Annotated[
        str, typer.Option("--url", envvar="IPEC_DATABASE_URL", help="Database URL.")
    ] = DEFAULT_URL,
) -> None:
    """Create a user with a role (what they may do) and an area (where); an administrator
    without an area administers the whole programme."""
    if role not in _ROLES:
        raise DataError(f"--role '{role}' is not one of {', '.join(_ROLES)}")
    if area_id is not None and area_code is not None:
        raise DataError("give --area-id or --area-code, not both")
    if area_id is None and area_code is None and role != Role.ADMIN.value:
        raise DataError(
            f"a {role} needs an area: give --area-id or --area-code (only an administrator "
            "may have none, and administer the whole programme)"
        )
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            if area_code is not None:
                area_id = area_by_code(session, area_code).id
            user = create_user(session, username=username, display_name=display_name or username,
                               password=password, role=Role(role), area_id=area_id)  # fmt: skip
            name, role_name = user.username, user.role.value
    finally:
        engine.dispose()
    where = " of the whole programme (every area)" if area_id is None else f" of area {area_id}"
    typer.echo(f"created {role_name} {name}{where}")

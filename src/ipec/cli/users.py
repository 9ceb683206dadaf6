"""``ipec users``: create the people who sign in to the monitoring system."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.cli.db import DEFAULT_URL
from ipec.db import make_engine
from ipec.errors import DataError, NotFound
from ipec.monitoring.areas import area_by_code
from ipec.monitoring.models import Partner

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
    partner: Annotated[
        str | None,
        typer.Option(
            "--partner",
            help="For --role partner (instead of an area): the partner organisation, by name "
            "or id; the user sees only the referrals sent to it.",
        ),
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
    without an area administers the whole programme; a partner user has a partner
    (--partner) instead of an area."""
    if role not in _ROLES:
        raise DataError(f"--role '{role}' is not one of {', '.join(_ROLES)}")
    if area_id is not None and area_code is not None:
        raise DataError("give --area-id or --area-code, not both")
    if (partner is not None) != (role == Role.PARTNER.value):
        raise DataError("--partner goes with --role partner, and a partner user needs it")
    if role == Role.PARTNER.value and (area_id is not None or area_code is not None):
        raise DataError("a partner user has no area: give --partner only")
    if area_id is None and area_code is None and role not in (Role.ADMIN, Role.PARTNER):
        raise DataError(
            f"a {role} needs an area: give --area-id or --area-code (only an administrator "
            "may have none, and administer the whole programme)"
        )
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            if area_code is not None:
                area_id = area_by_code(session, area_code).id
            partner_id = _partner_id(session, partner) if partner is not None else None
            user = create_user(session, username=username, display_name=display_name or username,
                               password=password, role=Role(role), area_id=area_id,
                               partner_id=partner_id)  # fmt: skip
            name, role_name = user.username, user.role.value
    finally:
        engine.dispose()
    if partner is not None:
        where = f" of partner {partner} (the referrals sent to it)"
    elif area_id is None:
        where = " of the whole programme (every area)"
    else:
        where = f" of area {area_id}"
    typer.echo(f"created {role_name} {name}{where}")


def _partner_id(session: Session, partner: str) -> int:
    """The partner named (exactly), or whose id this is."""
    query = select(Partner.id).where(Partner.name == partner.strip())
    if partner.strip().isdigit():
        query = select(Partner.id).where(Partner.id == int(partner.strip()))
    found = session.scalar(query)
    if found is None:
        raise NotFound(f"--partner: no partner named or numbered '{partner.strip()}'",
                       hint="ipec's partner page lists them")  # fmt: skip
    return found

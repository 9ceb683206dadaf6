"""``ipec forms``: the XLSForms of the programme for ODK Collect and KoboCollect, and the
entity list of children due for a follow-up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from ipec.cli.db import DEFAULT_URL
from ipec.db import make_engine
from ipec.errors import DataError

__all__ = ["app"]

app = typer.Typer(
    help="XLSForms for ODK and KoboToolbox, and the entity list of children due.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_URL = typer.Option(
    "--url", envvar="IPEC_DATABASE_URL", help="Database URL (as for ipec db upgrade)."
)
_PROFILE = typer.Option(
    "--profile", "-p", envvar="IPEC_PROFILE", help="The programme's profile (id or file)."
)


@app.command("xlsform")
def xlsform_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx to write.")],
    kind: Annotated[
        str, typer.Option("--kind", help="registration, visit or follow-up.")
    ] = "visit",
    user: Annotated[
        str | None,
        typer.Option("--user", help="List only this user's areas (default: every area)."),
    ] = None,
    xform: Annotated[
        Path | None,
        typer.Option("--xform", help="Also write the XForm (XML) pyxform makes of it here."),
    ] = None,
    profile_id: Annotated[str, _PROFILE] = "sdg-8.7.1",
    url: Annotated[str, _URL] = DEFAULT_URL,
) -> None:
    """Write the XLSForm of KIND: the visit page's questions for the profile, consent
    first, the areas as cascading choices, labels in English and French."""
    from ipec.forms.people import areas_under, principal_named
    from ipec.forms.xlsform import FormKind, build_xlsform, to_xform, write_xlsform
    from ipec.standards import load_profile
    from ipec.web.pages.i18n import LANGUAGES, load_translations

    try:
        form_kind = FormKind(kind)
    except ValueError:
        raise DataError(f"--kind {kind!r} is not registration, visit or follow-up") from None
    if output.suffix.lower() != ".xlsx":
        raise DataError(f"{output.name}: an XLSForm is an .xlsx file", hint="end -o with .xlsx")
    profile = load_profile(profile_id)
    translations = load_translations()
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            path = principal_named(session, user).scope_path if user else "/"
            areas = areas_under(session, path)
    finally:
        engine.dispose()
    form = build_xlsform(
        form_kind,
        profile,
        areas,
        languages=LANGUAGES,
        translate=lambda message, code: translations[code].gettext(message),
    )
    write_xlsform(form, output)
    converted = to_xform(output)  # checked as ODK Central and KoboToolbox will check it
    if xform is not None:
        xform.write_text(converted, encoding="utf-8")
    typer.echo(
        f"wrote {output} ({form.settings['form_id']}, version "
        f"{form.settings['version']}, {len(form.survey)} rows, {len(areas)} areas)"
    )


@app.command("entities")
def entities_command(
    user: Annotated[str, typer.Option("--user", help="The monitor whose areas are listed.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The CSV to write (children_due.csv).")
    ] = Path("children_due.csv"),
    days: Annotated[
        int, typer.Option("--days", min=0, help="Follow-ups due up to this many days ahead.")
    ] = 31,
    url: Annotated[str, _URL] = DEFAULT_URL,
) -> None:
    """Write the entity list of children due for a follow-up in the user's areas (each
    child once, overdue ones included), to attach to the follow-up form."""
    from ipec.forms.entities import children_due, entity_csv
    from ipec.forms.people import principal_named

    engine = make_engine(url, write_transactions=True)
    try:
        with Session(engine) as session, session.begin():
            principal = principal_named(session, user)
            due = children_due(session, principal, today=datetime.now(UTC).date(), days_ahead=days)
    finally:
        engine.dispose()
    output.write_text(entity_csv(due), encoding="utf-8")
    typer.echo(f"wrote {output}: {len(due)} children due")

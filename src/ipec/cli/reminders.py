"""``ipec reminders``: the e-mail digest of what needs each user, for cron."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from ipec.cli.db import DEFAULT_URL
from ipec.config import Settings
from ipec.db import make_engine
from ipec.errors import DataError
from ipec.monitoring.digest import send_digests

__all__ = ["app"]

app = typer.Typer(help="Send the reminders digest by e-mail (for cron).", no_args_is_help=True,
                  rich_markup_mode=None)  # fmt: skip


@app.command("send")
def send_command(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Compose the digests and print them; send nothing."),
    ] = False,
    day: Annotated[
        str | None, typer.Option("--today", help="The day the digests are for (YYYY-MM-DD).")
    ] = None,
    url: Annotated[
        str, typer.Option("--url", envvar="IPEC_DATABASE_URL", help="Database URL.")
    ] = DEFAULT_URL,
) -> None:
    """Send each user who asked for the digest (on the reminders page) what needs them:
    follow-ups overdue and due this week, referrals awaiting their answer, requests awaiting
    their approval; users with nothing waiting get nothing. The SMTP server comes from the
    environment (IPEC_SMTP_HOST, IPEC_SMTP_PORT, IPEC_SMTP_STARTTLS, IPEC_SMTP_USERNAME,
    IPEC_SMTP_PASSWORD, IPEC_SMTP_SENDER; IPEC_PUBLIC_URL for the link); without
    IPEC_SMTP_HOST nothing is sent and the command fails saying so. Run it once a day, e.g.
    from cron: 0 6 * * * ipec reminders send."""
    try:
        today = date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError:
        raise DataError(f"--today {day!r} is not a date", hint="give it as YYYY-MM-DD") from None
    settings = Settings(database_url=url)
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            report = send_digests(session, settings, today, dry_run=dry_run)
    finally:
        engine.dispose()
    if dry_run:
        for message in report.messages:
            typer.echo(f"To: {message['To']}\nSubject: {message['Subject']}\n")
            typer.echo(message.get_content())
    verb = "composed (dry run, nothing sent)" if dry_run else "sent"
    typer.echo(f"{len(report.sent)} digests {verb}; {report.nothing_waiting} users had nothing "
               "waiting")  # fmt: skip

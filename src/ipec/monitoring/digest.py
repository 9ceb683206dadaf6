"""The reminders digest by e-mail: to each active user who asked for it
(``ipec.monitoring.reminders.set_digest``) and has something waiting, one message listing
their reminders (:func:`ipec.monitoring.reminders.reminders_for`, read as that user, so
scoped and audited as the page is), through the SMTP server of the settings.

Nothing is sent when no server is set (``IPEC_SMTP_HOST``): :func:`send_digests` refuses
with a ``ConfigurationError`` naming the setting (a dry run composes without sending). A
password is never sent without STARTTLS. The message carries pseudonyms, due dates and
counts, never a child's name: e-mail leaves the system's access control, so it holds no more
than what is needed to open the page. Run from cron by ``ipec reminders send``.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import principal_of
from ipec.auth.models import User
from ipec.config import Settings
from ipec.errors import ConfigurationError
from ipec.monitoring.audit import write_audit
from ipec.monitoring.reminders import Reminders, reminders_for

__all__ = ["DigestReport", "compose", "send_digests"]

#: Who the audit log says sent the digests, and where from.
SENDER_ACTOR = "ipec reminders"
_ORIGIN = "cli:reminders"


@dataclass(slots=True)
class DigestReport:
    """What a run did: the users written to, and how many had nothing waiting."""

    sent: list[str] = field(default_factory=list)
    nothing_waiting: int = 0
    messages: list[EmailMessage] = field(default_factory=list)


def _lines(reminders: Reminders, link: str) -> list[str]:
    today = reminders.today
    lines = [f"What needs you in ipec on {today.isoformat()}:", ""]
    if reminders.overdue:
        lines.append(f"Overdue follow-up visits ({len(reminders.overdue)}):")
        lines += [f"  - {row.Child.pseudonym}, due {row.FollowUp.due_on.isoformat()} "
                  f"({(today - row.FollowUp.due_on).days} days late)"
                  for row in reminders.overdue]  # fmt: skip
    if reminders.due:
        lines.append(f"Follow-up visits due this week ({len(reminders.due)}):")
        lines += [f"  - {row.Child.pseudonym}, due {row.FollowUp.due_on.isoformat()}"
                  for row in reminders.due]  # fmt: skip
    if reminders.more_follow_ups:
        lines.append("  ... and more: see your week.")
    if reminders.referrals:
        lines.append(f"Referrals awaiting your answer ({len(reminders.referrals)}):")
        lines += [f"  - referral {row.Referral.id}, sent {row.Referral.sent_on.isoformat()}, "
                  f"{row.Referral.status.value}" for row in reminders.referrals]  # fmt: skip
    if reminders.approvals_waiting:
        lines.append(f"Requests awaiting your approval: {reminders.approvals_waiting}")
        lines += [f"  - {row.Approval.kind.value} of case {row.Case.id} "
                  f"({row.Child.pseudonym}), asked {row.Approval.requested_at.date().isoformat()}"
                  for row in reminders.approvals]  # fmt: skip
    lines += ["", f"Open ipec: {link}" if link else "Open ipec to see the details.", "",
              "You receive this because you asked for a daily digest; turn it off on the "
              "reminders page."]  # fmt: skip
    return lines


def compose(
    user: User, reminders: Reminders, *, sender: str, public_url: str | None
) -> EmailMessage:
    """The digest message to ``user`` (plain text, English)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = user.email or ""
    day = reminders.today.isoformat()
    message["Subject"] = f"ipec: what needs you on {day} ({reminders.count})"
    link = f"{public_url.rstrip('/')}/reminders" if public_url else ""
    message.set_content("\n".join([f"Hello {user.display_name},", "", *_lines(reminders, link)]))
    return message


def _check(settings: Settings) -> tuple[str, str]:
    """The server and the sender, or a ``ConfigurationError`` naming what is missing."""
    if not settings.smtp_host:
        raise ConfigurationError("no SMTP server is set: no e-mail is sent",
                                 hint="set IPEC_SMTP_HOST (and IPEC_SMTP_SENDER)")  # fmt: skip
    if not settings.smtp_sender:
        raise ConfigurationError("the digests have no sender address",
                                 hint="set IPEC_SMTP_SENDER")  # fmt: skip
    if settings.smtp_username and not settings.smtp_starttls:
        raise ConfigurationError("signing in to the SMTP server without STARTTLS would send "
                                 "the password in clear",
                                 hint="set IPEC_SMTP_STARTTLS=1, or no username")  # fmt: skip
    return settings.smtp_host, settings.smtp_sender


def send_digests(
    session: Session, settings: Settings, today: date, *, dry_run: bool = False,
    connect: Callable[..., Any] = smtplib.SMTP,
) -> DigestReport:  # fmt: skip
    """Send each user who asked for it their digest (those with nothing waiting get none);
    ``dry_run``: compose them and send nothing (no server needed). Each message sent is
    audited (``reminders.digest``, on the user, with its counts); the caller commits."""
    if dry_run:
        host, sender = "", settings.smtp_sender or "ipec@localhost"
    else:
        host, sender = _check(settings)
    report = DigestReport()
    users = session.scalars(
        select(User).where(User.active.is_(True), User.email_digest.is_(True),
                           User.email.is_not(None)).order_by(User.id)
    ).all()  # fmt: skip
    for user in users:
        found = reminders_for(session, principal_of(session, user), today, origin=_ORIGIN)
        if found.count == 0:
            report.nothing_waiting += 1
            continue
        report.messages.append(compose(user, found, sender=sender,
                                       public_url=settings.public_url))  # fmt: skip
        report.sent.append(user.username)
        write_audit(session, actor=SENDER_ACTOR, action="reminders.digest", entity="user",
                    entity_id=user.id, origin=_ORIGIN,
                    detail={"overdue": len(found.overdue), "due": len(found.due),
                            "referrals": len(found.referrals),
                            "approvals": found.approvals_waiting, "sent": not dry_run})  # fmt: skip
    if dry_run or not report.messages:
        return report
    with connect(host, settings.smtp_port, timeout=30) as server:
        if settings.smtp_starttls:
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            server.login(settings.smtp_username, settings.smtp_password or "")
        for message in report.messages:
            server.send_message(message)
    return report

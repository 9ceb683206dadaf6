"""What needs me, and the e-mail digest (SQLite and PostgreSQL): a monitor's overdue and due
follow-ups, a supervisor's requests awaiting approval, the digest sent through a local SMTP
server (aiosmtpd) to the users who asked for it and only them, never without a server, and
bad addresses refused naming the field. Worked by hand from the dates (today 10 June 2026)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.config import Settings
from ipec.errors import ConfigurationError, DataError
from ipec.monitoring import AuditEntry, Case, CaseStatus
from ipec.monitoring.approvals import add_plan_action, request_approval
from ipec.monitoring.digest import send_digests
from ipec.monitoring.models import ServiceType
from ipec.monitoring.reminders import reminders_for, set_digest
from ipec.monitoring.service import assign_area_monitor
from tests.monitoring import test_week
from tests.monitoring.test_week import TODAY, World, _case

#: The week's areas and users (country > D (C1, C2), E; m1, m2, sup, me, view, admin).
world = test_week.world


class _Inbox:
    """An aiosmtpd handler keeping every message received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    """A local SMTP server on a free port of 127.0.0.1 (no TLS)."""
    with socket.socket() as probe:  # a port free now (aiosmtpd checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _settings(port: int, **more: Any) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                    smtp_sender="ipec@example.org", public_url="https://ipec.example.org",
                    **more)  # fmt: skip


def _prepare(session: Session, world: World) -> None:
    """m1 monitors C1: Abena's follow-up 3 days overdue, Kofi's due in 2 days and in 40;
    Yaw's of a closed case; a plan of Ama's case in C2 waits for a supervisor's decision."""
    a, u = world.areas, world.users
    assign_area_monitor(session, area_id=a["C1"].id, user_id=u["m1"], actor="sup")
    _case(session, a["C1"], "Abena", -3)
    _case(session, a["C1"], "Kofi", 2, 40)
    _case(session, a["C1"], "Yaw", 1, status=CaseStatus.CLOSED)
    _, (due,) = _case(session, a["C2"], "Ama", 10, status=CaseStatus.IDENTIFIED)
    case = session.get_one(Case, due.case_id)
    add_plan_action(session, case=case, service=ServiceType.SCHOOL_KIT, due_on=TODAY,
                    responsible_user_id=u["m2"], responsible_partner_id=None,
                    actor="m2")  # fmt: skip
    request_approval(session, case=case, expected_version=case.version, kind="plan",
                     note="kit before term", actor="m2")  # fmt: skip


def test_what_needs_a_monitor_and_a_supervisor(session: Session, world: World) -> None:
    _prepare(session, world)
    mine = reminders_for(session, world.principal(session, "m1"), TODAY)
    assert [(r.Child.name, r.FollowUp.due_on) for r in mine.overdue] == [
        ("Abena", date(2026, 6, 7))
    ]
    assert [(r.Child.name, r.FollowUp.due_on) for r in mine.due] == [("Kofi", date(2026, 6, 12))]
    assert (mine.approvals_waiting, mine.count) == (0, 2)
    theirs = reminders_for(session, world.principal(session, "sup"), TODAY)
    assert (theirs.overdue, theirs.due) == ([], [])  # nothing assigned to the supervisor
    assert theirs.approvals_waiting == 1
    assert [row.Child.name for row in theirs.approvals] == ["Ama"]
    # another district's supervisor would not see it: the monitor of E has nothing at all
    assert reminders_for(session, world.principal(session, "me"), TODAY).count == 0
    logged = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "sup")).all()
    assert "approval.queue" in logged
    # a bad address is refused naming it, and nothing changes
    for email, enabled in (("not an address", True), ("", True), ("a@b", False),
                           ("x" * 250 + "@b.org", False)):  # fmt: skip
        with pytest.raises(DataError) as refused:
            set_digest(session, user_id=world.users["m1"], email=email, enabled=enabled,
                       actor="m1")  # fmt: skip
        assert refused.value.column == "email"
    user = session.get_one(User, world.users["m1"])
    assert (user.email, user.email_digest) == (None, False)


def test_the_digest_goes_to_those_who_asked(session: Session, world: World,
                                            smtp: tuple[_Inbox, int]) -> None:  # fmt: skip
    inbox, port = smtp
    _prepare(session, world)
    u = world.users
    set_digest(session, user_id=u["m1"], email="m1@example.org", enabled=True, actor="m1")
    set_digest(session, user_id=u["sup"], email="sup@example.org", enabled=True, actor="sup")
    set_digest(session, user_id=u["me"], email="me@example.org", enabled=True, actor="me")
    set_digest(session, user_id=u["m2"], email="m2@example.org", enabled=False, actor="m2")
    report = send_digests(session, _settings(port), TODAY)
    # "me" has nothing waiting; m2 did not ask
    assert (report.sent, report.nothing_waiting) == (["m1", "sup"], 1)
    assert [(sender, to) for sender, to, _ in inbox.received] == [
        ("ipec@example.org", ["m1@example.org"]), ("ipec@example.org", ["sup@example.org"])
    ]  # fmt: skip
    first = inbox.received[0][2]
    assert first["Subject"] == "ipec: what needs you on 2026-06-10 (2)"
    body = first.get_payload()
    assert "Overdue follow-up visits (1):" in body
    assert "due 2026-06-07 (3 days late)" in body
    assert "Follow-up visits due this week (1):" in body
    assert "https://ipec.example.org/reminders" in body
    assert "Abena" not in body  # pseudonyms only
    assert "Kofi" not in body
    assert "Requests awaiting your approval: 1" in inbox.received[1][2].get_payload()
    sent = session.scalars(select(AuditEntry).where(AuditEntry.action == "reminders.digest")).all()
    assert sorted(entry.entity_id for entry in sent) == sorted([u["m1"], u["sup"]])
    # never without a server, nor a password in clear; a dry run sends nothing
    received = len(inbox.received)
    with pytest.raises(ConfigurationError, match="no SMTP server is set"):
        send_digests(session, Settings(), TODAY)
    with pytest.raises(ConfigurationError, match="password in clear"):
        send_digests(session, _settings(port, smtp_username="u", smtp_password="p"), TODAY)
    dry = send_digests(session, Settings(), TODAY, dry_run=True)
    assert dry.sent == ["m1", "sup"]
    assert len(inbox.received) == received

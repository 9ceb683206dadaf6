"""``ipec reminders send`` against a SQLite database and a local SMTP server (aiosmtpd): the
digest of a monitor with an overdue follow-up, a dry run, and no server set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.cli.main import run
from ipec.db import make_engine
from ipec.monitoring import Case, CaseKind, CaseStatus, Sex
from ipec.monitoring.models import FollowUp
from ipec.monitoring.reminders import set_digest
from ipec.monitoring.service import ChildInput, assign_area_monitor, create_area, register_household
from tests.monitoring.test_reminders import _Inbox, smtp  # noqa: F401


def _database(tmp_path: Path) -> str:
    """A monitor of one area who asked for the digest, with a follow-up due 1 June 2026."""
    url = f"sqlite:///{tmp_path / 'ipec.db'}"
    assert run(["db", "upgrade", "--url", url]) == 0
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        area = create_area(session, name="Village", level="community")
        home = register_household(session, area_id=area.id, head_name="Head", actor="a",
                                  children=[ChildInput("Ama", Sex.FEMALE, date(2015, 1, 1))],
                                  today=date(2026, 1, 1))  # fmt: skip
        case = Case(child_id=home.children[0].id, kind=CaseKind.CHILD_LABOUR,
                    status=CaseStatus.IN_REMEDIATION, opened_on=date(2026, 1, 2))  # fmt: skip
        session.add(case)
        session.flush()
        session.add(FollowUp(case_id=case.id, due_on=date(2026, 6, 1)))
        user = create_user(session, username="ama_m", display_name="Ama M",
                           password="a long enough password", role=Role.MONITOR,
                           area_id=area.id)  # fmt: skip
        assign_area_monitor(session, area_id=area.id, user_id=user.id, actor="a")
        set_digest(session, user_id=user.id, email="m@example.org", enabled=True, actor="a")
    engine.dispose()
    return url


def test_send_dry_run_and_no_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    smtp: tuple[_Inbox, int],  # noqa: F811
) -> None:  # fmt: skip
    inbox, port = smtp
    url = _database(tmp_path)
    for name in ("IPEC_SMTP_HOST", "IPEC_SMTP_SENDER"):
        monkeypatch.delenv(name, raising=False)
    assert run(["reminders", "send", "--url", url, "--today", "2026-06-10"]) == 1
    assert "error: no SMTP server is set: no e-mail is sent" in capsys.readouterr().err
    assert run(["reminders", "send", "--url", url, "--today", "2026-06-10", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "To: m@example.org" in out
    assert "due 2026-06-01 (9 days late)" in out
    assert "1 digests composed (dry run, nothing sent); 0 users had nothing waiting" in out
    assert inbox.received == []
    for name, value in (
        ("IPEC_SMTP_HOST", "127.0.0.1"),
        ("IPEC_SMTP_PORT", str(port)),
        ("IPEC_SMTP_STARTTLS", "0"),
        ("IPEC_SMTP_SENDER", "ipec@example.org"),
    ):
        monkeypatch.setenv(name, value)
    assert run(["reminders", "send", "--url", url, "--today", "2026-06-10"]) == 0
    assert "1 digests sent; 0 users had nothing waiting" in capsys.readouterr().out
    [(sender, to, message)] = inbox.received
    assert (sender, to) == ("ipec@example.org", ["m@example.org"])
    assert message["Subject"] == "ipec: what needs you on 2026-06-10 (1)"
    assert run(["reminders", "send", "--url", url, "--today", "June"]) == 1
    assert "--today 'June' is not a date" in capsys.readouterr().err

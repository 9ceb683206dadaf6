"""``ipec users create`` against a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ipec.auth import authenticate
from ipec.cli.main import run
from ipec.db import make_engine
from ipec.monitoring.service import create_area


def test_create_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ipec.db'}"
    assert run(["db", "upgrade", "--url", url]) == 0
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        area_id = create_area(session, name="Country", level="country").id
    args = ["users", "create", "--url", url, "--username", "Ama", "--role", "supervisor",
            "--area-id", str(area_id), "--password", "a long enough password"]  # fmt: skip
    assert run(args) == 0
    assert "created supervisor ama" in capsys.readouterr().out
    with Session(engine) as session:
        user = authenticate(session, username="ama", password="a long enough password")
        assert user.area_id == area_id
    assert run(args) == 1
    assert "error: a user named ama already exists" in capsys.readouterr().err
    bad_role = [*args[:7], "chief", *args[8:]]
    assert run(bad_role) == 1
    assert "--role 'chief' is not one of admin" in capsys.readouterr().err
    engine.dispose()

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


def test_the_first_administrator_needs_no_area(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty deployment: the administrator of the whole programme comes first, with no
    area; every other role needs one, by id or by code."""
    url = f"sqlite:///{tmp_path / 'ipec.db'}"
    assert run(["db", "upgrade", "--url", url]) == 0
    common = ["users", "create", "--url", url, "--password", "a long enough password"]
    assert run([*common, "--username", "root", "--role", "admin"]) == 0
    assert "created admin root of the whole programme (every area)" in capsys.readouterr().out
    assert run([*common, "--username", "ama", "--role", "monitor"]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: a monitor needs an area: give --area-id or --area-code (only an administrator "
        "may have none, and administer the whole programme)"
    )
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        country = create_area(session, name="Country", level="country")
        country.code = "XL"
        country_id = country.id
    assert run([*common, "--username", "ama", "--role", "monitor", "--area-code", "XL"]) == 0
    assert f"created monitor ama of area {country_id}" in capsys.readouterr().out
    assert run([*common, "--username", "kofi", "--role", "viewer", "--area-code", "XX"]) == 1
    assert "error: no area has the code XX" in capsys.readouterr().err
    both = ["--area-code", "XL", "--area-id", str(country_id)]
    assert run([*common, "--username", "kofi", "--role", "viewer", *both]) == 1
    assert "error: give --area-id or --area-code, not both" in capsys.readouterr().err
    with Session(engine) as session:
        root = authenticate(session, username="root", password="a long enough password")
        assert (root.role.value, root.area_id) == ("admin", None)
    engine.dispose()

"""``ipec db upgrade`` on SQLite, and clean errors for unusable database URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from ipec.cli.main import run
from ipec.config import load_settings
from ipec.db import make_engine, upgrade
from ipec.errors import ConfigurationError
from ipec.web import create_app


def test_upgrade_creates_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ipec.db'}"
    assert run(["db", "upgrade", "--url", url]) == 0
    assert "is up to date" in capsys.readouterr().out
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"areas", "households", "children", "visits", "cases", "audit_log"} <= tables


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense://x", "not a usable database URL"),
        ("sqlite:////nonexistent-folder/ipec.db", "cannot open the database at sqlite:"),
    ],
)
def test_unusable_database(url: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["db", "upgrade", "--url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}")
    assert "Traceback" not in err


def test_serve_refuses_default_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("IPEC_SECRET_KEY", raising=False)
    monkeypatch.delenv("IPEC_DEMO", raising=False)
    assert run(["serve"]) == 1
    assert "error: the secret key is the default" in capsys.readouterr().err


def test_serve_refuses_a_database_behind_the_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:  # a schema from before the baseline
        connection.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    engine.dispose()
    monkeypatch.setenv("IPEC_DATABASE_URL", url)
    monkeypatch.setenv("IPEC_SECRET_KEY", "k" * 40)
    assert run(["serve"]) == 1
    err = capsys.readouterr().err
    assert "has schema 0003, this ipec needs" in err
    assert "run `ipec db upgrade`" in err
    with pytest.raises(ConfigurationError, match="has schema 0003"):
        create_app(load_settings(database_url=url, demo=True))

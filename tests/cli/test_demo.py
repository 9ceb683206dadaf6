"""``ipec demo``: sizes, a new SQLite file or an empty database at a URL, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ipec.cli.main import run
from ipec.db import make_engine


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_demo_in_a_new_sqlite_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "demo.db"
    assert run(["demo", "--database", str(database), "--households", "40", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert f"demo database {database}: 556 areas, 40 households" in out
    assert "accounts (password demo-password-2026): admin, manager" in out
    url = f"sqlite:///{database}"
    assert _count(url, "households") == 40
    assert _count(url, "visits") == 2 * _count(url, "children")
    # The file exists now: a second run refuses it and leaves it alone.
    assert run(["demo", "--database", str(database), "--no-serve"]) == 1
    assert "the demo database already exists" in capsys.readouterr().err
    assert _count(url, "households") == 40


def test_demo_by_children_and_visits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "demo.db"
    args = ["demo", "--database", str(database), "--children", "250", "--visits-per-child", "3",
            "--no-serve"]  # fmt: skip
    assert run(args) == 0
    url = f"sqlite:///{database}"
    assert _count(url, "households") == 100
    assert _count(url, "visits") == 3 * _count(url, "children")
    assert "100 households" in capsys.readouterr().out


def test_demo_at_a_database_url(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """The schema is made, then the empty database is seeded; a second seed is refused."""
    url = engine.url.render_as_string(hide_password=False)
    args = ["demo", "--database-url", url, "--households", "30", "--no-serve"]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "30 households" in out
    if engine.dialect.name == "postgresql":
        assert "***" in out  # the password is not printed
        assert "ipec_ci:ipec_ci@" not in out
    assert _count(url, "households") == 30
    assert run(args) == 1
    assert "the database already has areas" in capsys.readouterr().err
    assert _count(url, "households") == 30


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--households", "40", "--children", "100"], "give --households or --children"),
        (["--households", "5"], "at least 10 households"),
        (["--children", "10"], "at least 25 children"),
        (["--database-url", "sqlite:///x.db"], "give --database or --database-url"),
        (["--visits-per-child", "13"], "--visits-per-child"),
    ],
)
def test_demo_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    database = tmp_path / "demo.db"
    assert run(["demo", "--database", str(database), "--no-serve", *extra]) != 0
    assert message in capsys.readouterr().err
    assert not database.exists()


def test_a_failed_seed_removes_the_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipec.cli import demo

    def broken(*args: object, **kwargs: object) -> dict[str, int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "seed_database", broken)
    database = tmp_path / "demo.db"
    with pytest.raises(RuntimeError, match="disk full"):
        run(["demo", "--database", str(database), "--households", "40", "--no-serve"])
    assert not database.exists()


def test_demo_help_names_the_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["demo", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--database", "--database-url", "--households", "--children",
                   "--visits-per-child", "--serve", "--port"):  # fmt: skip
        assert option in out

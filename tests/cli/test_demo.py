"""``ipec demo``: sizes, the day, a new SQLite file or an empty database at a URL, the demo
profile served, clear refusals."""

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
    assert 1.5 * _count(url, "children") < _count(url, "visits") < 3 * _count(url, "children")
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
    assert 2.5 * _count(url, "children") < _count(url, "visits") < 3.5 * _count(url, "children")
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
        (["--today", "29/11/2026"], "--today"),
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
                   "--visits-per-child", "--today", "--serve", "--port"):  # fmt: skip
        assert option in out


def test_demo_up_to_a_given_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--today ends the history on that day; the same size and day give the same data."""
    dumps = []
    for name in ("a", "b"):
        database = tmp_path / f"{name}.db"
        args = ["demo", "--database", str(database), "--households", "30", "--today",
                "2025-03-31", "--no-serve"]  # fmt: skip
        assert run(args) == 0
        assert "up to 2025-03-31" in capsys.readouterr().out
        url = f"sqlite:///{database}"
        engine = make_engine(url)
        with engine.connect() as connection:
            latest = connection.execute(text("SELECT max(visit_date) FROM visits")).scalar_one()
            dumps.append(connection.execute(text("SELECT * FROM case_events ORDER BY id")).all())
        engine.dispose()
        assert "2025-03-01" <= latest <= "2025-03-31"
    assert dumps[0] == dumps[1]


def test_demo_serves_with_the_demo_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo is classified under the cocoa sector's list and served with it, in demo
    mode (the production default profile is left alone)."""
    import uvicorn

    from ipec.config import Settings

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app))
    database = tmp_path / "demo.db"
    assert run(["demo", "--database", str(database), "--households", "10"]) == 0
    settings = served[0].state.settings
    assert (settings.profile, settings.demo) == ("cocoa-ci-2017", True)
    assert Settings.model_fields["profile"].default == "sdg-8.7.1"
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        profiles = connection.execute(text("SELECT DISTINCT profile_id FROM visits")).all()
    engine.dispose()
    assert profiles == [("cocoa-ci-2017",)]

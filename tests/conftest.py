"""Shared test helpers: paths to in-repo fixtures and to the optional ../shared folder."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
#: Debian's Chromium, which the browser tests drive (never a downloaded build).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Where browser tests save their screenshots.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"
)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def shared() -> Path:
    """The read-only ../shared folder; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"needs the shared validation data at {SHARED}, which is absent here")
    return SHARED


def _postgres_url() -> str | None:
    import os

    return os.environ.get("IPEC_TEST_POSTGRES_URL")


def _fresh_engine(kind: str, folder: Path) -> Iterator[Engine]:
    from ipec.db import make_engine

    if kind == "sqlite":
        made = make_engine(f"sqlite:///{folder / f'ipec-{uuid.uuid4().hex[:8]}.db'}")
        yield made
        made.dispose()
        return
    base = _postgres_url()
    if not base:
        pytest.skip("set IPEC_TEST_POSTGRES_URL to a PostgreSQL server (.ci/run does)")
    from sqlalchemy import make_url, text
    from sqlalchemy.pool import NullPool

    name = f"ipec_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    made = make_engine(url, poolclass=NullPool)
    try:
        yield made
    finally:
        made.dispose()
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    """Drop a test database; retry while a server process (autovacuum) still holds it."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except (OperationalError, ProgrammingError):
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database: SQLite in a temporary file, or a new PostgreSQL database.

    PostgreSQL runs when IPEC_TEST_POSTGRES_URL points at a server whose role may create
    databases (``.ci/run`` starts one); otherwise those tests skip with the reason.
    """
    yield from _fresh_engine(request.param, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One migrated database per test module and backend; tests roll back their changes."""
    from ipec.db import upgrade

    for made in _fresh_engine(request.param, tmp_path_factory.mktemp("db")):
        upgrade(made)
        yield made


@pytest.fixture
def session(migrated_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test (fast and isolated)."""
    with migrated_engine.connect() as connection:
        outer = connection.begin()
        opened = Session(bind=connection, join_transaction_mode="create_savepoint")
        yield opened
        opened.close()
        outer.rollback()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, shared by a module's tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )  # fmt: skip
        yield launched
        launched.close()

"""The pages over the small world of the API tests (districts A and B, a child with a case
in each; a monitor and a viewer scoped to A, an administrator), on SQLite."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ipec.config import Settings
from ipec.db import make_engine, upgrade
from ipec.monitoring import AuditEntry
from ipec.monitoring.metrics import Period
from ipec.web import create_app
from ipec.web.pages import dashboard
from ipec.web.pages.figures import FiguresKey, figures_for
from tests.conftest import ARTIFACTS
from tests.web.api.conftest import PASSWORD, SECRET, _world

#: A name or note carrying markup, and how a page must show it (as text).
MARKUP = "<script>alert(1)</script><b>x</b>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"

_HIDDEN = re.compile(r'name="(csrf_token|login_token)" value="([^"]+)"')


@dataclass
class Site:
    """A browser-like client (keeps cookies), the world's ids, and the database."""

    client: TestClient
    ids: dict[str, int]
    engine: Engine

    def token(self, path: str, name: str = "csrf_token") -> str:
        """The hidden token of the form on ``path``."""
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        found = dict(_HIDDEN.findall(page.text))
        return found[name]

    def sign_in(self, who: str = "monitor", password: str = PASSWORD) -> str:
        """Sign in through the form; the session's anti-forgery token."""
        token = self.token("/login", "login_token")
        answer = self.client.post(
            "/login",
            data={"username": who, "password": password, "login_token": token, "next": "/cases"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return self.token("/account/password")


def _world_database(path: Path) -> tuple[Engine, dict[str, int], str]:
    """A new SQLite file holding the small world: its engine, the world's ids, its URL."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        ids, _tokens = _world(session)
    return engine, ids, engine.url.render_as_string(hide_password=False)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    engine, ids, url = _world_database(tmp_path / "pages.db")
    # No background thread computing dashboard figures: the tests count the computations.
    app = create_app(Settings(database_url=url, secret_key=SECRET, max_body_bytes=20_000,
                              dashboard_refresh_seconds=0))  # fmt: skip
    with TestClient(app, base_url="https://testserver") as client:
        yield Site(client, ids, engine)
    app.state.engine.dispose()
    engine.dispose()


@dataclass
class LiveSite:
    """The application served over HTTP on loopback, for a real browser."""

    url: str
    ids: dict[str, int]
    engine: Engine


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[LiveSite]:
    """A uvicorn server in a thread over a fresh copy of the small world."""
    import uvicorn

    engine, ids, url = _world_database(tmp_path / "live.db")
    # The browser tests read the dashboard right after recording: its figures are not kept
    # (the cache is tested in test_dashboard.py).
    app = create_app(Settings(database_url=url, secret_key=SECRET, dashboard_figures_seconds=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveSite(f"http://127.0.0.1:{port}", ids, engine)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
    engine.dispose()


def sign_in_page(browser: Any, site: LiveSite, who: str, *, phone: bool = False) -> Any:
    """A new browser page signed in as ``who`` (a phone-sized screen when asked)."""
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    page = browser.new_page(viewport=viewport)
    page.goto(f"{site.url}/login")
    page.get_by_label("Username").fill(who)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    return page


def accessibility_violations(page: Any) -> list[str]:
    """axe-core's violations on the page (axe-core is vendored in axe-playwright-python)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in results.response["violations"]
    ]


def screenshot(page: Any, name: str) -> None:
    """Save the page as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def count(site: Site, model: type[Any]) -> int:
    """Rows of ``model`` in the site's database."""
    with Session(site.engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def audit_actions(site: Site, actor: str = "monitor") -> list[str]:
    """The audit log's actions by ``actor``, oldest first."""
    with Session(site.engine) as session:
        query = select(AuditEntry.action).where(AuditEntry.actor == actor)
        return list(session.scalars(query.order_by(AuditEntry.id)))


def post(site: Site, path: str, data: dict[str, str]) -> Any:
    """A form sent to ``path``, its redirect not followed."""
    return site.client.post(path, data=data, follow_redirects=False)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Period]]:
    """The (area path, period) of each computation of the figures a dashboard view made
    itself, in order."""
    calls: list[tuple[str, Period]] = []

    def counting(session: Session, area_path: str, key: FiguresKey) -> Any:
        calls.append((area_path, Period(key[1], key[2])))
        return figures_for(session, area_path, key)

    monkeypatch.setattr(dashboard, "figures_for", counting)
    return calls

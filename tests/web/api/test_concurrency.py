"""Many clients at once against a real server: every request answers (none waits forever or
fails for lack of a thread), each write is kept once, and of concurrent edits made from the
same version exactly one wins."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ipec.config import Settings
from ipec.db import upgrade
from ipec.monitoring import Child, Visit
from ipec.web import create_app
from tests.web.api.conftest import SECRET, _world

CLIENTS = 50


@dataclass
class Served:
    base: str
    ids: dict[str, int]
    token: str
    engine: Engine

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method,
                                         headers=headers)  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(engine: Engine) -> Iterator[Served]:
    upgrade(engine)
    with Session(engine) as session, session.begin():
        ids, tokens = _world(session)
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, secret_key=SECRET))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", ids, tokens["monitor"], engine)
    server.should_exit = True
    thread.join(timeout=30)
    app.state.engine.dispose()


def _visit(day: int) -> dict[str, Any]:
    return {"visit_date": f"2026-05-{day:02d}", "consent": True,
            "record": {"econ_any": True, "econ_hours": day}}  # fmt: skip


def test_many_clients_each_write_kept_once(served: Served) -> None:
    child = served.ids["child_a"]
    path = f"/api/v1/children/{child}/visits"
    with ThreadPoolExecutor(CLIENTS) as pool:
        writes = list(pool.map(lambda i: served.call("POST", path, _visit(i % 28 + 1)),
                               range(CLIENTS)))  # fmt: skip
        reads = list(pool.map(lambda _: served.call("GET", "/api/v1/cases"), range(CLIENTS)))
    assert [status for status, _ in writes] == [201] * CLIENTS
    assert [status for status, _ in reads] == [200] * CLIENTS
    with Session(served.engine) as session:
        kept = session.scalar(
            select(func.count()).select_from(Visit).where(Visit.child_id == child)
        )
    assert kept == CLIENTS
    assert len({body["id"] for _, body in writes}) == CLIENTS


def test_concurrent_edits_from_one_version_one_wins(served: Served) -> None:
    child = served.ids["child_a"]
    with Session(served.engine) as session:
        version = session.get(Child, child).version  # type: ignore[union-attr]
    edits = [{"version": version, "name": f"Name {i}"} for i in range(10)]
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda body: served.call("PATCH", f"/api/v1/children/{child}",
                                                         body), edits))  # fmt: skip
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * 9
    messages = {body["error"]["message"] for status, body in results if status == 409}
    assert all("changed by someone else" in m or "at the same time" in m for m in messages)
    winner = next(body["name"] for status, body in results if status == 200)
    with Session(served.engine) as session:
        stored = session.get(Child, child)
        assert stored is not None
        assert (stored.name, stored.version) == (winner, version + 1)

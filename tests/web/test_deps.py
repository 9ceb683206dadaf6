"""The per-request database session: a refusal at commit is an error response, never a
silent loss after a success response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from ipec.config import Settings
from ipec.db import make_engine
from ipec.web.deps import DbSession
from ipec.web.errors import install_error_handlers


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'deps.db'}")
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO t (name) VALUES ('taken')"))
    yield made
    made.dispose()


def _app(engine: Engine) -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(database_url=str(engine.url), demo=True)
    app.state.sessions = sessionmaker(engine)
    install_error_handlers(app)

    @app.post("/insert/{name}")
    def insert(name: str, db: DbSession) -> dict[str, str]:
        db.execute(text("INSERT INTO t (name) VALUES (:name)"), {"name": name})
        return {"saved": name}

    return app


def test_a_refused_write_is_a_conflict_and_nothing_is_kept(engine: Engine) -> None:
    with TestClient(_app(engine)) as client:
        assert client.post("/insert/new").status_code == 200
        refused = client.post("/insert/taken")
    assert refused.status_code == 409
    assert refused.json()["error"]["type"] == "Conflict"
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM t ORDER BY id")).scalars().all()
    assert names == ["taken", "new"]

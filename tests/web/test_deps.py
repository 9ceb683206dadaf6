"""The per-request database session: a write the database refuses, when it is written or
when the transaction commits, is an error response (never a success response for a write
that was lost) and nothing of the request is kept."""

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
        connection.execute(text("CREATE TABLE r (id INTEGER PRIMARY KEY, t_id INTEGER "
                                "REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED)"))  # fmt: skip
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

    @app.post("/refer/{t_id}")
    def refer(t_id: int, db: DbSession) -> dict[str, int]:
        # A deferred foreign key is checked only when the transaction commits.
        db.execute(text("INSERT INTO r (t_id) VALUES (:t_id)"), {"t_id": t_id})
        return {"saved": t_id}

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


def test_a_write_refused_at_commit_is_not_reported_as_saved(engine: Engine) -> None:
    with TestClient(_app(engine)) as client:
        assert client.post("/refer/1").status_code == 200
        refused = client.post("/refer/999")
    assert refused.status_code == 409
    assert refused.json()["error"]["type"] == "Conflict"
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT t_id FROM r ORDER BY id")).scalars().all()
    assert kept == [1]

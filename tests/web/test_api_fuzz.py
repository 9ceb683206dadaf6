"""Schemathesis against the OpenAPI schema, signed in as an administrator (every route is
open to them): no request makes a server error."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user, issue_token
from ipec.config import Settings
from ipec.db import upgrade
from ipec.monitoring import Case, CaseKind, CaseStatus, Sex
from ipec.monitoring.service import ChildInput, create_area, register_household
from ipec.web import create_app

#: Slow (about 30 s per database): thousands of generated requests.
pytestmark = pytest.mark.slow

_STATE: dict[str, Any] = {}


def _app(engine: Engine) -> Any:
    upgrade(engine)
    with Session(engine) as session, session.begin():
        area = create_area(session, name="Country", level="country")
        household = register_household(
            session, area_id=area.id, head_name="Head", actor="admin", today=date(2026, 6, 1),
            children=[ChildInput("Child", Sex.FEMALE, date(2014, 1, 1))],
        )  # fmt: skip
        child_id = household.children[0].id
        session.add(Case(child_id=child_id, kind=CaseKind.CHILD_LABOUR,
                         status=CaseStatus.IDENTIFIED, opened_on=date(2026, 1, 2)))  # fmt: skip
        user = create_user(session, username="fuzzer", display_name="Fuzzer",
                           password="a long enough password", role=Role.ADMIN,
                           area_id=area.id)  # fmt: skip
        _STATE["token"] = issue_token(session, user=user, label="fuzz")
    url = engine.url.render_as_string(hide_password=False)
    return create_app(Settings(database_url=url, demo=True))


def test_no_server_error(engine: Engine) -> None:
    """Every operation, with generated paths, queries and bodies, answers below 500, on
    SQLite and PostgreSQL (which refuses some text SQLite stores, NUL characters say)."""
    app = _app(engine)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {_STATE['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 28
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text)

        check()
    app.state.engine.dispose()

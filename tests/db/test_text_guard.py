"""No NUL character is stored in any text, on SQLite (which would keep it) as on PostgreSQL
(which refuses it with a driver error): refused before the flush, naming table and column."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.models import Area, Household
from ipec.monitoring.service import create_area
from tests.web.api.conftest import Api, api, check_error

__all__ = ["api"]  # the served API of tests/web/api, used here as a fixture


def test_a_nul_character_is_refused_in_a_new_record(session: Session) -> None:
    with pytest.raises(DataError, match="column 'name': areas: the text holds a NUL character"):
        create_area(session, name="North\x00", level="region")
    session.rollback()
    assert session.scalars(select(Area)).all() == []


def test_a_nul_character_is_refused_in_a_change(session: Session) -> None:
    area = create_area(session, name="North", level="region")
    area.level = "dis\x00trict"
    with pytest.raises(DataError, match="column 'level'"):
        session.flush()


def test_the_api_refuses_a_nul_character_on_both_databases(api: Api) -> None:
    """Regression: SQLite stored it."""
    household = api.ids["household_a"]
    before = api.call("GET", f"/api/v1/households/{household}").json()
    body = {"version": before["version"], "head_name": "Kofi\x00Mensah"}
    refused = api.call("PATCH", f"/api/v1/households/{household}", body)
    error = check_error(refused, 422, "DataError")
    assert "the text holds a NUL character" in error["message"]
    assert "head_name" in error["message"]
    with Session(api.engine) as db:
        stored = db.get(Household, household)
        assert stored is not None
        assert "\x00" not in stored.head_name

"""The JSON API through HTTP: access scope on every route, one error shape, audit, conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user, issue_token
from ipec.config import Settings, load_settings
from ipec.db import make_engine, upgrade
from ipec.errors import ConfigurationError
from ipec.monitoring import AuditEntry, Case, CaseKind, CaseStatus, Child, Sex
from ipec.monitoring.service import ChildInput, create_area, register_household
from ipec.web import create_app

PASSWORD = "a long enough password"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    url = f"sqlite:///{tmp_path / 'ipec.db'}"
    engine = make_engine(url)
    upgrade(engine)
    ids: dict[str, Any] = {}
    with Session(engine) as session, session.begin():
        country = create_area(session, name="Country", level="country")
        a = create_area(session, name="A", level="district", parent_id=country.id)
        b = create_area(session, name="B", level="district", parent_id=country.id)
        for key, area in (("a", a.id), ("b", b.id)):
            household = register_household(
                session, area_id=area, head_name="Head", actor="admin", today=date(2026, 6, 1),
                children=[ChildInput(f"child {key}", Sex.FEMALE, date(2014, 1, 1))],
            )  # fmt: skip
            child = session.scalars(select(Child).where(Child.household_id == household.id)).one()
            case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR,
                        status=CaseStatus.IDENTIFIED, opened_on=date(2026, 1, 2))  # fmt: skip
            session.add(case)
            session.flush()
            ids[f"child_{key}"], ids[f"case_{key}"] = child.id, case.id
        for name, role, area in (("monitor", Role.MONITOR, a.id), ("viewer", Role.VIEWER, a.id)):
            user = create_user(session, username=name, display_name=name, password=PASSWORD,
                               role=role, area_id=area)  # fmt: skip
            ids[f"token_{name}"] = issue_token(session, user=user, label="test")
    engine.dispose()
    app = create_app(Settings(database_url=url, demo=True, max_body_bytes=20_000))
    with TestClient(app) as client:
        yield client, ids
    app.state.engine.dispose()


def _auth(ids: dict[str, Any], who: str = "monitor") -> dict[str, str]:
    return {"Authorization": f"Bearer {ids[f'token_{who}']}"}


VISIT = {"visit_date": "2026-05-01", "monitor": "m1", "consent": True,
         "record": {"econ_any": True, "econ_hours": 20}}  # fmt: skip


def _routes(ids: dict[str, Any], key: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/api/v1/children/{ids[f'child_{key}']}", None),
        ("POST", f"/api/v1/children/{ids[f'child_{key}']}/visits", VISIT),
        ("POST", f"/api/v1/cases/{ids[f'case_{key}']}/transitions",
         {"action": "plan", "version": 1}),
    ]  # fmt: skip


def _check_error(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"type", "message", "status", "fields"}
    assert (error["type"], error["status"]) == (kind, status)
    return dict(error)


def test_monitor_of_a_gets_not_found_for_b_on_every_route(
    api: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = api
    for method, path, body in _routes(ids, "b"):
        response = client.request(method, path, json=body, headers=_auth(ids))
        _check_error(response, 404, "NotFound")
    for method, path, body in _routes(ids, "a"):
        response = client.request(method, path, json=body, headers=_auth(ids))
        assert response.status_code in (200, 201), response.text


def test_no_token_and_bad_token(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, ids = api
    for method, path, body in _routes(ids, "a"):
        _check_error(client.request(method, path, json=body), 401, "NotAuthenticated")
        bad = {"Authorization": "Bearer nope"}
        _check_error(client.request(method, path, json=body, headers=bad), 401, "NotAuthenticated")


def test_viewer_reads_but_cannot_change(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, ids = api
    read, visit, move = _routes(ids, "a")
    assert client.get(read[1], headers=_auth(ids, "viewer")).status_code == 200
    response = client.post(visit[1], json=visit[2], headers=_auth(ids, "viewer"))
    _check_error(response, 403, "PermissionDenied")
    response = client.post(move[1], json=move[2], headers=_auth(ids, "viewer"))
    _check_error(response, 403, "PermissionDenied")


def test_visit_classifies_and_reads_are_audited(
    api: tuple[TestClient, dict[str, Any]], tmp_path: Path
) -> None:
    client, ids = api
    child = ids["child_a"]
    response = client.post(f"/api/v1/children/{child}/visits", json=VISIT, headers=_auth(ids))
    assert response.status_code == 201
    visit = response.json()
    assert (visit["age"], visit["reasons"]) == (12, ["EXCEEDS_LIGHT_WORK_HOURS"])
    client.get(f"/api/v1/children/{child}", headers=_auth(ids))
    engine = make_engine(f"sqlite:///{tmp_path / 'ipec.db'}")
    with Session(engine) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor == "monitor").order_by(AuditEntry.id)
        ).all()
        assert actions[:2] == ["child.change", "visit.create"]
        assert actions[-1] == "child.read"
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 3
    engine.dispose()


def test_invalid_fields_and_big_bodies(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, ids = api
    path = f"/api/v1/children/{ids['child_a']}/visits"
    response = client.post(path, json={"visit_date": "not a date", "consent": "maybe"},
                           headers=_auth(ids))  # fmt: skip
    error = _check_error(response, 422, "ValidationError")
    fields = {f["field"] for f in error["fields"]}
    assert {"body.visit_date", "body.consent", "body.monitor", "body.record"} <= fields
    bad_hours = {**VISIT, "record": {"econ_any": True, "econ_hours": 500}}
    error = _check_error(client.post(path, json=bad_hours, headers=_auth(ids)), 422, "DataError")
    assert "between 0 and 168" in error["message"]
    huge = {**VISIT, "monitor": "x" * 30_000}
    _check_error(client.post(path, json=huge, headers=_auth(ids)), 413, "PayloadTooLarge")
    garbage = client.post(path, content=b"{not json", headers={**_auth(ids),
                          "content-type": "application/json"})  # fmt: skip
    _check_error(garbage, 422, "ValidationError")


def test_transitions_stale_and_forbidden(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, ids = api
    path = f"/api/v1/cases/{ids['case_a']}/transitions"
    moved = client.post(path, json={"action": "plan", "version": 1}, headers=_auth(ids))
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["version"]) == ("action_planned", 2)
    stale = client.post(path, json={"action": "start_remediation", "version": 1},
                        headers=_auth(ids))  # fmt: skip
    assert "changed since you read it" in _check_error(stale, 409, "Conflict")["message"]
    forbidden = client.post(path, json={"action": "close", "version": 2}, headers=_auth(ids))
    _check_error(forbidden, 409, "InvalidTransition")


def test_openapi_and_metrics(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, ids = api
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/children/{child_id}" in schema["paths"]
    response = client.get("/api/v1/metrics/identification",
                          params={"start": "2026-01-01", "end": "2026-12-31"},
                          headers=_auth(ids))  # fmt: skip
    assert response.status_code == 200
    assert response.json()[0]["group"] == "total"


def test_default_secret_refused_outside_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPEC_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="secret key is the default"):
        load_settings()
    assert load_settings(demo=True).demo
    assert load_settings(secret_key="s" * 40).secret_key == "s" * 40

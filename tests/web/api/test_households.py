"""Registering households through HTTP: the children come with it; an unknown area, an area
out of scope and a duplicate child are refused, and nothing is half-written."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.monitoring import Child, Household
from tests.web.api.conftest import Api, check_error


def _household(area_id: int, *children: dict[str, str]) -> dict[str, object]:
    return {"area_id": area_id, "head_name": "Kofi", "children": list(children)}


AMA = {"name": "Ama", "sex": "female", "birth_date": "2015-03-04"}
KWAME = {"name": "Kwame", "sex": "male", "birth_date": "2012-07-08"}


def test_register_read_and_change(api: Api) -> None:
    made = api.call("POST", "/api/v1/households", _household(api.ids["area_a"], AMA, KWAME))
    assert made.status_code == 201, made.text
    household = made.json()
    assert sorted(c["name"] for c in household["children"]) == ["Ama", "Kwame"]
    assert all(c["pseudonym"].startswith("C-") for c in household["children"])
    path = f"/api/v1/households/{household['id']}"
    assert api.call("GET", path).json()["head_name"] == "Kofi"
    version = api.version(Household, household["id"])
    moved = api.call("PATCH", path, {"version": version, "latitude": 6.7, "longitude": -1.6})
    assert (moved.json()["latitude"], moved.json()["longitude"]) == (6.7, -1.6)
    stale = api.call("PATCH", path, {"version": version, "head_name": "Yaw"})
    check_error(stale, 409, "Conflict")
    off_map = api.call("PATCH", path, {"version": version + 1, "latitude": 95})
    assert check_error(off_map, 422, "ValidationError")["fields"][0]["field"] == "body.latitude"


def _counts(api: Api) -> tuple[int, int]:
    with Session(api.engine) as session:
        households = session.scalar(select(func.count()).select_from(Household))
        children = session.scalar(select(func.count()).select_from(Child))
    return int(households or 0), int(children or 0)


def test_refusals_write_nothing(api: Api) -> None:
    before = _counts(api)
    duplicate = _household(api.ids["area_a"], AMA, {**AMA, "name": " ama "})
    error = check_error(api.call("POST", "/api/v1/households", duplicate), 422, "DataError")
    assert "duplicate child: ama" in error["message"].lower()
    check_error(api.call("POST", "/api/v1/households", _household(999_999, AMA)), 404, "NotFound")
    outside = _household(api.ids["area_b"], AMA)
    check_error(api.call("POST", "/api/v1/households", outside), 404, "NotFound")
    empty = _household(api.ids["area_a"])
    check_error(api.call("POST", "/api/v1/households", empty), 422, "ValidationError")
    blank = _household(api.ids["area_a"], {**AMA, "name": "   "})
    check_error(api.call("POST", "/api/v1/households", blank), 422, "ValidationError")
    check_error(api.call("GET", "/api/v1/households/999999"), 404, "NotFound")
    assert _counts(api) == before

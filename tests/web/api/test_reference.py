"""Areas and partners: lists within scope; only the right roles add to them."""

from __future__ import annotations

from tests.web.api.conftest import Api, check_error


def test_areas_within_scope(api: Api) -> None:
    mine = api.call("GET", "/api/v1/areas").json()
    assert [a["id"] for a in mine] == [api.ids["area_a"]]
    everything = api.call("GET", "/api/v1/areas", who="admin").json()
    assert [a["name"] for a in everything] == ["Country", "A", "B"]
    new = {"name": "Village", "level": "community", "parent_id": api.ids["area_a"]}
    check_error(api.call("POST", "/api/v1/areas", new), 403, "PermissionDenied")
    made = api.call("POST", "/api/v1/areas", new, who="admin")
    assert made.status_code == 201
    assert made.json()["parent_id"] == api.ids["area_a"]
    assert len(api.call("GET", "/api/v1/areas").json()) == 2
    orphan = {**new, "parent_id": 999_999}
    check_error(api.call("POST", "/api/v1/areas", orphan, who="admin"), 404, "NotFound")


def test_partners(api: Api) -> None:
    assert [p["name"] for p in api.call("GET", "/api/v1/partners").json()] == [
        "Labour Inspectorate"
    ]
    ngo = {"name": "Children First", "kind": "ngo"}
    check_error(api.call("POST", "/api/v1/partners", ngo), 403, "PermissionDenied")
    assert api.call("POST", "/api/v1/partners", ngo, who="admin").status_code == 201
    again = api.call("POST", "/api/v1/partners", ngo, who="admin")
    assert "already exists" in check_error(again, 409, "Conflict")["message"]
    bad_kind = {"name": "X", "kind": "club"}
    check_error(api.call("POST", "/api/v1/partners", bad_kind, who="admin"), 422,
                "ValidationError")  # fmt: skip

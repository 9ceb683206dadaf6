"""The register through the API: the child and household lists (scope, search, filters,
paging, audit rows, bad input), adding a child, a child leaving, a household moving."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry, Child, Household
from ipec.monitoring.service import create_area
from tests.web.api.conftest import Api, check_error


def _children(api: Api, who: str = "monitor", **params: Any) -> list[str]:
    response = api.client.get("/api/v1/children", params=params, headers=api.auth(who))
    assert response.status_code == 200, response.text
    return [item["child"]["name"] for item in response.json()["items"]]


def _list_audit(api: Api, action: str) -> list[tuple[str, dict[str, Any]]]:
    with Session(api.engine) as session:
        rows = session.execute(
            select(AuditEntry.entity, AuditEntry.detail)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
        return [(entity, detail) for entity, detail in rows]


def test_the_lists_hold_the_callers_scope_and_are_audited(api: Api) -> None:
    assert _children(api) == ["child a"]
    assert _children(api, "admin") == ["child b", "child a"]
    households = api.call("GET", "/api/v1/households").json()
    assert [item["household"]["id"] for item in households["items"]] == [api.ids["household_a"]]
    assert households["items"][0] | {"household": None} == {
        "household": None, "area_name": "A", "children": 1, "active_children": 1,
        "open_cases": 1,
    }  # fmt: skip
    assert _list_audit(api, "child.list")[0] == (
        "child",
        {"children": [api.ids["child_a"]], "page": 1},
    )
    assert _list_audit(api, "household.list") == [
        ("household", {"households": [api.ids["household_a"]], "page": 1})
    ]
    check_error(api.call("GET", f"/api/v1/children?area_id={api.ids['area_b']}"), 404,
                "NotFound")  # fmt: skip
    check_error(api.call("GET", "/api/v1/households?area_id=2147483647"), 404, "NotFound")


def test_search_by_name_sound_head_and_pseudonym(api: Api) -> None:
    made = api.call(
        "POST",
        f"/api/v1/households/{api.ids['household_a']}/children",
        {"name": "Kouamé Adjoua", "sex": "female", "birth_date": "2016-05-05"},
    )
    assert made.status_code == 201, made.text
    pseudonym = made.json()["pseudonym"]
    for search in ("kouame", "KOUAMÉ", "Kwame Adjowa", "adj", pseudonym.lower(), "head"):
        assert "Kouamé Adjoua" in _children(api, q=search), search
    assert _children(api, q="Kwame Adjowa") == ["Kouamé Adjoua"]
    assert _children(api, q="head") == ["Kouamé Adjoua", "child a"]  # the household head
    assert _children(api, q="Kouamé Adjoua", area_id=api.ids["area_a"]) == ["Kouamé Adjoua"]
    assert _children(api, "admin", q="kouame", area_id=api.ids["area_b"]) == []
    assert _children(api, q="zzz") == []


def test_filters_and_paging(api: Api) -> None:
    for number in range(5):
        api.call(
            "POST",
            f"/api/v1/households/{api.ids['household_a']}/children",
            {"name": f"Ama {number}", "sex": "female", "birth_date": f"201{number}-01-01"},
        )
    assert _children(api, q="ama", min_age=14, max_age=16) == ["Ama 2", "Ama 1", "Ama 0"]
    assert _children(api, sex="male") == []
    assert _children(api, open_case="true") == ["child a"]
    assert len(_children(api, open_case="false")) == 5
    assert len(_children(api, not_visited_months=3)) == 6
    names: list[str] = []
    for page in (1, 2, 3):
        body = api.call("GET", f"/api/v1/children?q=ama&per_page=2&page={page}").json()
        names += [item["child"]["name"] for item in body["items"]]
        assert (body["page"], body["per_page"], body["has_next"]) == (page, 2, page < 3)
    assert names == [f"Ama {number}" for number in reversed(range(5))]
    empty = api.client.get("/api/v1/children?q=&area_id=&sex=&open_case=&not_visited_months=",
                           headers=api.auth())  # fmt: skip
    assert len(empty.json()["items"]) == 6


def test_bad_input_is_refused_with_the_one_error_shape(api: Api) -> None:
    error = check_error(api.call("GET", "/api/v1/children?q=" + "k" * 101), 422, "ValidationError")
    assert error["fields"]
    check_error(api.call("GET", "/api/v1/children?min_age=12&max_age=5"), 422, "DataError")
    check_error(api.call("GET", "/api/v1/children?not_visited_months=0"), 422, "ValidationError")
    check_error(api.call("GET", "/api/v1/children?per_page=201"), 422, "ValidationError")
    check_error(api.call("GET", "/api/v1/households?area_id=-1"), 422, "ValidationError")
    for hostile in (
        "'; DROP TABLE children; --",
        "<script>alert(1)</script>",
        "%",
        "_",
        "\\",
        "a" * 100,
        "Ω≈ç√∫",
        "\u0000x",
        "c-",
        "d-99999999999999",
    ):
        response = api.client.get("/api/v1/children", params={"q": hostile}, headers=api.auth())
        assert response.status_code == 200, (hostile, response.text)
        found = {item["child"]["id"] for item in response.json()["items"]}
        assert found <= {api.ids["child_a"]}, hostile  # the caller's scope, whatever is sent
    assert _children(api, q="'; DROP TABLE children; --") == []
    assert _children(api) == ["child a"]  # nothing dropped


def test_a_child_leaves_and_is_hidden_unless_asked(api: Api) -> None:
    child = api.ids["child_a"]
    body = {"version": api.version(Child, child), "left_on": "2026-06-01", "reason": "died"}
    left = api.call("POST", f"/api/v1/children/{child}/leave", body)
    assert left.status_code == 200, left.text
    assert (left.json()["active"], left.json()["left_reason"]) == (False, "died")
    assert _children(api) == []
    assert _children(api, include_left="true") == ["child a"]
    check_error(api.call("POST", f"/api/v1/children/{child}/leave", body), 409, "Conflict")
    again = {**body, "version": api.version(Child, child)}
    check_error(api.call("POST", f"/api/v1/children/{child}/leave", again), 409, "Conflict")
    check_error(api.call("POST", f"/api/v1/children/{child}/leave",
                         {**again, "reason": "eloped"}), 422, "ValidationError")  # fmt: skip


def test_a_household_moves_within_the_callers_areas(api: Api) -> None:
    with Session(api.engine) as session, session.begin():
        village = create_area(session, name="Village", level="village",
                              parent_id=api.ids["area_a"]).id  # fmt: skip
    household = api.ids["household_a"]
    body = {"version": api.version(Household, household), "area_id": village,
            "moved_on": "2026-06-01", "reason": "new farm"}  # fmt: skip
    check_error(api.call("POST", f"/api/v1/households/{household}/moves",
                         {**body, "area_id": api.ids["area_b"]}), 404, "NotFound")  # fmt: skip
    check_error(api.call("POST", f"/api/v1/households/{household}/moves",
                         {**body, "area_id": 999_999}), 404, "NotFound")  # fmt: skip
    moved = api.call("POST", f"/api/v1/households/{household}/moves", body)
    assert moved.status_code == 201, moved.text
    assert (moved.json()["from_area_id"], moved.json()["to_area_id"]) == (api.ids["area_a"],
                                                                         village)  # fmt: skip
    history = api.call("GET", f"/api/v1/households/{household}/moves").json()
    assert [(m["to_area_id"], m["reason"]) for m in history] == [(village, "new farm")]
    check_error(api.call("POST", f"/api/v1/households/{household}/moves", body), 409, "Conflict")
    assert api.call("GET", f"/api/v1/households/{household}").json()["area_id"] == village
    cases = api.call("GET", f"/api/v1/cases?area_id={village}").json()["items"]
    assert [item["child"]["id"] for item in cases] == [api.ids["child_a"]]
    # the administrator moves a household of A to B: the monitor of A no longer sees it
    admin_body = {**body, "version": api.version(Household, household),
                  "area_id": api.ids["area_b"], "moved_on": "2026-07-01"}  # fmt: skip
    assert api.call("POST", f"/api/v1/households/{household}/moves", admin_body,
                    who="admin").status_code == 201  # fmt: skip
    check_error(api.call("GET", f"/api/v1/households/{household}"), 404, "NotFound")
    assert _children(api) == []
    assert api.call("GET", "/api/v1/cases").json()["items"] == []


def test_a_household_is_registered_with_its_gps_point(api: Api) -> None:
    body = {
        "area_id": api.ids["area_a"],
        "head_name": "Yao",
        "supply_unit": "Coop Ecam",
        "latitude": 5.3364,
        "longitude": -4.0267,
        "children": [{"name": "Ama", "sex": "female", "birth_date": "2015-01-01"}],
    }
    made = api.call("POST", "/api/v1/households", body)
    assert made.status_code == 201, made.text
    assert (made.json()["latitude"], made.json()["supply_unit"]) == (5.3364, "Coop Ecam")
    check_error(api.call("POST", "/api/v1/households", {**body, "latitude": 91}), 422,
                "ValidationError")  # fmt: skip
    error = check_error(api.call("POST", "/api/v1/households", {**body, "longitude": None}),
                        422, "DataError")  # fmt: skip
    assert "longitude" in error["message"]


def test_the_monitor_filter_needs_a_member_of_the_callers_team(api: Api) -> None:
    from ipec.monitoring.service import assign_area_monitor

    with Session(api.engine) as session, session.begin():
        from ipec.auth import User

        monitor = session.scalars(select(User).where(User.username == "monitor")).one()
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        assign_area_monitor(session, area_id=api.ids["area_a"], user_id=monitor.id, actor="t")
        ids = {"monitor": monitor.id, "admin": admin.id}
    assert _children(api, "admin", monitor_id=ids["monitor"]) == ["child a"]
    homes = api.call("GET", f"/api/v1/households?monitor_id={ids['monitor']}", who="admin")
    assert [item["household"]["id"] for item in homes.json()["items"]] == [api.ids["household_a"]]
    check_error(api.call("GET", f"/api/v1/children?monitor_id={ids['admin']}"), 404, "NotFound")
    check_error(api.call("GET", "/api/v1/children?monitor_id=999999"), 404, "NotFound")

"""The calendar through the API (SQLite and PostgreSQL): a month's follow-ups of the caller,
a team's for the administrator, a bad month refused naming it, a partner refused."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipec.monitoring.service import assign_area_monitor
from tests.web.api.conftest import Api, check_error
from tests.web.pages.test_week import user_id


def test_a_monitors_month(api: Api) -> None:
    # the world's follow-ups are due on 20 April 2026 (one in A, one in B)
    ids = api.ids
    assert api.call("GET", "/api/v1/follow-ups/calendar?month=2026-04").json()["items"] == []
    with Session(api.engine) as session, session.begin():
        assign_area_monitor(session, area_id=ids["area_a"], user_id=user_id(api.engine, "monitor"),
                            actor="admin")  # fmt: skip
    april = api.call("GET", "/api/v1/follow-ups/calendar?month=2026-04").json()
    assert (april["first"], april["last"], april["has_more"]) == ("2026-04-01", "2026-04-30",
                                                                 False)  # fmt: skip
    assert [item["follow_up"]["id"] for item in april["items"]] == [ids["follow_up_a"]]
    assert april["items"][0]["assignee"]["username"] == "monitor"
    assert api.call("GET", "/api/v1/follow-ups/calendar?month=2026-05").json()["items"] == []
    everyone = api.call("GET", "/api/v1/follow-ups/calendar?month=2026-04", who="admin").json()
    assert sorted(item["child"]["id"] for item in everyone["items"]) == sorted(
        [ids["child_a"], ids["child_b"]]
    )


def test_bad_input_is_refused(api: Api) -> None:
    bad = check_error(api.call("GET", "/api/v1/follow-ups/calendar?month=2026-13"), 422,
                      "DataError")  # fmt: skip
    assert "'2026-13' is not a month" in bad["message"]
    check_error(api.call("GET", "/api/v1/follow-ups/calendar", who="partner"), 403,
                "PermissionDenied")  # fmt: skip

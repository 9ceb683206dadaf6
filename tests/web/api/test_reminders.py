"""What needs me through the API (SQLite and PostgreSQL): a monitor's overdue follow-up, a
partner user's referrals awaiting an answer, the digest chosen (a bad address refused)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipec.monitoring.service import assign_area_monitor
from tests.web.api.conftest import Api, check_error
from tests.web.pages.test_week import user_id


def test_what_needs_a_monitor_and_a_partner(api: Api) -> None:
    empty = api.call("GET", "/api/v1/reminders").json()
    assert (empty["count"], empty["overdue"], empty["digest"]) == (
        0, [], {"email": None, "enabled": False})  # fmt: skip
    with Session(api.engine) as session, session.begin():
        assign_area_monitor(session, area_id=api.ids["area_a"],
                            user_id=user_id(api.engine, "monitor"), actor="admin")  # fmt: skip
    mine = api.call("GET", "/api/v1/reminders").json()
    assert mine["count"] == 1
    [late] = mine["overdue"]
    assert (late["follow_up"]["id"], late["child_id"]) == (api.ids["follow_up_a"],
                                                          api.ids["child_a"])  # fmt: skip
    assert late["days_late"] > 0
    partner = api.call("GET", "/api/v1/reminders", who="partner").json()
    assert sorted(r["referral_id"] for r in partner["referrals"]) == sorted(
        [api.ids["referral_a"], api.ids["referral_b"]]
    )
    assert {r["status"] for r in partner["referrals"]} == {"sent"}
    assert partner["overdue"] == []


def test_choosing_the_digest(api: Api) -> None:
    bad = check_error(api.call("PUT", "/api/v1/reminders/digest",
                               {"email": "nope", "enabled": True}), 422, "DataError")  # fmt: skip
    assert "'nope' is not an e-mail address" in bad["message"]
    needs = check_error(api.call("PUT", "/api/v1/reminders/digest", {"enabled": True}), 422,
                        "DataError")  # fmt: skip
    assert "needs an e-mail address" in needs["message"]
    chosen = api.call("PUT", "/api/v1/reminders/digest",
                      {"email": " me@example.org ", "enabled": True})  # fmt: skip
    assert chosen.json() == {"email": "me@example.org", "enabled": True}
    assert api.call("GET", "/api/v1/reminders").json()["digest"]["enabled"] is True
    assert api.call("PUT", "/api/v1/reminders/digest", {"enabled": True, "x": 1}).status_code == 422

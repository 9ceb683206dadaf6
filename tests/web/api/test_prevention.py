"""The prevention path through the API (SQLite and PostgreSQL): the rule's proposals for a
household, opening an at-risk case, and every refusal (reason, note, duplicate, role, scope)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry, Sex
from ipec.monitoring.service import ChildInput, add_child
from tests.web.api.conftest import Api, check_error


def _sibling(api: Api) -> int:
    """A sister (2016) of child a, who has the open child-labour case."""
    with Session(api.engine) as session, session.begin():
        return add_child(session, household_id=api.ids["household_a"], actor="admin",
                         child=ChildInput("sister a", Sex.FEMALE, date(2016, 2, 1))).id  # fmt: skip


def test_proposals_then_opening(api: Api) -> None:
    sister = _sibling(api)
    path = f"/api/v1/households/{api.ids['household_a']}/at-risk"
    proposed = api.call("GET", path)
    assert proposed.status_code == 200, proposed.text
    [only] = proposed.json()
    assert (only["child_id"], only["reasons"]) == (sister, ["sibling_in_child_labour"])
    assert only["siblings_in_labour"] == [api.call("GET", f"/api/v1/children/{api.ids['child_a']}")
                                          .json()["pseudonym"]]  # fmt: skip
    opened = api.call("POST", f"/api/v1/children/{sister}/at-risk-cases",
                      {"reason": "sibling_in_child_labour", "opened_on": "2026-06-02"})  # fmt: skip
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert (case["kind"], case["status"], case["opened_on"]) == ("at_risk", "at_risk",
                                                                "2026-06-02")  # fmt: skip
    assert api.call("GET", path).json() == []
    check_error(api.call("POST", f"/api/v1/children/{sister}/at-risk-cases",
                         {"reason": "other", "note": "again"}), 409, "Conflict")  # fmt: skip
    with Session(api.engine) as session:
        logged = session.query(AuditEntry).filter(AuditEntry.action == "case.open").one()
        assert logged.detail["reason"] == "sibling_in_child_labour"


def test_refusals(api: Api) -> None:
    sister = _sibling(api)
    post = f"/api/v1/children/{sister}/at-risk-cases"
    assert api.call("POST", post, {"reason": "lazy"}).status_code == 422
    bad = check_error(api.call("POST", post, {"reason": "other"}), 422, "DataError")
    assert "needs a note" in bad["message"]
    bad = check_error(api.call("POST", post, {"reason": "out_of_school"}), 422, "DataError")
    assert "does not find" in bad["message"]
    check_error(api.call("POST", post, {"reason": "other", "note": "x"}, who="viewer"), 403,
                "PermissionDenied")  # fmt: skip
    other = f"/api/v1/children/{api.ids['child_b']}/at-risk-cases"
    check_error(api.call("POST", other, {"reason": "other", "note": "x"}), 404, "NotFound")
    check_error(api.call("GET", f"/api/v1/households/{api.ids['household_b']}/at-risk"), 404,
                "NotFound")  # fmt: skip

"""The alliance routes: a manager sets a partner's attributes (audited), a monitor reads
them and the partners a referral from district A may go to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring import AuditEntry
from tests.web.api.conftest import Api, check_error


def test_set_and_find_partners(api: Api) -> None:
    partner = api.ids["partner"]
    url = f"/api/v1/alliance/partners/{partner}"
    body = {"kind": "government", "active": True, "agreement_from": "2026-01-01",
            "agreement_to": "2026-12-31", "contact": "Labour office, +225 0102",
            "area_ids": [api.ids["area_b"]], "services": ["legal_protection"]}  # fmt: skip
    check_error(api.call("PUT", url, body), 403, "PermissionDenied")
    set_ = api.call("PUT", url, body, who="admin")
    assert set_.status_code == 200, set_.text
    assert api.call("GET", url).json()["services"] == ["legal_protection"]
    serving = "/api/v1/alliance/serving"
    a, b = api.ids["area_a"], api.ids["area_b"]
    # the partner covers B only: nothing offered for A; in B, on a day under its agreement
    assert api.call("GET", f"{serving}?area_id={a}&day=2026-06-01").json() == []
    found = api.call("GET", f"{serving}?area_id={b}&day=2026-06-01", who="admin").json()
    assert [p["id"] for p in found] == [partner]
    health = api.call("GET", f"{serving}?area_id={b}&day=2026-06-01&service=health", who="admin")
    assert health.json() == []
    late = api.call("GET", f"{serving}?area_id={b}&day=2027-01-01", who="admin")
    assert late.json() == []
    # the monitor of A may not ask about B (not found), nor set an agreement backwards
    check_error(api.call("GET", f"{serving}?area_id={b}"), 404, "NotFound")
    backwards = {**body, "agreement_from": "2026-02-01", "agreement_to": "2026-01-01"}
    error = check_error(api.call("PUT", url, backwards, who="admin"), 422, "DataError")
    assert "'agreement_to'" in error["message"]
    with Session(api.engine) as session:
        audited = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "partner.update")).all()  # fmt: skip
    assert len(audited) == 1
    assert audited[0]["after"]["services"] == ["legal_protection"]

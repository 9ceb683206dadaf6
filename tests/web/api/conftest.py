"""A served API over a small world: a country with districts A and B, a child in each with a
case, a service, a consent to a referral, the referral and a follow-up; users scoped to A, an
administrator, and a partner user of the partner the referrals went to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user, issue_token
from ipec.config import Settings
from ipec.db import upgrade
from ipec.monitoring import AuditEntry, Case, CaseKind, CaseStatus, Child, Household, Sex
from ipec.monitoring.consent import record_consent
from ipec.monitoring.models import (
    ConsentGiver,
    ConsentPurpose,
    FollowUp,
    PartnerKind,
    ServiceType,
)
from ipec.monitoring.service import (
    ChildInput,
    add_service,
    create_area,
    create_partner,
    refer,
    register_household,
)
from ipec.web import create_app

PASSWORD = "a long enough password"
SECRET = "s" * 40


@dataclass
class Api:
    """The client, the ids of the world, and a way to count audit rows."""

    client: TestClient
    ids: dict[str, int]
    tokens: dict[str, str]
    engine: Engine

    def auth(self, who: str = "monitor") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, method: str, path: str, body: Any = None, who: str = "monitor") -> Any:
        return self.client.request(method, path, json=body, headers=self.auth(who))

    def version(self, model: type[Child | Household | Case], record_id: int) -> int:
        """A record's current version, read directly (no audit row)."""
        with Session(self.engine) as session:
            found = session.get(model, record_id)
            assert found is not None
            return found.version

    def audit_count(self, actor: str = "monitor") -> int:
        with Session(self.engine) as session:
            query = select(func.count()).select_from(AuditEntry).where(AuditEntry.actor == actor)
            return int(session.scalar(query) or 0)


def check_error(response: Any, status: int, kind: str) -> dict[str, Any]:
    """The one error shape, with this status and type."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"type", "message", "status", "fields"}
    assert (error["type"], error["status"]) == (kind, status)
    return dict(error)


def _world(session: Session) -> tuple[dict[str, int], dict[str, str]]:
    country = create_area(session, name="Country", level="country")
    ids = {"country": country.id}
    partner = create_partner(session, name="Labour Inspectorate", kind=PartnerKind.GOVERNMENT)
    ids["partner"] = partner.id
    for key in ("a", "b"):
        area = create_area(session, name=key.upper(), level="district", parent_id=country.id)
        household = register_household(
            session, area_id=area.id, head_name="Head", actor="admin", today=date(2026, 6, 1),
            children=[ChildInput(f"child {key}", Sex.FEMALE, date(2014, 1, 1))],
        )  # fmt: skip
        child = session.scalars(select(Child).where(Child.household_id == household.id)).one()
        case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=CaseStatus.IDENTIFIED,
                    opened_on=date(2026, 1, 2))  # fmt: skip
        session.add(case)
        session.flush()
        service = add_service(session, case_id=case.id, service=ServiceType.SCHOOL_KIT,
                              started_on=date(2026, 1, 20), actor="admin")  # fmt: skip
        consent = record_consent(session, child_id=child.id, purpose=ConsentPurpose.REFERRAL,
                                 given_by=ConsentGiver.CAREGIVER, given_on=date(2026, 1, 4),
                                 partner_id=partner.id, contact=f"phone of {key}",
                                 actor="admin", today=date(2026, 6, 1))  # fmt: skip
        referral = refer(session, case_id=case.id, partner_id=partner.id, reason="support",
                         service=ServiceType.HEALTH, sent_on=date(2026, 1, 5),
                         actor="admin")  # fmt: skip
        follow_up = FollowUp(case_id=case.id, due_on=date(2026, 4, 20))
        session.add(follow_up)
        session.flush()
        ids.update({f"area_{key}": area.id, f"household_{key}": household.id,
                    f"child_{key}": child.id, f"case_{key}": case.id,
                    f"service_{key}": service.id, f"referral_{key}": referral.id,
                    f"follow_up_{key}": follow_up.id,
                    f"consent_{key}": consent.id})  # fmt: skip
    tokens = {}
    users = (("monitor", Role.MONITOR, ids["area_a"]), ("viewer", Role.VIEWER, ids["area_a"]),
             ("admin", Role.ADMIN, country.id))  # fmt: skip
    for name, role, area_id in users:
        user = create_user(session, username=name, display_name=name, password=PASSWORD,
                           role=role, area_id=area_id)  # fmt: skip
        tokens[name] = issue_token(session, user=user, label="test")
    partner_user = create_user(session, username="partner", display_name="Inspector",
                               password=PASSWORD, role=Role.PARTNER, area_id=None,
                               partner_id=partner.id)  # fmt: skip
    tokens["partner"] = issue_token(session, user=partner_user, label="test")
    return ids, tokens


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    """The API over a fresh database (SQLite, then PostgreSQL when available)."""
    upgrade(engine)
    with Session(engine) as session, session.begin():
        ids, tokens = _world(session)
    url = engine.url.render_as_string(hide_password=False)
    # No background thread reading the database while the tests run.
    app = create_app(Settings(database_url=url, secret_key=SECRET, max_body_bytes=20_000,
                              dashboard_refresh_seconds=0))  # fmt: skip
    with TestClient(app, base_url="https://testserver") as client:
        yield Api(client, ids, tokens, engine)
    app.state.engine.dispose()

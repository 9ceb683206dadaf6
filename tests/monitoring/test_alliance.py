"""The alliance: partners' attributes edited and audited, and the partners a referral is
offered for a child's area, a day and a service (worked by hand from the module's rules)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import DataError, NotFound
from ipec.monitoring.alliance import partner_profile, partners_serving, update_partner
from ipec.monitoring.models import AuditEntry, PartnerKind, ServiceType
from ipec.monitoring.service import create_area, create_partner

S = ServiceType


def _set(session: Session, partner_id: int, **changes: object) -> object:
    values: dict[str, object] = {"kind": PartnerKind.NGO, "active": True,
                                 "agreement_from": None, "agreement_to": None,
                                 "contact": None, "area_ids": [], "services": []}  # fmt: skip
    values.update(changes)
    return update_partner(session, partner_id=partner_id, actor="pm", **values)  # type: ignore[arg-type]


def test_partners_offered_for_an_area_a_day_and_a_service(session: Session) -> None:
    """Inspectorate: no area, no service (everywhere, anything). A: D1, school kit and
    health. B: R1, income generation. C: R2. D: D1, agreement 1 Jan - 30 Jun 2026.

    D1 on 1 May: Inspectorate, A, B (R1 holds D1), D; for health: Inspectorate, A, D (no
    service recorded); for income generation: Inspectorate, B, D. D1 on 1 Jul: D's agreement
    has ended. D2: Inspectorate, B. B made inactive: gone."""
    country = create_area(session, name="Country", level="country")
    r1 = create_area(session, name="R1", level="region", parent_id=country.id)
    r2 = create_area(session, name="R2", level="region", parent_id=country.id)
    d1 = create_area(session, name="D1", level="district", parent_id=r1.id)
    d2 = create_area(session, name="D2", level="district", parent_id=r1.id)
    ids = {name: create_partner(session, name=name, kind=PartnerKind.NGO).id
           for name in ("Inspectorate", "A", "B", "C", "D")}  # fmt: skip
    _set(session, ids["A"], area_ids=[d1.id], services=[S.SCHOOL_KIT, S.HEALTH])
    _set(session, ids["B"], area_ids=[r1.id], services=[S.INCOME_GENERATION])
    _set(session, ids["C"], area_ids=[r2.id])
    _set(session, ids["D"], area_ids=[d1.id], agreement_from=date(2026, 1, 1),
         agreement_to=date(2026, 6, 30))  # fmt: skip
    may = date(2026, 5, 1)

    def names(area: object, day: date, service: ServiceType | None = None) -> list[str]:
        found = partners_serving(session, area=area, day=day, service=service)  # type: ignore[arg-type]
        return [p.name for p in found]

    assert names(d1, may) == ["A", "B", "D", "Inspectorate"]
    assert names(d1, may, S.HEALTH) == ["A", "D", "Inspectorate"]
    assert names(d1, may, S.INCOME_GENERATION) == ["B", "D", "Inspectorate"]
    assert names(d1, date(2026, 7, 1)) == ["A", "B", "Inspectorate"]
    assert names(d2, may) == ["B", "Inspectorate"]
    assert names(r2, may) == ["C", "Inspectorate"]
    _set(session, ids["B"], active=False, area_ids=[r1.id], services=[S.INCOME_GENERATION])
    assert names(d2, may) == ["Inspectorate"]


def test_update_is_audited_and_checked(session: Session) -> None:
    area = create_area(session, name="Country", level="country")
    partner = create_partner(session, name="Caritas", kind=PartnerKind.NGO)
    profile = _set(session, partner.id, kind=PartnerKind.COMMUNITY, contact="  +225 01 02  ",
                   area_ids=[area.id, area.id], services=[S.HEALTH, S.SCHOOL_KIT])  # fmt: skip
    assert partner_profile(session, partner.id) == profile
    assert profile.services == [S.SCHOOL_KIT, S.HEALTH]  # type: ignore[attr-defined]
    assert profile.partner.contact == "+225 01 02"  # type: ignore[attr-defined]
    detail = session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "partner.update")).one()  # fmt: skip
    assert detail["before"]["kind"] == "ngo"
    assert detail["before"]["areas"] == []
    assert detail["after"] == {"kind": "community", "active": True, "agreement_from": None,
                               "agreement_to": None, "contact": "+225 01 02",
                               "areas": [area.id],
                               "services": ["school_kit", "health"]}  # fmt: skip
    with pytest.raises(DataError) as refused:
        _set(session, partner.id, agreement_from=date(2026, 2, 1),
             agreement_to=date(2026, 1, 1))  # fmt: skip
    assert refused.value.column == "agreement_to"
    with pytest.raises(DataError) as refused:
        _set(session, partner.id, area_ids=[10**6])
    assert refused.value.column == "area_ids"
    with pytest.raises(NotFound):
        _set(session, 10**6)

"""The alliance: what a partner is to the programme (kind, active or not, agreement dates,
contact, areas covered, services offered), edited with an audit row of before and after, and
the partners a referral may go to: active, covering the child's area, offering the service.

A partner with no area recorded works everywhere (a national body, such as the labour
inspectorate); one with areas covers each with its subtree. A partner with no service
recorded is offered for any service (the directory before the alliance was recorded); one
with services, for those. A partner whose agreement ended before the day, or starts after
it, is not offered; an inactive one never.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from ipec.errors import DataError, NotFound
from ipec.monitoring.alliance_models import PartnerArea, PartnerService
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area, Partner, PartnerKind, ServiceType

__all__ = [
    "PartnerProfile",
    "partner_profile",
    "partners_serving",
    "referral_choices",
    "update_partner",
]


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """A partner with its areas and services, as the pages and the API show it."""

    partner: Partner
    area_ids: list[int]
    services: list[ServiceType]


def partner_profile(session: Session, partner_id: int) -> PartnerProfile:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"partner {partner_id} not found")
    own_areas = select(PartnerArea.area_id).where(PartnerArea.partner_id == partner_id)
    areas = session.scalars(own_areas.order_by(PartnerArea.area_id))
    own_services = select(PartnerService.service).where(PartnerService.partner_id == partner_id)
    services = session.scalars(own_services)
    order = list(ServiceType)
    return PartnerProfile(partner, list(areas), sorted(services, key=order.index))


def _state(profile: PartnerProfile) -> dict[str, object]:
    p = profile.partner
    return {"kind": p.kind.value, "active": p.active,
            "agreement_from": p.agreement_from.isoformat() if p.agreement_from else None,
            "agreement_to": p.agreement_to.isoformat() if p.agreement_to else None,
            "contact": p.contact, "areas": profile.area_ids,
            "services": [s.value for s in profile.services]}  # fmt: skip


def update_partner(
    session: Session,
    *,
    partner_id: int,
    kind: PartnerKind,
    active: bool,
    agreement_from: date | None,
    agreement_to: date | None,
    contact: str | None,
    area_ids: Collection[int],
    services: Collection[ServiceType],
    actor: str,
    origin: str | None = None,
) -> PartnerProfile:
    """Set a partner's alliance attributes (all of them, as a form sends them); refused,
    naming the field, for an agreement that ends before it starts or an unknown area.
    Audited with the state before and after (``partner.update``)."""
    before = partner_profile(session, partner_id)
    if agreement_from and agreement_to and agreement_to < agreement_from:
        raise DataError(f"the agreement ends ({agreement_to}) before it starts "
                        f"({agreement_from})", column="agreement_to")  # fmt: skip
    wanted = sorted(set(area_ids))
    known = set(session.scalars(select(Area.id).where(Area.id.in_(wanted))))
    if unknown := [a for a in wanted if a not in known]:
        raise DataError(f"there is no area {unknown[0]}", column="area_ids")
    state = _state(before)
    partner = before.partner
    partner.kind, partner.active = kind, active
    partner.agreement_from, partner.agreement_to = agreement_from, agreement_to
    partner.contact = (contact or "").strip() or None
    session.execute(delete(PartnerArea).where(PartnerArea.partner_id == partner_id))
    session.execute(delete(PartnerService).where(PartnerService.partner_id == partner_id))
    session.add_all(PartnerArea(partner_id=partner_id, area_id=a) for a in wanted)
    session.add_all(PartnerService(partner_id=partner_id, service=s) for s in set(services))
    session.flush()
    after = partner_profile(session, partner_id)
    write_audit(session, actor=actor, action="partner.update", entity="partner",
                entity_id=partner_id, origin=origin,
                detail={"before": state, "after": _state(after)})  # fmt: skip
    return after


def partners_serving(
    session: Session, *, area: Area, day: date, service: ServiceType | None = None
) -> list[Partner]:
    """The partners a referral from ``area`` on ``day`` may go to (for ``service`` when
    given), by name: see the module's rules."""
    ancestors = [int(part) for part in area.path.strip("/").split("/") if part]
    covers = or_(
        ~exists().where(PartnerArea.partner_id == Partner.id),
        exists().where(PartnerArea.partner_id == Partner.id, PartnerArea.area_id.in_(ancestors)),
    )
    query = select(Partner).where(
        Partner.active,
        covers,
        or_(Partner.agreement_from.is_(None), Partner.agreement_from <= day),
        or_(Partner.agreement_to.is_(None), Partner.agreement_to >= day),
    )
    if service is not None:
        query = query.where(or_(
            ~exists().where(PartnerService.partner_id == Partner.id),
            exists().where(PartnerService.partner_id == Partner.id,
                           PartnerService.service == service),
        ))  # fmt: skip
    return list(session.scalars(query.order_by(Partner.name)))


def referral_choices(
    session: Session, *, area: Area, day: date
) -> list[tuple[Partner, list[ServiceType]]]:
    """The partners a referral from ``area`` may go to on ``day``, each with the services it
    offers (empty: any), for a form that lets the user see both before choosing."""
    partners = partners_serving(session, area=area, day=day)
    offered: dict[int, list[ServiceType]] = {p.id: [] for p in partners}
    rows = session.execute(select(PartnerService.partner_id, PartnerService.service).where(
        PartnerService.partner_id.in_(list(offered))))  # fmt: skip
    for partner_id, service in rows:
        offered[partner_id].append(service)
    order = list(ServiceType)
    return [(p, sorted(offered[p.id], key=order.index)) for p in partners]

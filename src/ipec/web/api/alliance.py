"""The alliance: a partner's attributes (read, and set by managers, audited), and the
partners a referral from an area may go to. Rules: :mod:`ipec.monitoring.alliance`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from ipec.auth import area_in_scope, require_role
from ipec.auth.service import MANAGER_ROLES
from ipec.monitoring.alliance import (
    PartnerProfile,
    partner_profile,
    partners_serving,
    update_partner,
)
from ipec.monitoring.models import PartnerKind, ServiceType
from ipec.web.api.common import RecordId, today
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["areas and partners"])


class PartnerProfileIn(BaseModel):
    """Every alliance attribute of a partner (what is left out is emptied)."""

    kind: PartnerKind
    active: bool = True
    agreement_from: date | None = None
    agreement_to: date | None = None
    contact: str | None = Field(default=None, max_length=500)
    area_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = []
    services: list[ServiceType] = []


class PartnerProfileOut(PartnerProfileIn):
    id: int
    name: str


def _out(profile: PartnerProfile) -> PartnerProfileOut:
    p = profile.partner
    return PartnerProfileOut(
        id=p.id, name=p.name, kind=p.kind, active=p.active, agreement_from=p.agreement_from,
        agreement_to=p.agreement_to, contact=p.contact, area_ids=profile.area_ids,
        services=profile.services,
    )  # fmt: skip


@router.get("/alliance/serving", response_model=list[PartnerProfileOut])
def serving(
    db: DbSession,
    who: CurrentPrincipal,
    area_id: Annotated[int, Query(ge=1, le=2_147_483_647)],
    service: ServiceType | None = None,
    day: date | None = None,
) -> list[PartnerProfileOut]:
    """The partners a referral from ``area_id`` (one of the caller's) may go to on ``day``
    (today by default), for ``service`` when given: active, covering the area, offering the
    service, under agreement that day."""
    area = area_in_scope(db, who, area_id)
    found = partners_serving(db, area=area, day=day or today(), service=service)
    return [_out(partner_profile(db, p.id)) for p in found]


@router.get("/alliance/partners/{partner_id}", response_model=PartnerProfileOut)
def read_partner(partner_id: RecordId, db: DbSession, who: CurrentPrincipal) -> PartnerProfileOut:
    """A partner with its alliance attributes (the directory is public to every user)."""
    return _out(partner_profile(db, partner_id))


@router.put("/alliance/partners/{partner_id}", response_model=PartnerProfileOut)
def set_partner(
    partner_id: RecordId,
    body: PartnerProfileIn,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
) -> PartnerProfileOut:
    """Set a partner's alliance attributes (administrators and programme managers; audited
    with before and after)."""
    require_role(who, MANAGER_ROLES, "change partners")
    for area_id in body.area_ids:
        area_in_scope(db, who, area_id)
    profile = update_partner(
        db, partner_id=partner_id, kind=body.kind, active=body.active,
        agreement_from=body.agreement_from, agreement_to=body.agreement_to,
        contact=body.contact, area_ids=body.area_ids, services=body.services,
        actor=who.username, origin=origin(request),
    )  # fmt: skip
    return _out(profile)

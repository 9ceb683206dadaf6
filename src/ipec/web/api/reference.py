"""Areas and partners: the reference lists every record hangs on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from ipec.auth import Role, area_in_scope, require_role
from ipec.auth.service import MANAGER_ROLES
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area, Partner
from ipec.monitoring.service import create_area, create_partner
from ipec.web.api.common import RecordId
from ipec.web.api.schemas import AreaIn, AreaOut, PartnerIn, PartnerOut
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["areas and partners"])


@router.get("/areas", response_model=list[AreaOut])
def list_areas(db: DbSession, who: CurrentPrincipal) -> list[AreaOut]:
    """The caller's area and every area under it, by path (parents before children)."""
    areas = db.scalars(
        select(Area).where(Area.path.startswith(who.scope_path, autoescape=True))
        .order_by(Area.path)
    )  # fmt: skip
    return [AreaOut.model_validate(area) for area in areas]


@router.get("/areas/{area_id}", response_model=AreaOut)
def read_area(area_id: RecordId, db: DbSession, who: CurrentPrincipal) -> AreaOut:
    """One area of the caller's subtree."""
    return AreaOut.model_validate(area_in_scope(db, who, area_id))


@router.post("/areas", response_model=AreaOut, status_code=201)
def add_area(request: Request, body: AreaIn, db: DbSession, who: CurrentPrincipal) -> AreaOut:
    """A new area under one of the caller's areas (administrators only; audit-logged)."""
    require_role(who, {Role.ADMIN}, "create areas")
    area_in_scope(db, who, body.parent_id)
    area = create_area(db, name=body.name, level=body.level, parent_id=body.parent_id)
    detail = {"parent": body.parent_id, "name": body.name}
    write_audit(db, actor=who.username, action="area.create", entity="area", entity_id=area.id,
                origin=origin(request), detail=detail)  # fmt: skip
    return AreaOut.model_validate(area)


@router.get("/partners", response_model=list[PartnerOut])
def list_partners(db: DbSession, who: CurrentPrincipal) -> list[PartnerOut]:
    """The partner directory, by name."""
    partners = db.scalars(select(Partner).order_by(Partner.name))
    return [PartnerOut.model_validate(partner) for partner in partners]


@router.post("/partners", response_model=PartnerOut, status_code=201)
def add_partner(
    request: Request, body: PartnerIn, db: DbSession, who: CurrentPrincipal
) -> PartnerOut:
    """A new partner organisation (administrators and programme managers; audit-logged)."""
    require_role(who, MANAGER_ROLES, "add partners")
    partner = create_partner(db, name=body.name, kind=body.kind)
    write_audit(db, actor=who.username, action="partner.create", entity="partner",
                entity_id=partner.id, origin=origin(request),
                detail={"name": body.name, "kind": body.kind.value})  # fmt: skip
    return PartnerOut.model_validate(partner)

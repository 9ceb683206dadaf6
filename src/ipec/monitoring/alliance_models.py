"""The alliance's tables: the areas a partner covers and the services it offers (the
partner's own attributes are columns of :class:`ipec.monitoring.models.Partner`, which
registers this module from its bottom)."""

from __future__ import annotations

from sqlalchemy import Enum, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ipec.db.base import Base
from ipec.monitoring.models import ServiceType

__all__ = ["PartnerArea", "PartnerService"]


class PartnerArea(Base):
    """An area (with its subtree) a partner covers."""

    __tablename__ = "partner_areas"
    __table_args__ = (Index(None, "area_id", "partner_id"),)

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)


class PartnerService(Base):
    """A service a partner offers."""

    __tablename__ = "partner_services"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    service: Mapped[ServiceType] = mapped_column(
        Enum(ServiceType, name="service_type", native_enum=False,
             values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )  # fmt: skip

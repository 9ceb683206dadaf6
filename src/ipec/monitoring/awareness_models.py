"""The awareness-raising sessions' table (rules and counts: :mod:`ipec.monitoring.awareness`;
registered from the bottom of :mod:`ipec.monitoring.models`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipec.db.base import Base

__all__ = ["AwarenessKind", "AwarenessSession"]


class AwarenessKind(StrEnum):
    COMMUNITY_MEETING = "community_meeting"
    SCHOOL_SESSION = "school_session"
    RADIO = "radio"
    INSPECTOR_TRAINING = "inspector_training"
    EMPLOYER_TRAINING = "employer_training"


class AwarenessSession(Base):
    """One awareness-raising session (or one broadcast of a campaign)."""

    __tablename__ = "awareness_sessions"
    __table_args__ = (Index(None, "area_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[AwarenessKind] = mapped_column(
        Enum(AwarenessKind, name="awareness_kind", native_enum=False,
             values_callable=lambda e: [m.value for m in e])
    )  # fmt: skip
    campaign: Mapped[str | None] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    audience: Mapped[str | None] = mapped_column(String(200))
    women: Mapped[int] = mapped_column(Integer)
    men: Mapped[int] = mapped_column(Integer)
    girls: Mapped[int] = mapped_column(Integer)
    boys: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(100))

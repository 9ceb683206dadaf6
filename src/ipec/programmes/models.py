"""Programmes (a national time-bound programme, a donor project, a company's CLMRS), their
areas, phases and partners' roles, and their targets.

Records do not carry a programme id: a programme is its areas and its period, and a
visit, case or service belongs to every programme whose areas hold it (by the area the
metrics already read) in a period of the programme. So the existing records, the demo and
the read model stay as they are (no column on millions of rows, no index rebuilt), a
deployment runs several programmes side by side (disjoint areas, or a donor project inside a
national programme, whose children count in both, as they should), and the achieved values
are the metrics' own. See docs/monitoring.md, "Programmes and targets".
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipec.db.base import Base

__all__ = [
    "PartnerRole",
    "PeriodKind",
    "Programme",
    "ProgrammeArea",
    "ProgrammeKind",
    "ProgrammePartner",
    "ProgrammePhase",
    "Target",
    "TargetGroup",
]


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e])


class ProgrammeKind(StrEnum):
    NATIONAL_TBP = "national_tbp"
    DONOR_PROJECT = "donor_project"
    COMPANY_CLMRS = "company_clmrs"


class PartnerRole(StrEnum):
    """A partner's role in one programme (the alliance)."""

    IMPLEMENTING = "implementing"
    REFERRAL_SERVICE = "referral_service"
    FUNDING = "funding"
    GOVERNMENT_AUTHORITY = "government_authority"
    EMPLOYERS = "employers_organisation"
    WORKERS = "workers_organisation"
    MEDIA = "media"
    RESEARCH = "research"


class PeriodKind(StrEnum):
    """A target's period: a calendar quarter, half-year or year."""

    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class TargetGroup(StrEnum):
    """Whom a target counts: everyone, or one of the priority groups."""

    ALL = "all"
    WORST_FORMS = "worst_forms"
    HAZARDOUS = "hazardous"
    UNDER_12 = "under_12"
    GIRLS = "girls"
    BOYS = "boys"
    AT_RISK = "at_risk"


class Programme(Base):
    """A programme: what it is, who funds it, its period and profile."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[ProgrammeKind] = mapped_column(_enum(ProgrammeKind, "programme_kind"))
    donor: Mapped[str | None] = mapped_column(String(200))
    profile_id: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))

    areas: Mapped[list[ProgrammeArea]] = relationship(cascade="all, delete-orphan")
    phases: Mapped[list[ProgrammePhase]] = relationship(
        cascade="all, delete-orphan", order_by="ProgrammePhase.starts_on"
    )
    partners: Mapped[list[ProgrammePartner]] = relationship(cascade="all, delete-orphan")


class ProgrammeArea(Base):
    """An area (with its subtree) the programme covers."""

    __tablename__ = "programme_areas"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)


class ProgrammePhase(Base):
    """A named phase of a programme (inception, implementation, phase-out)."""

    __tablename__ = "programme_phases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class ProgrammePartner(Base):
    """A partner's role in a programme."""

    __tablename__ = "programme_partners"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    role: Mapped[PartnerRole] = mapped_column(_enum(PartnerRole, "partner_role"), primary_key=True)


class Target(Base):
    """A planned value of an indicator, for a period, an area of the programme and a group.
    The achieved value is never stored: the metrics compute it."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    period_kind: Mapped[PeriodKind] = mapped_column(_enum(PeriodKind, "period_kind"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    target_group: Mapped[TargetGroup] = mapped_column(_enum(TargetGroup, "target_group"))
    planned: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)

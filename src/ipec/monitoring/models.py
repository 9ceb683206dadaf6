"""The monitoring records: areas, households, children, visits, cases, their history, the audit log.

Each visit stores its own classification (profile id and version, reasons, explanation), so
history stays true when a profile changes. Cases carry a version number: a write made from a
stale copy is refused (optimistic concurrency).

Visits and cases carry ``area_id``, a copy of their child's household's area, and follow-ups
a copy of their case's, so that an area subtree's visits, cases or follow-ups are one index
range of their own table (not a walk down through households and children). A child's
household, a visit's or case's child and a follow-up's case never change. A household's area
changes only by a recorded move (:class:`HouseholdMove`): its children's cases and their
follow-ups move with it, its visits keep the area where they were made. The ORM enforces
it: an inserted visit, case or follow-up gets its child's (case's) area; a flush that
changes a fixed column, a household's area other than to its latest move's, or a case's or
follow-up's area other than to its household's (case's), is refused.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from ipec.db.base import Base
from ipec.errors import DataError, NotFound

__all__ = [
    "Approval",
    "ApprovalKind",
    "ApprovalStatus",
    "Area",
    "AreaMonitor",
    "AuditEntry",
    "Case",
    "CaseEvent",
    "CaseFacts",
    "CaseKind",
    "CaseStatus",
    "Child",
    "ChildFacts",
    "Consent",
    "ConsentGiver",
    "ConsentPurpose",
    "FollowUp",
    "Household",
    "HouseholdMove",
    "LeaveReason",
    "NameKey",
    "Partner",
    "PartnerKind",
    "PlanAction",
    "PlanActionStatus",
    "Referral",
    "ReferralStatus",
    "RemediationService",
    "ServiceType",
    "Sex",
    "SubmissionImport",
    "Visit",
]


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class CaseStatus(StrEnum):
    """Where a case stands in the workflow (see ``ipec.monitoring.workflow``)."""

    AT_RISK = "at_risk"
    IDENTIFIED = "identified"
    ACTION_PLANNED = "action_planned"
    IN_REMEDIATION = "in_remediation"
    UNDER_FOLLOW_UP = "under_follow_up"
    CLOSED = "closed"


class LeaveReason(StrEnum):
    """Why a child left the programme's register (the records stay)."""

    MOVED = "moved"
    DIED = "died"
    AGED_OUT = "aged_out"


class CaseKind(StrEnum):
    """Why the case was opened: child labour found, or a child at risk (prevention)."""

    CHILD_LABOUR = "child_labour"
    AT_RISK = "at_risk"


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e])


class PartnerKind(StrEnum):
    GOVERNMENT = "government"
    EMPLOYERS = "employers_organisation"
    WORKERS = "workers_organisation"
    NGO = "ngo"
    UNIVERSITY = "university"
    MEDIA = "media"
    COMMUNITY = "community"
    COMPANY = "company"


class ServiceType(StrEnum):
    """Remediation services (MONITORING.md); the first five count as education or training."""

    SCHOOL_ENROLMENT = "school_enrolment"
    SCHOOL_KIT = "school_kit"
    BRIDGING_CLASS = "bridging_class"
    VOCATIONAL_TRAINING = "vocational_training"
    APPRENTICESHIP = "apprenticeship"
    BIRTH_REGISTRATION = "birth_registration"
    HEALTH = "health"
    PSYCHOSOCIAL = "psychosocial"
    INCOME_GENERATION = "income_generation"
    SAVINGS_GROUP = "savings_group"
    CASH_TRANSFER = "cash_transfer"
    COMMUNITY_ACTION = "community_action"
    LEGAL_PROTECTION = "legal_protection"


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DONE = "done"
    REVOKED = "revoked"


class Area(Base):
    """An administrative area; ``path`` ("/1/4/17/") makes subtree queries one index scan.

    ``code`` is the national administrative code (unique; none for an area added by hand),
    which ``ipec areas import`` matches areas by. ``boundary`` is its boundary as GeoJSON text
    (a Polygon or MultiPolygon geometry), loaded only when read.
    """

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    boundary: Mapped[str | None] = mapped_column(Text, deferred=True)


class Household(Base):
    """A household in an area, optionally linked to a supply-chain unit (farm, cooperative).

    Its area changes only by a move (:class:`HouseholdMove`, written with the change by
    ``ipec.monitoring.service.move_household``); its GPS point (``latitude``, ``longitude``,
    both or neither) is optional.
    """

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    supply_unit: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)

    children: Mapped[list[Child]] = relationship(back_populates="household")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Child(Base):
    """A child of a household; the same name, sex and birth date twice in one household is
    refused as a duplicate."""

    __tablename__ = "children"
    __table_args__ = (UniqueConstraint("household_id", "name", "sex", "birth_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sex: Mapped[Sex] = mapped_column(_enum(Sex, "sex"))
    birth_date: Mapped[date] = mapped_column(Date)
    school_status: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: False once the child left the household's register (``left_on``, ``left_reason``):
    #: the records stay, the lists hide the child unless asked.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[LeaveReason | None] = mapped_column(_enum(LeaveReason, "leave_reason"))

    household: Mapped[Household] = relationship(back_populates="children")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class HouseholdMove(Base):
    """A household's move from one area to another, on a day, by whom and why: its history
    of areas (the household's ``area_id`` is the last move's ``to_area_id``)."""

    __tablename__ = "household_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    from_area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    to_area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    moved_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)


#: The text of a search key: byte order on PostgreSQL as on SQLite.
_KEY_TEXT = String(80).with_variant(String(80, collation="C"), "postgresql")


class NameKey(Base):
    """One word of a name, as it is searched (``ipec.monitoring.search_keys`` keeps them):
    a word of a child's name (``child_id`` set), or of its household head's name or supply
    unit (``child_id`` None), with the word's letters (``ipec.monitoring.names.words``), its
    sound key (``names.sound_key``) and a copy of the household's area. A search reads a
    prefix of ``word`` or one ``sound``, with the area and the ids, from one index."""

    __tablename__ = "name_keys"
    # The words and the sounds, each with the area and the ids (a search reads the matching
    # ids of an area from the index alone); a household's keys with their words and sounds
    # (a search tests a candidate child's or household's few keys there).
    __table_args__ = (
        Index("ix_name_keys_word", "word", "area_id", "child_id", "household_id"),
        Index("ix_name_keys_sound", "sound", "area_id", "child_id", "household_id"),
        Index("ix_name_keys_owner", "household_id", "child_id", "word", "sound"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"))
    #: The household's area, copied (a move re-keys the household).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    #: Compared byte by byte on PostgreSQL too (collation "C"), so that the words starting
    #: with a prefix are one range of the index whatever the database's collation.
    word: Mapped[str] = mapped_column(_KEY_TEXT)
    sound: Mapped[str] = mapped_column(_KEY_TEXT)


class Visit(Base):
    """A monitoring observation of one child: the canonical record and its classification.

    ``school_days_attended`` and ``school_days_open`` (both or neither) give school attendance
    over the term the monitor checked, for the donors' regular-attendance indicator.
    """

    __tablename__ = "visits"
    # A child's visits by date then id (the order the metrics and the child facts take them
    # in), and an area's visits by date, with what the metrics read (so they need not read
    # the rows). The first is named: the conventional name is too long for PostgreSQL.
    __table_args__ = (
        Index(
            "ix_visits_child_history",
            *("child_id", "visit_date", "id", "age", "child_labour", "hazardous_work"),
        ),
        Index(None, "area_id", "visit_date", "child_id", "age", "child_labour"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    #: The child's household's area, copied (see the module's notes on ``area_id``).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    age: Mapped[int] = mapped_column(Integer)
    monitor: Mapped[str] = mapped_column(String(100))
    consent: Mapped[bool] = mapped_column(Boolean)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    profile_id: Mapped[str] = mapped_column(String(64))
    profile_version: Mapped[str] = mapped_column(String(32))
    #: A work status (``ipec.classify.WorkStatus``): ``undetermined`` when a value the verdict
    #: depends on was not recorded; ``missing`` then names the fields to ask again.
    status: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    explanation: Mapped[str] = mapped_column(Text)
    child_labour: Mapped[bool] = mapped_column(Boolean, index=True)
    hazardous_work: Mapped[bool] = mapped_column(Boolean)
    school_days_attended: Mapped[int | None] = mapped_column(Integer)
    school_days_open: Mapped[int | None] = mapped_column(Integer)


#: What the identification rate and coverage read of an area's children, in an index of
#: their facts.
_VISITED_COLUMNS = ("area_id", "last_date", "sex", "last_age", "last_found_on", "household_id",
                    "child_id")  # fmt: skip
#: What effectiveness reads of an area's children in remediation, in an index of their facts.
_REMEDIATION_COLUMNS = ("area_id", "remediation_start", "last_date", "prev_date", "child_id",
                        "sex", "last_age", "last_child_labour", "prev_child_labour")  # fmt: skip


class ChildFacts(Base):
    """What a child's records say, kept with every visit and service written and every
    correction of the child's sex (``ipec.monitoring.readmodel``): the age at the first visit and
    at the first visit that found child labour, the latest two visits (by date, the later id
    first on the same day), the latest visit that found child labour, the day remediation
    started, and the child's area, household and sex. The metrics read one row per child here
    instead of ranking the child's visits; the flags are 0 or 1."""

    __tablename__ = "child_facts"
    # The children with a visit after a past period's end (the metrics read their visits);
    # an area's children by their latest visit, and those in remediation, with what the
    # identification rate, coverage and effectiveness read of them.
    __table_args__ = (
        Index(None, "last_date"),
        Index("ix_child_facts_visited", *_VISITED_COLUMNS),
        Index("ix_child_facts_remediation", *_REMEDIATION_COLUMNS),
    )

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), primary_key=True)
    #: The child's household's area now, copied (computed again when the household moves;
    #: the child's visits keep the area where they were made).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    #: The child's household, copied (it never changes).
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    #: The child's sex, copied (and copied again when it is corrected).
    sex: Mapped[Sex] = mapped_column(_enum(Sex, "sex"))
    #: The first start date of a service in any of the child's child-labour cases.
    remediation_start: Mapped[date | None] = mapped_column(Date)
    #: The day of the child's latest visit that found child labour.
    last_found_on: Mapped[date | None] = mapped_column(Date)
    first_age: Mapped[int] = mapped_column(Integer)
    last_date: Mapped[date] = mapped_column(Date)
    last_age: Mapped[int] = mapped_column(Integer)
    last_monitor: Mapped[str] = mapped_column(String(100))
    last_child_labour: Mapped[int] = mapped_column(Integer)
    last_hazardous: Mapped[int] = mapped_column(Integer)
    #: Whether the latest visit found a worst form other than hazardous work (``WFCL_OTHER``).
    last_worst: Mapped[int] = mapped_column(Integer)
    last_attended: Mapped[int | None] = mapped_column(Integer)
    last_open: Mapped[int | None] = mapped_column(Integer)
    prev_date: Mapped[date | None] = mapped_column(Date)
    prev_child_labour: Mapped[int | None] = mapped_column(Integer)
    #: The smallest age among the child's visits that found child labour (its age at the
    #: first of them; None while none has).
    first_found_age: Mapped[int | None] = mapped_column(Integer)


#: What a case list reads of an area's cases, and of every case in priority order.
_AREA_PRIORITY_COLUMNS = ("area_id", "status", "worst_forms", "hazardous", "opened_on",
                          "child_id", "id", "child_birth_date", "child_sex")  # fmt: skip
_PRIORITY_COLUMNS = ("worst_forms", "hazardous", "opened_on", "id", "status", "area_id",
                     "child_id", "child_birth_date", "child_sex")  # fmt: skip


class Case(Base):
    """One case per child in (or at risk of) child labour, with its workflow status."""

    __tablename__ = "cases"
    # An area's cases by status, with what a case list sorts by (priority, with the child's
    # birth date and sex) and the child: a list reads its cases from the index alone. The
    # second index walks every case in priority order (worst forms, hazardous, then the
    # oldest), so the top of a long list is found without sorting it or looking up a child.
    # The third gives the metrics an area's cases of a kind, opened or open in a period,
    # without their rows.
    __table_args__ = (
        Index("ix_cases_area_id_priority", *_AREA_PRIORITY_COLUMNS),
        Index("ix_cases_priority", *_PRIORITY_COLUMNS),
        Index(
            "ix_cases_area_kind_dates",
            *("area_id", "kind", "opened_on", "closed_on", "child_id", "id"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    #: The child's household's area, copied (see the module's notes on ``area_id``).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind, "case_kind"))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "case_status"), index=True)
    worst_forms: Mapped[bool] = mapped_column(Boolean, default=False)
    hazardous: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The child's sex and birth date, copied (and copied again when they are corrected): the
    #: case list sorts and filters by them (girls, under 12) from the cases' indexes.
    child_sex: Mapped[Sex] = mapped_column(_enum(Sex, "sex"))
    child_birth_date: Mapped[date] = mapped_column(Date)
    #: The case worker the case is assigned to (``ipec.monitoring.supervision.assign_case``);
    #: None: nobody in particular (the area's monitor does its follow-ups).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


#: What the caseload reads of an area's cases (open at a day, by the monitor of the child's
#: latest visit), in an index of their facts; the outcomes read the rows of an area's cases.
_CASE_AREA_COLUMNS = ("area_id", "opened_on", "closed_on", "last_date", "last_monitor",
                      "child_id")  # fmt: skip


class CaseFacts(Base):
    """What a case's records say, kept with every visit, case and service written
    (``ipec.monitoring.readmodel``): what the identification visit found (the child's first visit
    on or after the day the case opened, the earlier id first on the same day; None while
    there is none), the first start date of the case's services, of any kind and of education
    or training, and how many kinds of service it has had. The outcomes and the support rate
    read one row per case here instead of probing the case's visits and summing its
    services; the flags are 0 or 1.

    With them, copies of what the region metrics read of the case and of its child's facts
    (None while the child has no visit), so that the outcomes and the caseload read one
    range of rows per area instead of looking up the facts of each case's child.
    """

    __tablename__ = "case_facts"
    # An area's cases with what the case metrics read of them; the cases whose child has a
    # visit after a past period's end (their snapshot is computed from the visits), found
    # from this index alone rather than by reading every area's rows.
    __table_args__ = (Index("ix_case_facts_area", *_CASE_AREA_COLUMNS), Index(None, "last_date"))

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    first_child_labour: Mapped[int | None] = mapped_column(Integer)
    first_hazardous: Mapped[int | None] = mapped_column(Integer)
    first_service_on: Mapped[date | None] = mapped_column(Date)
    first_education_on: Mapped[date | None] = mapped_column(Date)
    #: The number of distinct kinds (``type``) among the case's services.
    service_kinds: Mapped[int] = mapped_column(Integer)
    #: Copies of the case's columns.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind, "case_kind"))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: Copies of the child's facts.
    sex: Mapped[Sex | None] = mapped_column(_enum(Sex, "sex"))
    last_date: Mapped[date | None] = mapped_column(Date)
    prev_date: Mapped[date | None] = mapped_column(Date)
    last_age: Mapped[int | None] = mapped_column(Integer)
    last_monitor: Mapped[str | None] = mapped_column(String(100))
    last_child_labour: Mapped[int | None] = mapped_column(Integer)
    last_hazardous: Mapped[int | None] = mapped_column(Integer)


class CaseEvent(Base):
    """One step of a case's history: the status it left, the one it reached, who and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[CaseStatus | None] = mapped_column(_enum(CaseStatus, "case_status"))
    to_status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "case_status"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="events")


class AuditEntry(Base):
    """Append-only: every read and change of a child's record (who, what, when, from where)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Partner(Base):
    """An organisation that provides services or takes referrals."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[PartnerKind] = mapped_column(_enum(PartnerKind, "partner_kind"))
    # The alliance (ipec.monitoring.alliance): whether it works with the programme now, its
    # agreement's dates and whom to call; the areas it covers and the services it offers
    # are rows of PartnerArea and PartnerService.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    agreement_from: Mapped[date | None] = mapped_column(Date)
    agreement_to: Mapped[date | None] = mapped_column(Date)
    contact: Mapped[str | None] = mapped_column(Text)


class RemediationService(Base):
    """A service given to a child in a case (education, livelihood, protection...)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    type: Mapped[ServiceType] = mapped_column(_enum(ServiceType, "service_type"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class Referral(Base):
    """A referral of a case to a partner (labour inspection, police, social services...)."""

    __tablename__ = "referrals"
    # A partner's referrals, newest first (a partner user's list).
    __table_args__ = (Index("ix_referrals_partner_sent", "partner_id", "sent_on", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    #: Whether a consent record (``consent_id``) is the referral's basis.
    consent: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[ReferralStatus] = mapped_column(_enum(ReferralStatus, "referral_status"))
    reason: Mapped[str] = mapped_column(Text)
    sent_on: Mapped[date] = mapped_column(Date)
    #: The service asked of the partner (None: not said, as in referrals made before).
    service: Mapped[ServiceType | None] = mapped_column(_enum(ServiceType, "service_type"))
    #: The consent to this referral (``ipec.monitoring.consent``); None: none was recorded,
    #: and the referral of a worst form was made under an override (who, why).
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"), index=True)
    override_by: Mapped[str | None] = mapped_column(String(100))
    override_reason: Mapped[str | None] = mapped_column(Text)
    #: The partner's answer: who gave it, when, and why (required to reject).
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer_note: Mapped[str | None] = mapped_column(Text)


class ConsentPurpose(StrEnum):
    """What a consent is for (``ipec.monitoring.consent``)."""

    VISIT_RECORD = "visit_record"
    REFERRAL = "referral"
    DATA_SHARING = "data_sharing"


class ConsentGiver(StrEnum):
    """Who gave a consent: the child, or a parent or caregiver."""

    CHILD = "child"
    CAREGIVER = "caregiver"


class Consent(Base):
    """A consent given for a child: who gave it, for what (a referral to a named partner,
    with the contact the family agreed to share with it), on which day, and, once withdrawn,
    when, by whom and why. A withdrawn consent is kept (the history of who agreed to what);
    it stops the sharing it allowed (``ipec.monitoring.consent``)."""

    __tablename__ = "consents"
    __table_args__ = (Index(None, "child_id", "purpose", "partner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    purpose: Mapped[ConsentPurpose] = mapped_column(_enum(ConsentPurpose, "consent_purpose"))
    #: The partner named (required for a referral, optional for data sharing).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    given_by: Mapped[ConsentGiver] = mapped_column(_enum(ConsentGiver, "consent_giver"))
    #: The name of the caregiver who gave it (or None: the child, or not said).
    giver_name: Mapped[str | None] = mapped_column(String(200))
    given_on: Mapped[date] = mapped_column(Date)
    #: The contact the family agreed to share with the partner (a referral's).
    contact: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


#: What an area's follow-ups are read by (every column but the id, which SQLite's index holds
#: anyway), and a user's own.
_FOLLOW_UP_AREA_COLUMNS = ("area_id", "visit_id", "due_on", "case_id", "assignee_id",
                           "rule_due_on")  # fmt: skip
_FOLLOW_UP_ASSIGNEE_COLUMNS = ("assignee_id", "visit_id", "due_on", "case_id", "area_id")


class FollowUp(Base):
    """A follow-up visit due for a case; ``visit_id`` is set when the visit was made."""

    __tablename__ = "follow_ups"
    # A case's follow-ups with whether and when they are due: "overdue" (not done, due before
    # a day) is one index range per case, without reading the rows. The second index gives
    # an area's follow-ups not done and due before a day, with their cases (the children lost
    # to follow-up, a district's overdue cases, a monitor's week), without reading the
    # follow-up rows (it holds every column). The third gives a user's own follow-ups not
    # done, by due date (a monitor's week).
    __table_args__ = (
        Index(None, "case_id", "visit_id", "due_on"),
        Index("ix_follow_ups_area_open", *_FOLLOW_UP_AREA_COLUMNS),
        Index("ix_follow_ups_assignee_open", *_FOLLOW_UP_ASSIGNEE_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: The case's area, copied (see the module's notes on ``area_id``).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    #: The user the follow-up is assigned to, over its area's monitor (:class:`AreaMonitor`;
    #: ``ipec.monitoring.assignment``); None: the area's.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The rule's date, once the due date was moved from it (``followup.move_bounds``); None:
    #: ``due_on`` is the rule's date.
    rule_due_on: Mapped[date | None] = mapped_column(Date)


class AreaMonitor(Base):
    """The user responsible for the follow-ups of an area, and of the areas below it that
    have none of their own (the nearest assigned area above a follow-up's applies; a
    follow-up's own ``assignee_id`` overrides it: ``ipec.monitoring.assignment``)."""

    __tablename__ = "area_monitors"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[str] = mapped_column(String(100))


class ApprovalKind(StrEnum):
    """What a supervisor is asked to approve: a case's plan, or its closure."""

    PLAN = "plan"
    CLOSURE = "closure"


class ApprovalStatus(StrEnum):
    """Where a request for approval stands; ``withdrawn``: the case moved on before a
    decision (a relapse while its closure waited, say)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Approval(Base):
    """A request that a supervisor approve a case's plan or closure, and the decision
    (``ipec.monitoring.approvals``): who asked, when and why; who decided, when, and the
    comment (required to reject, and to approve a closure the rule does not allow yet:
    ``override`` is then true). ``area_id`` is a copy of the case's area, written with the
    request and moved with the case (``ipec.monitoring.case_assignment``)."""

    __tablename__ = "approvals"
    # The queue: an area's requests awaiting a decision, oldest first, with their cases;
    # the whole programme's, oldest first (read in order, up to the page).
    __table_args__ = (
        Index("ix_approvals_queue", "status", "area_id", "requested_at", "id", "case_id"),
        Index("ix_approvals_oldest", "status", "requested_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: The case's area, copied (the queue of a subtree is one index range per area).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[ApprovalKind] = mapped_column(_enum(ApprovalKind, "approval_kind"))
    status: Mapped[ApprovalStatus] = mapped_column(_enum(ApprovalStatus, "approval_status"))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    override: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanActionStatus(StrEnum):
    """Where an action of a case plan stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class PlanAction(Base):
    """One action of a case's plan: the service to give, who is responsible (a user of the
    programme or a partner, exactly one), by when, and where it stands
    (``ipec.monitoring.approvals``)."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    service: Mapped[ServiceType] = mapped_column(_enum(ServiceType, "service_type"))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responsible_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[PlanActionStatus] = mapped_column(_enum(PlanActionStatus, "plan_action_status"))
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubmissionImport(Base):
    """A form submission imported (``ipec.forms.importer``), by its ``instanceID``: an
    import meets it again and changes nothing. Written in the transaction of the records the
    submission made, so an interrupted import leaves none without the other."""

    __tablename__ = "submission_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(100), unique=True)
    form_kind: Mapped[str] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(400))
    #: What it made: {"household": id} or {"visit": id}.
    made: Mapped[dict[str, Any]] = mapped_column(JSON)


#: A case's copies of its child's columns: case attribute -> child attribute.
CHILD_COPIES = {"child_sex": "sex", "child_birth_date": "birth_date"}


def changed(target: object, *names: str) -> bool:
    """Whether the flush being written changes one of the attributes ``names`` of ``target``."""
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


def _copies_of_child(mapper: Mapper[Any], connection: Connection, target: Visit | Case) -> None:
    """Before a visit or case is inserted: give it its child's household's area, and a case
    the child's sex and birth date (or refuse others given by the caller); one read."""
    found = connection.execute(
        select(Household.area_id, Child.sex, Child.birth_date)
        .join(Child, Child.household_id == Household.id)
        .where(Child.id == target.child_id)
    ).one_or_none()
    if found is None:
        raise NotFound(f"child {target.child_id} not found")
    area, *child = found
    what = f"a {mapper.class_.__name__.lower()} of child {target.child_id}"
    _copy_area(target, area, what=what, source="the child's household's")
    if not isinstance(target, Case):
        return
    for name, value in zip(CHILD_COPIES, child, strict=True):
        given = getattr(target, name)
        if given is None:
            setattr(target, name, value)
        elif given != value:
            raise DataError(f"{what} has the child's {CHILD_COPIES[name]} ({value}), not {given}")


def _copy_area(target: Visit | Case | FollowUp, area: int, *, what: str, source: str) -> None:
    """Give ``target`` (``what``, for the message) the area of ``source``, or refuse another
    one given by the caller."""
    if target.area_id is None:
        target.area_id = area
    elif target.area_id != area:
        raise DataError(f"{what} is in area {area} ({source}), not {target.area_id}")


def _area_of_case(_mapper: Mapper[Any], connection: Connection, target: FollowUp) -> None:
    """Before a follow-up is inserted: give it its case's area (or refuse a different one
    given by the caller)."""
    area = connection.scalar(select(Case.area_id).where(Case.id == target.case_id))
    if area is None:
        raise NotFound(f"case {target.case_id} not found")
    _copy_area(target, area, what=f"a follow-up of case {target.case_id}", source="the case's")


#: Columns a flush may not change: the copies of ``area_id`` and the facts
#: (``ipec.monitoring.readmodel``: a child's remediation starts in its child-labour cases) rely
#: on them; a case's copies of its child's sex and birth date change only with the child's.
#: A visit keeps the area where it was made.
_FIXED = {Child: ("household_id",), Visit: ("child_id", "area_id"),
          Case: ("child_id", "kind", *CHILD_COPIES), FollowUp: ("case_id",)}  # fmt: skip


def _refuse_moves(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    """Before an update: refuse a change of a column in ``_FIXED``."""
    for name in _FIXED[mapper.class_]:
        if changed(target, name):
            what = mapper.class_.__name__.lower()
            copied = name in CHILD_COPIES
            raise DataError(
                f"the {name} of {what} {target.id} cannot change",
                hint="correct the child's record" if copied else f"register a new {what} instead",
            )


def _area_it_follows(connection: Connection, target: Household | Case | FollowUp) -> int | None:
    """The area ``target`` may move to: a household's latest recorded move's, a case's
    child's household's, a follow-up's case's."""
    if isinstance(target, Household):
        latest = (
            select(HouseholdMove.to_area_id)
            .where(HouseholdMove.household_id == target.id)
            .order_by(HouseholdMove.id.desc())
            .limit(1)
        )
        return connection.scalar(latest)
    if isinstance(target, Case):
        return connection.scalar(
            select(Household.area_id)
            .join(Child, Child.household_id == Household.id)
            .where(Child.id == target.child_id)
        )
    return connection.scalar(select(Case.area_id).where(Case.id == target.case_id))


def _refuse_stray_areas(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    """Before an update: a household's area changes only to the area of a move recorded
    first, a case's only to its child's household's, a follow-up's only to its case's (a
    move takes them along; ``ipec.monitoring.service.move_household``)."""
    if not changed(target, "area_id"):
        return
    if target.area_id != _area_it_follows(connection, target):
        what = mapper.class_.__name__.lower()
        raise DataError(
            f"the area_id of {what} {target.id} cannot change to area {target.area_id}",
            hint="move the household (a recorded move): its cases and follow-ups follow it",
        )


for _copied in (Visit, Case):
    event.listen(_copied, "before_insert", _copies_of_child)
event.listen(FollowUp, "before_insert", _area_of_case)
for _fixed in _FIXED:
    event.listen(_fixed, "before_update", _refuse_moves)
for _following in (Household, Case, FollowUp):
    event.listen(_following, "before_update", _refuse_stray_areas)

# Survey estimates kept on areas (coverage of need), the alliance's areas and services,
# awareness-raising sessions, programmes and targets hang on areas and partners: their
# tables are registered with these.
from ipec.monitoring import alliance_models as _alliance  # noqa: E402, F401
from ipec.monitoring import awareness_models as _awareness  # noqa: E402, F401
from ipec.need import models as _need  # noqa: E402, F401
from ipec.programmes import models as _programmes  # noqa: E402, F401

"""Request and response bodies of the JSON API (pydantic)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ipec.auth.models import Role
from ipec.monitoring.models import PartnerKind, ReferralStatus, ServiceType, Sex
from ipec.monitoring.workflow import Action

__all__ = [
    "AreaIn",
    "AreaOut",
    "AuditOut",
    "CaseDetailOut",
    "CaseListItem",
    "CaseOut",
    "CasePageOut",
    "CaseloadOut",
    "ChildChangesIn",
    "ChildIn",
    "ChildOut",
    "EffectivenessOut",
    "EventOut",
    "FollowUpItem",
    "FollowUpOut",
    "FollowUpPageOut",
    "HouseholdChangesIn",
    "HouseholdIn",
    "HouseholdOut",
    "LoginIn",
    "MeOut",
    "OutcomeCountsOut",
    "PartnerIn",
    "PartnerOut",
    "RateOut",
    "ReferralIn",
    "ReferralOut",
    "ReferralStatusIn",
    "ResolutionOut",
    "ServiceEndIn",
    "ServiceIn",
    "ServiceOut",
    "TokenIn",
    "TokenInfoOut",
    "TokenOut",
    "TransitionIn",
    "UsDolOut",
    "VisitIn",
    "VisitOut",
]

#: Text a person types: trimmed, not empty, bounded.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
#: Record ids in bodies, with the bounds of the path parameters.
BodyId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ChildOut(_Out):
    id: int
    pseudonym: str
    name: str
    sex: str
    birth_date: date
    household_id: int
    version: int


class VisitIn(_In):
    """A visit: the canonical child record (age comes from the birth date)."""

    visit_date: date
    monitor: str = Field(min_length=1, max_length=100)
    consent: bool
    record: dict[str, Any]
    follow_up_id: BodyId | None = Field(
        default=None, description="The follow-up this visit does, if it is one."
    )
    school_days_attended: int | None = Field(default=None, ge=0, le=366)
    school_days_open: int | None = Field(
        default=None, ge=0, le=366, description="Both or neither: regular attendance (POC4)."
    )


class VisitOut(_Out):
    id: int
    child_id: int
    visit_date: date
    age: int
    status: str = Field(
        description="not_working, permitted_work, child_labour, undetermined or out_of_scope"
    )
    reasons: list[str]
    missing: list[str] = Field(
        description="When undetermined: the fields to ask again (econ_hours, chores_hours...)."
    )
    explanation: str
    child_labour: bool
    hazardous_work: bool
    profile_id: str
    profile_version: str


class CaseOut(_Out):
    id: int
    child_id: int
    status: str
    kind: str
    worst_forms: bool
    hazardous: bool
    opened_on: date
    closed_on: date | None
    version: int


class TransitionIn(_In):
    action: Action
    version: int = Field(description="The case version the caller read (stale writes fail).")
    reason: str | None = Field(default=None, max_length=2000)


class RateOut(BaseModel):
    group: str
    numerator: int
    denominator: int
    value: float | None


class ChildIn(_In):
    name: Name
    sex: Sex
    birth_date: date
    school_status: str | None = Field(default=None, max_length=40)


class _Changes(_In):
    """Fields to change; a field that may not be empty may be left out but not sent as null."""

    required: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def refuse_null_for_required(self) -> _Changes:
        sent = self.model_fields_set
        empty = [name for name in self.required if name in sent and getattr(self, name) is None]
        if empty:
            raise ValueError(f"{', '.join(empty)} cannot be null: leave it out to keep it")
        return self


class ChildChangesIn(_Changes):
    """Fields to change; ``version`` is the one the caller read (stale writes fail)."""

    required: ClassVar[tuple[str, ...]] = ("name", "sex", "birth_date")
    version: int
    name: Name | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    school_status: str | None = Field(default=None, max_length=40)


class HouseholdIn(_In):
    area_id: BodyId
    head_name: Name
    children: list[ChildIn] = Field(min_length=1, max_length=40)


class HouseholdChangesIn(_Changes):
    required: ClassVar[tuple[str, ...]] = ("head_name",)
    version: int
    head_name: Name | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    supply_unit: str | None = Field(default=None, max_length=200)


class HouseholdOut(_Out):
    id: int
    area_id: int
    head_name: str
    latitude: float | None
    longitude: float | None
    supply_unit: str | None
    version: int
    children: list[ChildOut]


class AreaIn(_In):
    name: Name
    level: str = Field(min_length=1, max_length=40)
    parent_id: BodyId


class AreaOut(_Out):
    id: int
    parent_id: int | None
    name: str
    level: str


class PartnerIn(_In):
    name: Name
    kind: PartnerKind


class PartnerOut(_Out):
    id: int
    name: str
    kind: str


class EventOut(_Out):
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    actor: str
    reason: str | None


class ServiceIn(_In):
    type: ServiceType
    started_on: date
    partner_id: BodyId | None = None


class ServiceEndIn(_In):
    ended_on: date


class ServiceOut(_Out):
    id: int
    case_id: int
    type: str
    partner_id: int | None
    started_on: date
    ended_on: date | None


class ReferralIn(_In):
    partner_id: BodyId
    consent: bool
    reason: Name
    sent_on: date


class ReferralStatusIn(_In):
    status: ReferralStatus


class ReferralOut(_Out):
    id: int
    case_id: int
    partner_id: int
    consent: bool
    status: str
    reason: str
    sent_on: date


class FollowUpOut(_Out):
    id: int
    case_id: int
    due_on: date
    visit_id: int | None


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    services: list[ServiceOut]
    referrals: list[ReferralOut]
    follow_ups: list[FollowUpOut]
    allowed_actions: list[str]


class CaseListItem(BaseModel):
    case: CaseOut
    child: ChildOut
    area_id: int
    area_name: str
    overdue_follow_ups: int


class CasePageOut(BaseModel):
    items: list[CaseListItem]
    page: int
    per_page: int
    has_next: bool


class FollowUpItem(BaseModel):
    follow_up: FollowUpOut
    case: CaseOut
    child: ChildOut
    area_name: str
    overdue: bool


class FollowUpPageOut(BaseModel):
    items: list[FollowUpItem]
    page: int
    per_page: int
    has_next: bool


class AuditOut(_Out):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int
    origin: str | None
    detail: dict[str, Any]


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)


class MeOut(BaseModel):
    username: str
    role: Role
    area_id: int
    csrf_token: str | None = Field(
        default=None, description="Send as X-CSRF-Token on changes made with the session cookie."
    )


class TokenIn(_In):
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TokenInfoOut(_Out):
    id: int
    label: str
    created_at: datetime
    revoked: bool


class TokenOut(BaseModel):
    token: str = Field(description="Shown once; only its hash is kept.")
    label: str


class EffectivenessOut(BaseModel):
    rates: list[RateOut]
    still_in: int
    relapsed: int
    lost_to_follow_up: int


class ResolutionOut(BaseModel):
    group: str
    cases: int
    median_days: float | None
    p90_days: float | None


class CaseloadOut(BaseModel):
    monitor: str | None
    open_cases: int


class OutcomeCountsOut(BaseModel):
    group: str
    withdrawn: int
    protected: int
    prevented: int


class UsDolOut(BaseModel):
    """US DOL common indicators: POC per child (total, then sex and age group), POH per
    household, E1 children given education services by type and group, L1 households given
    livelihood services by type."""

    poc1: list[RateOut]
    poc2: list[RateOut]
    poc3: list[RateOut]
    poc4: list[RateOut]
    poh1: RateOut
    poh2: RateOut
    poh3: RateOut
    poh4: RateOut
    e1: dict[str, dict[str, int]]
    l1: dict[str, int]

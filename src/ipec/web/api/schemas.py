"""Request and response bodies of the JSON API (pydantic)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ipec.auth.models import Role
from ipec.monitoring.models import LeaveReason, PartnerKind, ReferralStatus, ServiceType, Sex
from ipec.monitoring.workflow import Action
from ipec.web.api.common import UtcDateTime

__all__ = [
    "AreaIn",
    "AreaMonitorIn",
    "AreaMonitorOut",
    "AreaOut",
    "AssigneeOut",
    "AuditOut",
    "CaseDetailOut",
    "CaseListItem",
    "CaseOut",
    "CasePageOut",
    "CaseloadOut",
    "ChildChangesIn",
    "ChildIn",
    "ChildLeaveIn",
    "ChildListItem",
    "ChildOut",
    "ChildPageOut",
    "EffectivenessOut",
    "EventOut",
    "FollowUpChangesIn",
    "FollowUpDetailOut",
    "FollowUpItem",
    "FollowUpOut",
    "FollowUpPageOut",
    "HouseholdChangesIn",
    "HouseholdIn",
    "HouseholdListItem",
    "HouseholdMoveIn",
    "HouseholdMoveOut",
    "HouseholdOut",
    "HouseholdPageOut",
    "HouseholdSummaryOut",
    "LoginIn",
    "MeOut",
    "OutcomeCountsOut",
    "PartnerIn",
    "PartnerOut",
    "PohOut",
    "RateOut",
    "ReferralIn",
    "ReferralOut",
    "ReferralStatusIn",
    "ResolutionOut",
    "ServiceEndIn",
    "ServiceIn",
    "ServiceOut",
    "TeamMemberOut",
    "TokenIn",
    "TokenInfoOut",
    "TokenOut",
    "TransitionIn",
    "UsDolOut",
    "VisitIn",
    "VisitOut",
    "WeekItem",
    "WeekOut",
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
    active: bool = Field(description="False once the child left the register (left_on).")
    left_on: date | None = None
    left_reason: str | None = Field(default=None, description="moved, died or aged_out")


class VisitIn(_In):
    """A visit: the canonical child record (age comes from the birth date)."""

    visit_date: date
    monitor: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Who made the visit: the caller when left out. Another username is refused, "
        "unless a supervisor or above names an active user of their areas (not a viewer).",
    )
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
    assignee_id: int | None = None


class TransitionIn(_In):
    action: Action
    version: int = Field(description="The case version the caller read (stale writes fail).")
    reason: str | None = Field(default=None, max_length=2000)
    override: bool = Field(
        default=False,
        description="Close although the closure rule is not "
        "met (supervisors and above): the reason is recorded.",
    )


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
    supply_unit: str | None = Field(default=None, max_length=200,
                                    description="The farm, cooperative or supplier.")  # fmt: skip
    latitude: float | None = Field(default=None, ge=-90, le=90, description="Both or neither.")
    longitude: float | None = Field(default=None, ge=-180, le=180)


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


class HouseholdSummaryOut(_Out):
    id: int
    area_id: int
    head_name: str
    latitude: float | None
    longitude: float | None
    supply_unit: str | None
    version: int


class HouseholdListItem(BaseModel):
    household: HouseholdSummaryOut
    area_name: str
    children: int = Field(description="Children registered, those who left included.")
    active_children: int
    open_cases: int


class HouseholdPageOut(BaseModel):
    items: list[HouseholdListItem]
    page: int
    per_page: int
    has_next: bool


class ChildListItem(BaseModel):
    child: ChildOut
    head_name: str
    area_id: int
    area_name: str
    last_visit: date | None
    open_cases: int


class ChildPageOut(BaseModel):
    items: list[ChildListItem]
    page: int
    per_page: int
    has_next: bool


class ChildLeaveIn(_In):
    """A child leaving the register (the records stay)."""

    version: int = Field(description="The child version the caller read (stale writes fail).")
    left_on: date
    reason: LeaveReason


class HouseholdMoveIn(_In):
    """A household moving to another area of the caller's."""

    version: int = Field(description="The household version the caller read.")
    area_id: BodyId
    moved_on: date
    reason: str | None = Field(default=None, max_length=2000)


class HouseholdMoveOut(_Out):
    id: int
    household_id: int
    from_area_id: int
    to_area_id: int
    moved_on: date
    at: UtcDateTime
    actor: str
    reason: str | None


class AreaIn(_In):
    name: Name
    level: str = Field(min_length=1, max_length=40)
    parent_id: BodyId


class AreaOut(_Out):
    id: int
    parent_id: int | None
    name: str
    level: str
    code: str | None = Field(default=None, description="The national administrative code.")


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
    at: UtcDateTime
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
    """A referral needs the child's consent for the partner (recorded first:
    ``POST /children/{id}/consents``) or, for a worst form, ``override_reason``."""

    partner_id: BodyId
    reason: Name
    sent_on: date
    service: ServiceType | None = None
    override_reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ReferralStatusIn(_In):
    """``note``: the reason, required to reject."""

    status: ReferralStatus
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ReferralOut(_Out):
    id: int
    case_id: int
    partner_id: int
    consent: bool
    status: str
    reason: str
    sent_on: date
    service: str | None = None
    consent_id: int | None = None
    override_by: str | None = None
    override_reason: str | None = None
    answered_by: str | None = None
    answer_note: str | None = None


class FollowUpOut(_Out):
    id: int
    case_id: int
    due_on: date
    visit_id: int | None
    assignee_id: int | None = Field(
        default=None, description="Assigned to this user over the area's monitor (None: its)."
    )
    rule_due_on: date | None = Field(
        default=None, description="The rule's date, once the due date was moved from it."
    )


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
    at: UtcDateTime
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
    area_id: int | None = Field(
        description="The area whose subtree the user sees; none for an administrator of the "
        "whole programme (every area)."
    )
    csrf_token: str | None = Field(
        default=None, description="Send as X-CSRF-Token on changes made with the session cookie."
    )


class TokenIn(_In):
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    days: int = Field(default=90, ge=1, le=365, description="How many days the token works.")


class TokenInfoOut(_Out):
    id: int
    label: str
    created_at: UtcDateTime
    expires_at: UtcDateTime
    revoked: bool
    works: bool = Field(
        description="Whether the token opens the API now: not revoked, not expired, and issued "
        "since the user's password last changed and since they were last deactivated."
    )


class TokenOut(BaseModel):
    token: str = Field(description="Shown once; only its hash is kept.")
    label: str
    expires_at: UtcDateTime | None = None


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


class RefusalsOut(BaseModel):
    visits: int
    children: int


class CaseloadOut(BaseModel):
    monitor: str | None
    open_cases: int


class OutcomeCountsOut(BaseModel):
    group: str
    withdrawn: int
    protected: int
    prevented: int


class PohOut(BaseModel):
    """One POH indicator over the livelihood households at their intake and at the end."""

    intake: RateOut
    end: RateOut


class UsDolOut(BaseModel):
    """US DOL common indicators, as DOL's toolkit defines them (docs/monitoring.md): POC over
    participant children (total, then sex and age group on the period's end), ``visited``
    participants seen in the six months; POH over livelihood households at intake and at
    the end; E1 children given education services by type and by "status*sex*age group";
    L1 households given livelihood services by type."""

    poc1: list[RateOut]
    poc2: list[RateOut]
    poc3: list[RateOut]
    poc4: list[RateOut]
    visited: list[RateOut]
    poh1: PohOut
    poh2: PohOut
    poh3: PohOut
    poh4: PohOut
    e1: dict[str, dict[str, int]]
    l1: dict[str, int]


class AssigneeOut(BaseModel):
    """Who a follow-up is assigned to: ``user_id`` (None: nobody), its own assignee
    (``own``) or the monitor of area ``area_id`` (its own area or the nearest one above)."""

    user_id: int | None
    username: str | None
    display_name: str | None
    own: bool
    area_id: int | None


class FollowUpChangesIn(_Changes):
    """Move a follow-up's due date (within the rule's bounds), assign it to a user (null: back
    to the area's monitor; supervisors and above), or both."""

    required: ClassVar[tuple[str, ...]] = ("due_on",)
    due_on: date | None = None
    assignee_id: BodyId | None = None


class FollowUpDetailOut(BaseModel):
    """A follow-up with its case, child and assignee, and the first and last day it may be
    moved to (``rule_date`` is the rule's)."""

    follow_up: FollowUpOut
    case: CaseOut
    child: ChildOut
    area_name: str
    assignee: AssigneeOut
    rule_date: date
    earliest: date
    latest: date


class WeekItem(BaseModel):
    """A child of the week: its most urgent follow-up and how many more it has."""

    follow_up: FollowUpOut
    case: CaseOut
    child: ChildOut
    area_name: str
    overdue: bool
    days_late: int = Field(description="Days since the due date (0: due today or later).")
    others: int = Field(description="The child's other follow-ups in the week's list.")
    assignee: AssigneeOut


class WeekOut(BaseModel):
    """A week: ``monitor_id``'s, or the team's (None)."""

    monitor_id: int | None
    items: list[WeekItem]
    page: int
    per_page: int
    has_next: bool


class CalendarItem(BaseModel):
    """A follow-up of a calendar, on its due day (its case: ``follow_up.case_id``)."""

    follow_up: FollowUpOut
    child: ChildOut
    area_name: str
    assignee: AssigneeOut


class CalendarOut(BaseModel):
    """A month's follow-ups of ``monitor_id`` (None: the team's), from ``first`` to
    ``last``, by due date; ``has_more``: more than the items are due (the first 1000)."""

    monitor_id: int | None
    first: date
    last: date
    items: list[CalendarItem]
    has_more: bool


class AreaMonitorIn(_In):
    """The area's monitor (null: none of its own; the area above's applies)."""

    user_id: BodyId | None


class AreaMonitorOut(BaseModel):
    """An area's own monitor (``user_id``), and who its follow-ups go to (``responsible``:
    its own monitor, or the nearest area above's)."""

    area_id: int
    user_id: int | None
    responsible: AssigneeOut


class TeamMemberOut(_Out):
    id: int
    username: str
    display_name: str
    role: Role
    area_id: int | None

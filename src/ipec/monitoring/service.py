"""Service functions: the only code that writes monitoring records.

Each function takes the session first and keyword arguments, checks its input against the
records already there (unknown area, duplicate child, impossible dates, stale versions), writes
the records and their audit rows, and leaves the commit to the caller, so a request is one
transaction: all of it is written or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.classify import Reason, classify_child
from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule, due_dates
from ipec.monitoring.models import (
    Area,
    AuditEntry,
    Case,
    CaseKind,
    CaseStatus,
    Child,
    FollowUp,
    Household,
    Partner,
    PartnerKind,
    Referral,
    ReferralStatus,
    RemediationService,
    ServiceType,
    Sex,
    Visit,
)
from ipec.monitoring.workflow import Action, transition
from ipec.standards import Profile

__all__ = [
    "ChildInput",
    "add_service",
    "create_area",
    "create_partner",
    "record_visit",
    "refer",
    "register_household",
    "schedule_follow_ups",
    "update_child",
]


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ChildInput:
    """A child to register with a household."""

    name: str
    sex: Sex
    birth_date: date
    school_status: str | None = None


def _audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    origin: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            origin=origin,
            detail=dict(detail or {}),
        )
    )


def _get(session: Session, model: type[_T], record_id: int, what: str) -> _T:
    found = session.get(model, record_id)
    if found is None:
        raise NotFound(f"{what} {record_id} not found")
    return found


def create_area(session: Session, *, name: str, level: str, parent_id: int | None = None) -> Area:
    """A new area under ``parent_id`` (or a root); its path lists its ancestors' ids."""
    parent = _get(session, Area, parent_id, "area") if parent_id is not None else None
    area = Area(name=name.strip(), level=level.strip(), parent_id=parent_id, path="")
    session.add(area)
    session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    session.flush()
    return area


def register_household(
    session: Session,
    *,
    area_id: int,
    head_name: str,
    children: Sequence[ChildInput],
    actor: str,
    origin: str | None = None,
    today: date | None = None,
) -> Household:
    """A household with its children; refuses an unknown area, a birth date in the future and
    the same child (name, sex, birth date) twice."""
    _get(session, Area, area_id, "area")
    now = today or datetime.now(UTC).date()
    seen: set[tuple[str, Sex, date]] = set()
    for child in children:
        key = (child.name.strip().casefold(), child.sex, child.birth_date)
        if key in seen:
            raise DataError(
                f"duplicate child: {child.name} ({child.sex.value}, born {child.birth_date}) "
                "is listed twice",
                hint="register each child once",
            )
        seen.add(key)
        if child.birth_date > now:
            raise DataError(
                f"{child.name}: birth date {child.birth_date} is in the future",
                hint="correct the birth date",
            )
    household = Household(area_id=area_id, head_name=head_name.strip())
    session.add(household)
    session.flush()
    for child in children:
        record = Child(
            household_id=household.id,
            pseudonym="",
            name=child.name.strip(),
            sex=child.sex,
            birth_date=child.birth_date,
            school_status=child.school_status,
        )
        session.add(record)
        session.flush()
        record.pseudonym = f"C-{record.id:07d}"
        _audit(session, actor=actor, action="child.create", entity="child",
               entity_id=record.id, origin=origin)  # fmt: skip
    session.flush()
    return household


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def record_visit(
    session: Session,
    *,
    child_id: int,
    visit_date: date,
    monitor: str,
    consent: bool,
    record: Mapping[str, Any],
    profile: Profile,
    actor: str,
    origin: str | None = None,
    today: date | None = None,
    school_days_attended: int | None = None,
    school_days_open: int | None = None,
) -> Visit:
    """Record a visit: classify the child (age from the birth date) and store the verdict.

    A child found in child labour gets a case (identified); a closed case is reopened
    (relapse). Refuses a visit before the child's birth or in the future, and school
    attendance that is half given, negative or more days than the school was open.
    """
    _check_attendance(school_days_attended, school_days_open)
    child = _get(session, Child, child_id, "child")
    now = today or datetime.now(UTC).date()
    if visit_date < child.birth_date:
        raise DataError(
            f"visit date {visit_date} is before the child's birth ({child.birth_date})",
            hint="correct the visit date",
        )
    if visit_date > now:
        raise DataError(f"visit date {visit_date} is in the future", hint="correct the date")
    fields = {key: value for key, value in record.items() if key != "age"}
    age = _age_on(child.birth_date, visit_date)
    result = classify_child({**fields, "age": age}, profile)
    visit = Visit(
        child_id=child.id,
        visit_date=visit_date,
        age=age,
        monitor=monitor,
        consent=consent,
        record={**fields, "age": age},
        profile_id=result.profile_id,
        profile_version=result.profile_version,
        status=result.status.value,
        reasons=[reason.value for reason in result.reasons],
        explanation=result.explanation,
        child_labour=result.child_labour,
        hazardous_work=result.hazardous_work,
        school_days_attended=school_days_attended,
        school_days_open=school_days_open,
    )
    session.add(visit)
    session.flush()
    _audit(session, actor=actor, action="visit.create", entity="child", entity_id=child.id,
           origin=origin, detail={"visit": visit.id, "status": visit.status})  # fmt: skip
    if result.child_labour:
        _open_or_reopen(session, child, result.reasons, actor=actor, origin=origin, day=visit_date)
    return visit


def _check_attendance(attended: int | None, days_open: int | None) -> None:
    """School attendance is both counts or neither: whole, non-negative, attended <= open."""
    if (attended is None) != (days_open is None):
        raise DataError(
            "school attendance needs both the days attended and the days the school was open",
            hint="give both school_days_attended and school_days_open, or neither",
        )
    if attended is None or days_open is None:
        return
    for name, value in (("school_days_attended", attended), ("school_days_open", days_open)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DataError(
                f"{name} must be a whole number of days, 0 or more (got {value!r})", column=name
            )
    if attended > days_open:
        raise DataError(
            f"{attended} school days attended is more than the {days_open} days the school "
            "was open",
            column="school_days_attended",
            hint="check both counts",
        )


def _open_or_reopen(
    session: Session,
    child: Child,
    reasons: Sequence[Reason],
    *,
    actor: str,
    origin: str | None,
    day: date,
) -> None:
    case = session.scalars(
        select(Case).where(Case.child_id == child.id).order_by(Case.id.desc())
    ).first()
    worst = Reason.WFCL_OTHER in reasons
    hazardous = bool({Reason.LONG_HOURS, Reason.HAZ_INDUSTRY, Reason.HAZ_OCCUPATION,
                      Reason.HAZ_CONDITIONS} & set(reasons))  # fmt: skip
    if case is None:
        case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=CaseStatus.IDENTIFIED,
                    worst_forms=worst, hazardous=hazardous, opened_on=day)  # fmt: skip
        session.add(case)
        session.flush()
        _audit(session, actor=actor, action="case.open", entity="case", entity_id=case.id,
               origin=origin, detail={"child": child.id})  # fmt: skip
        return
    case.worst_forms = case.worst_forms or worst
    case.hazardous = case.hazardous or hazardous
    if case.status in (CaseStatus.CLOSED, CaseStatus.UNDER_FOLLOW_UP):
        transition(session, case, Action.RELAPSE, actor=actor, origin=origin,
                   reason="found in child labour again at a visit")  # fmt: skip
    elif case.status is CaseStatus.AT_RISK:
        transition(session, case, Action.ESCALATE, actor=actor, origin=origin,
                   reason="found in child labour at a visit")  # fmt: skip


_EDITABLE = {"name", "sex", "birth_date", "school_status"}


def update_child(
    session: Session,
    *,
    child_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: str,
    origin: str | None = None,
) -> Child:
    """Change a child's record, unless someone changed it since ``expected_version`` was read."""
    child = _get(session, Child, child_id, "child")
    unknown = sorted(set(changes) - _EDITABLE)
    if unknown:
        raise DataError(f"these fields cannot be changed: {', '.join(unknown)}")
    if child.version != expected_version:
        raise Conflict(
            f"child {child_id} was changed by someone else (version {child.version}, you read "
            f"version {expected_version})",
            hint="reload the child, check the changes, and save again",
        )
    before = {name: str(getattr(child, name)) for name in changes}
    for name, value in changes.items():
        setattr(child, name, value)
    session.flush()
    _audit(session, actor=actor, action="child.update", entity="child", entity_id=child.id,
           origin=origin, detail={"before": before})  # fmt: skip
    return child


def create_partner(session: Session, *, name: str, kind: PartnerKind) -> Partner:
    """A partner organisation; names are unique."""
    clean = name.strip()
    if session.scalar(select(Partner).where(Partner.name == clean)) is not None:
        raise Conflict(f"a partner named {clean} already exists")
    partner = Partner(name=clean, kind=kind)
    session.add(partner)
    session.flush()
    return partner


def add_service(
    session: Session,
    *,
    case_id: int,
    service: ServiceType,
    started_on: date,
    partner_id: int | None = None,
    actor: str,
    origin: str | None = None,
) -> RemediationService:
    """Record a remediation service for a case (not before the case was opened)."""
    case = _get(session, Case, case_id, "case")
    if partner_id is not None:
        _get(session, Partner, partner_id, "partner")
    if started_on < case.opened_on:
        raise DataError(
            f"the service starts on {started_on}, before the case opened ({case.opened_on})",
            hint="correct the start date",
        )
    record = RemediationService(case_id=case.id, type=service, partner_id=partner_id,
                                started_on=started_on)  # fmt: skip
    session.add(record)
    session.flush()
    _audit(session, actor=actor, action="service.add", entity="case", entity_id=case.id,
           origin=origin, detail={"service": service.value})  # fmt: skip
    return record


def refer(
    session: Session,
    *,
    case_id: int,
    partner_id: int,
    consent: bool,
    reason: str,
    sent_on: date,
    actor: str,
    origin: str | None = None,
) -> Referral:
    """Refer a case to a partner; a referral needs the family's (or the child's) consent."""
    case = _get(session, Case, case_id, "case")
    _get(session, Partner, partner_id, "partner")
    if not consent and not case.worst_forms:
        raise DataError(
            "a referral needs consent, except for a worst form of child labour",
            hint="record the consent first",
        )
    record = Referral(
        case_id=case.id,
        partner_id=partner_id,
        consent=consent,
        status=ReferralStatus.SENT,
        reason=reason.strip(),
        sent_on=sent_on,
    )
    session.add(record)
    session.flush()
    _audit(session, actor=actor, action="referral.send", entity="case", entity_id=case.id,
           origin=origin, detail={"partner": partner_id})  # fmt: skip
    return record


def schedule_follow_ups(
    session: Session,
    *,
    case_id: int,
    remediation_start: date,
    until: date,
    rule: FollowUpRule = DEFAULT_RULE,
) -> list[FollowUp]:
    """Create the follow-ups due from ``remediation_start`` up to ``until`` that do not exist."""
    case = _get(session, Case, case_id, "case")
    existing = set(session.scalars(select(FollowUp.due_on).where(FollowUp.case_id == case.id)))
    created = [
        FollowUp(case_id=case.id, due_on=day)
        for day in due_dates(remediation_start, until, rule)
        if day not in existing
    ]
    session.add_all(created)
    session.flush()
    return created

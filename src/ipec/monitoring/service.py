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

from ipec.classify import HAZARDOUS_REASONS, Reason, classify_child
from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring.audit import write_audit
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule, add_months, due_dates
from ipec.monitoring.models import (
    Area,
    Case,
    CaseEvent,
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
from ipec.monitoring.scope import age_on
from ipec.monitoring.workflow import Action, transition
from ipec.standards import Profile

__all__ = [
    "ChildInput",
    "add_service",
    "complete_follow_up",
    "create_area",
    "create_partner",
    "end_service",
    "may_refer",
    "record_visit",
    "record_visit_and_follow_up",
    "refer",
    "register_household",
    "schedule_follow_ups",
    "set_referral_status",
    "step_case",
    "update_child",
    "update_household",
]


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ChildInput:
    """A child to register with a household."""

    name: str
    sex: Sex
    birth_date: date
    school_status: str | None = None


def _get(session: Session, model: type[_T], record_id: int, what: str, *, lock: bool = False) -> _T:
    """The record, or NotFound; ``lock`` holds its row until the transaction ends, so a
    check-then-change is not undone by a concurrent one (PostgreSQL; SQLite's transactions
    already run one at a time)."""
    found = session.get(model, record_id, with_for_update=lock)
    if found is None:
        raise NotFound(f"{what} {record_id} not found")
    return found


def create_area(session: Session, *, name: str, level: str, parent_id: int | None = None) -> Area:
    """A new area under ``parent_id`` (or a root); its path lists its ancestors' ids."""
    parent = _get(session, Area, parent_id, "area") if parent_id is not None else None
    clean = name.strip()
    sibling = select(Area.id).where(Area.parent_id == parent_id, Area.name == clean)
    if parent_id is not None and session.scalar(sibling) is not None:
        raise Conflict(f"area {parent_id} already has an area named {clean}",
                       hint="choose another name")  # fmt: skip
    area = Area(name=clean, level=level.strip(), parent_id=parent_id, path="")
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
        write_audit(
            session,
            actor=actor,
            action="child.create",
            entity="child",
            entity_id=record.id,
            origin=origin,
        )
    session.flush()
    return household


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
    (relapse). A visit that leaves the status ``undetermined`` (hours of a reported activity
    not recorded, and they could cross a threshold) is stored as such, with the fields to ask
    again in ``missing``: it opens no case and moves none (the next visit, with the answers,
    decides). Refuses a visit before the child's birth or in the future, and school
    attendance that is half given, negative or more days than the school was open.
    """
    _check_attendance(school_days_attended, school_days_open)
    # The child's row is locked so that two visits arriving at once cannot open two cases.
    child = _get(session, Child, child_id, "child", lock=True)
    now = today or datetime.now(UTC).date()
    if visit_date < child.birth_date:
        raise DataError(
            f"visit date {visit_date} is before the child's birth ({child.birth_date})",
            hint="correct the visit date",
        )
    if visit_date > now:
        raise DataError(f"visit date {visit_date} is in the future", hint="correct the date")
    fields = {key: value for key, value in record.items() if key != "age"}
    age = age_on(child.birth_date, visit_date)
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
        missing=list(result.missing),
        explanation=result.explanation,
        child_labour=result.child_labour,
        hazardous_work=result.hazardous_work,
        school_days_attended=school_days_attended,
        school_days_open=school_days_open,
    )
    session.add(visit)
    session.flush()
    write_audit(
        session,
        actor=actor,
        action="visit.create",
        entity="child",
        entity_id=child.id,
        origin=origin,
        detail={"visit": visit.id, "status": visit.status},
    )
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
    hazardous = bool(set(HAZARDOUS_REASONS) & set(reasons))
    if case is None:
        case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=CaseStatus.IDENTIFIED,
                    worst_forms=worst, hazardous=hazardous, opened_on=day)  # fmt: skip
        session.add(case)
        session.flush()
        write_audit(
            session,
            actor=actor,
            action="case.open",
            entity="case",
            entity_id=case.id,
            origin=origin,
            detail={"child": child.id},
        )
        return
    case.worst_forms = case.worst_forms or worst
    case.hazardous = case.hazardous or hazardous
    if case.status in (CaseStatus.CLOSED, CaseStatus.UNDER_FOLLOW_UP):
        transition(session, case, Action.RELAPSE, actor=actor, origin=origin,
                   reason="found in child labour again at a visit")  # fmt: skip
    elif case.status is CaseStatus.AT_RISK:
        transition(session, case, Action.ESCALATE, actor=actor, origin=origin,
                   reason="found in child labour at a visit")  # fmt: skip


_CHILD_FIELDS = frozenset({"name", "sex", "birth_date", "school_status"})
_HOUSEHOLD_FIELDS = frozenset({"head_name", "latitude", "longitude", "supply_unit"})

_Versioned = TypeVar("_Versioned", Child, Household)


def _check_change(
    record: Child | Household,
    what: str,
    expected_version: int,
    changes: Mapping[str, Any],
    editable: frozenset[str],
) -> None:
    """Refuse fields that may not change, and a change made from a stale copy."""
    unknown = sorted(set(changes) - editable)
    if unknown:
        raise DataError(f"these fields cannot be changed: {', '.join(unknown)}")
    _check_version(record, what, expected_version)


def _check_version(
    record: Child | Household | Case, what: str, expected_version: int, *, now: str = ""
) -> None:
    """Refuse a change made from a stale copy: the record's version is not the one the caller
    read (optimistic concurrency; ``now`` says what the record is now, for the message)."""
    if record.version != expected_version:
        state = f"; it is now {now}" if now else ""
        raise Conflict(
            f"{what} {record.id} was changed by someone else (version {record.version}, you "
            f"read version {expected_version}{state})",
            hint=f"reload the {what}, check the changes, and save again",
        )


def _apply_change(
    session: Session,
    record: _Versioned,
    what: str,
    changes: Mapping[str, Any],
    *,
    actor: str,
    origin: str | None,
) -> _Versioned:
    """Write checked changes and an audit row that keeps the values they replaced."""
    before = {name: str(getattr(record, name)) for name in changes}
    for name, value in changes.items():
        setattr(record, name, value)
    session.flush()
    write_audit(session, actor=actor, action=f"{what}.update", entity=what, entity_id=record.id,
                origin=origin, detail={"before": before})  # fmt: skip
    return record


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
    _check_change(child, "child", expected_version, changes, _CHILD_FIELDS)
    if "birth_date" in changes and changes["birth_date"] > datetime.now(UTC).date():
        raise DataError(f"birth date {changes['birth_date']} is in the future",
                        hint="correct the birth date")  # fmt: skip
    _refuse_duplicate_sibling(session, child, changes)
    return _apply_change(session, child, "child", changes, actor=actor, origin=origin)


def _refuse_duplicate_sibling(session: Session, child: Child, changes: Mapping[str, Any]) -> None:
    """A change may not make the child a copy (name, sex, birth date) of a sibling."""
    name = str(changes.get("name", child.name)).strip()
    sex = changes.get("sex", child.sex)
    birth = changes.get("birth_date", child.birth_date)
    twin = select(Child.id).where(Child.household_id == child.household_id, Child.id != child.id,
                                  Child.name == name, Child.sex == sex,
                                  Child.birth_date == birth)  # fmt: skip
    if session.scalar(twin) is not None:
        raise DataError(
            f"duplicate child: {name} ({Sex(sex).value}, born {birth}) is already registered "
            "in this household",
            hint="change the existing record instead",
        )


def update_household(
    session: Session,
    *,
    household_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: str,
    origin: str | None = None,
) -> Household:
    """Change a household's record, unless it changed since ``expected_version`` was read."""
    household = _get(session, Household, household_id, "household")
    _check_change(household, "household", expected_version, changes, _HOUSEHOLD_FIELDS)
    return _apply_change(session, household, "household", changes, actor=actor, origin=origin)


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
    write_audit(
        session,
        actor=actor,
        action="service.add",
        entity="case",
        entity_id=case.id,
        origin=origin,
        detail={"service": service.value},
    )
    return record


def may_refer(case: Case, *, consent: bool) -> bool:
    """Whether the case may be referred: with the family's (or the child's) consent, or
    without it for a worst form of child labour, which the authorities must hear of."""
    return consent or case.worst_forms


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
    """Refer a case to a partner; a referral needs the family's (or the child's) consent,
    except for a worst form (see :func:`may_refer`)."""
    case = _get(session, Case, case_id, "case")
    _get(session, Partner, partner_id, "partner")
    if not may_refer(case, consent=consent):
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
    write_audit(
        session,
        actor=actor,
        action="referral.send",
        entity="case",
        entity_id=case.id,
        origin=origin,
        detail={"partner": partner_id},
    )
    return record


def end_service(
    session: Session, *, service_id: int, ended_on: date, actor: str, origin: str | None = None
) -> RemediationService:
    """Record the end of a service (not before it started)."""
    service = _get(session, RemediationService, service_id, "service", lock=True)
    if ended_on < service.started_on:
        raise DataError(
            f"the service ends on {ended_on}, before it started ({service.started_on})",
            hint="correct the end date",
        )
    service.ended_on = ended_on
    session.flush()
    write_audit(
        session,
        actor=actor,
        action="service.end",
        entity="case",
        entity_id=service.case_id,
        origin=origin,
        detail={"service": service.id},
    )
    return service


#: Referral status -> the statuses it may move to (a referral's own small workflow).
REFERRAL_STEPS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.SENT: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.REVOKED}
    ),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.DONE, ReferralStatus.REVOKED}),
    ReferralStatus.REJECTED: frozenset(),
    ReferralStatus.DONE: frozenset(),
    ReferralStatus.REVOKED: frozenset(),
}


def set_referral_status(
    session: Session,
    *,
    referral_id: int,
    status: ReferralStatus,
    actor: str,
    origin: str | None = None,
) -> Referral:
    """Move a referral on: sent -> accepted, rejected or revoked; accepted -> done or revoked."""
    referral = _get(session, Referral, referral_id, "referral", lock=True)
    allowed = REFERRAL_STEPS[referral.status]
    if status not in allowed:
        choices = ", ".join(sorted(s.value for s in allowed)) or "none (it is final)"
        raise Conflict(
            f"referral {referral_id} is {referral.status.value} and cannot become {status.value}",
            hint=f"allowed next statuses: {choices}",
        )
    before = referral.status
    referral.status = status
    session.flush()
    write_audit(
        session,
        actor=actor,
        action="referral.status",
        entity="case",
        entity_id=referral.case_id,
        origin=origin,
        detail={"referral": referral.id, "from": before.value, "to": status.value},
    )
    return referral


def complete_follow_up(
    session: Session, *, follow_up_id: int, visit: Visit, actor: str, origin: str | None = None
) -> FollowUp:
    """Mark a follow-up done by ``visit``: the visit must be of the case's child, on or after
    the case was identified, and the follow-up not already done (the follow-up's row is locked
    while it is checked, so two visits cannot both do it)."""
    follow_up, case = _follow_up_to_do(session, follow_up_id, child_id=visit.child_id,
                                       visit_date=visit.visit_date)  # fmt: skip
    return _mark_done(session, follow_up, case, visit, actor=actor, origin=origin)


def _follow_up_to_do(
    session: Session, follow_up_id: int, *, child_id: int, visit_date: date
) -> tuple[FollowUp, Case]:
    """The follow-up a visit of the child on ``visit_date`` may do, and its case, with the
    follow-up's row locked; refused when it is another child's, already done, or the visit
    is before the case was identified (``column`` "follow_up_id")."""
    follow_up = _get(session, FollowUp, follow_up_id, "follow-up", lock=True)
    case = _get(session, Case, follow_up.case_id, "case")
    if case.child_id != child_id:
        # Not told apart from a missing one: the other child may be outside the caller's areas.
        raise NotFound(
            f"follow-up {follow_up_id} not found among this child's follow-ups",
            hint="record the visit on the child the follow-up is for",
        )
    if follow_up.visit_id is not None:
        raise Conflict(f"follow-up {follow_up_id} was already done by visit {follow_up.visit_id}")
    if visit_date < case.opened_on:
        raise DataError(
            f"a follow-up visit on {visit_date} is before the case was identified "
            f"({case.opened_on})",
            column="follow_up_id",
            hint="correct the visit date",
        )
    return follow_up, case


def _mark_done(
    session: Session,
    follow_up: FollowUp,
    case: Case,
    visit: Visit,
    *,
    actor: str,
    origin: str | None,
) -> FollowUp:
    """Mark the checked follow-up done by ``visit``, with its audit row."""
    follow_up.visit_id = visit.id
    session.flush()
    write_audit(
        session,
        actor=actor,
        action="follow_up.done",
        entity="case",
        entity_id=case.id,
        origin=origin,
        detail={"follow_up": follow_up.id, "visit": visit.id},
    )
    return follow_up


def record_visit_and_follow_up(
    session: Session,
    *,
    child_id: int,
    follow_up_id: int | None,
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
    """Record a visit (:func:`record_visit`) and, when it does a follow-up (``follow_up_id``),
    mark that follow-up done by it (:func:`complete_follow_up`'s rules). The follow-up is
    checked before anything is written: a refusal leaves no visit behind."""
    to_do: tuple[FollowUp, Case] | None = None
    if follow_up_id is not None:
        # The child first, then the follow-up: the order every writer takes the locks in.
        _get(session, Child, child_id, "child", lock=True)
        to_do = _follow_up_to_do(session, follow_up_id, child_id=child_id, visit_date=visit_date)
    visit = record_visit(
        session, child_id=child_id, visit_date=visit_date, monitor=monitor, consent=consent,
        record=record, profile=profile, actor=actor, origin=origin, today=today,
        school_days_attended=school_days_attended, school_days_open=school_days_open,
    )  # fmt: skip
    if to_do is not None:
        follow_up, case = to_do
        _mark_done(session, follow_up, case, visit, actor=actor, origin=origin)
    return visit


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


def step_case(
    session: Session,
    *,
    case: Case,
    expected_version: int,
    action: Action | str,
    actor: str,
    today: date,
    reason: str | None = None,
    origin: str | None = None,
    rule: FollowUpRule = DEFAULT_RULE,
) -> CaseEvent:
    """Move a case along the workflow, unless someone changed it since ``expected_version``
    was read (a ``Conflict``, before anything changes); starting remediation also schedules
    the first follow-ups (by ``rule``: 3 and 6 months later by default), so no case in
    remediation is left without a visit due."""
    _check_version(case, "case", expected_version, now=case.status.value)
    event = transition(session, case, action, actor=actor, reason=reason, origin=origin)
    if event.action == Action.START_REMEDIATION.value:
        schedule_follow_ups(session, case_id=case.id, remediation_start=today,
                            until=add_months(today, max(rule.first_months, default=0)),
                            rule=rule)  # fmt: skip
    return event

"""Service functions: the only code that writes monitoring records.

Each function takes the session first and keyword arguments, checks its input against the
records already there (unknown area, duplicate child, impossible dates, stale versions), writes
the records and their audit rows, and leaves the commit to the caller, so a request is one
transaction: all of it is written or none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth.models import Role
from ipec.classify import HAZARDOUS_REASONS, Reason, classify_child
from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring import schedule
from ipec.monitoring.approvals import move_requests, withdraw_stale
from ipec.monitoring.audit import write_audit
from ipec.monitoring.case_assignment import release_out_of_area
from ipec.monitoring.closure import authorize_close
from ipec.monitoring.consent import referral_basis
from ipec.monitoring.followup import (
    DEFAULT_RULE,
    FollowUpRule,
    due_dates,
    move_bounds,
)
from ipec.monitoring.models import (
    Area,
    AreaMonitor,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Child,
    FollowUp,
    Household,
    HouseholdMove,
    LeaveReason,
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
from ipec.monitoring.workflow import TRANSITIONS, Action, transition
from ipec.standards import Profile

__all__ = [
    "ChildInput",
    "add_child",
    "add_service",
    "assign_area_monitor",
    "assign_follow_up",
    "check_case_version",
    "check_location",
    "complete_follow_up",
    "create_area",
    "create_partner",
    "end_service",
    "locate_household",
    "move_follow_up",
    "move_household",
    "record_leaving",
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


def check_location(latitude: float | None, longitude: float | None) -> None:
    """A GPS point is both coordinates or neither, in degrees: latitude from -90 to 90,
    longitude from -180 to 180 (a ``DataError`` naming the field otherwise)."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise DataError(
            f"a GPS point needs both coordinates: the {missing} is missing",
            column=missing,
            hint="give both latitude and longitude, or neither",
        )
    for name, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DataError(f"the {name} must be a number of degrees (got {value!r})", column=name)
        if not math.isfinite(value) or abs(value) > bound:
            raise DataError(f"the {name} {value} is outside -{bound} to {bound} degrees",
                            column=name, hint="check the GPS reading")  # fmt: skip


def _check_new_child(child: ChildInput, now: date) -> None:
    if child.birth_date > now:
        raise DataError(
            f"{child.name}: birth date {child.birth_date} is in the future",
            hint="correct the birth date",
        )


def _write_child(
    session: Session, household_id: int, child: ChildInput, *, actor: str, origin: str | None
) -> Child:
    """A new child of the household, with its pseudonym and audit row."""
    record = Child(
        household_id=household_id,
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
    return record


def register_household(
    session: Session,
    *,
    area_id: int,
    head_name: str,
    children: Sequence[ChildInput],
    actor: str,
    origin: str | None = None,
    today: date | None = None,
    supply_unit: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Household:
    """A household with its children (and, optionally, its supply unit and GPS point);
    refuses an unknown area, a birth date in the future, the same child (name, sex, birth
    date) twice and a GPS point out of range (:func:`check_location`)."""
    _get(session, Area, area_id, "area")
    check_location(latitude, longitude)
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
        _check_new_child(child, now)
    unit = (supply_unit or "").strip() or None
    household = Household(area_id=area_id, head_name=head_name.strip(), supply_unit=unit,
                          latitude=latitude, longitude=longitude)  # fmt: skip
    session.add(household)
    session.flush()
    for child in children:
        _write_child(session, household.id, child, actor=actor, origin=origin)
    session.flush()
    return household


def add_child(
    session: Session,
    *,
    household_id: int,
    child: ChildInput,
    actor: str,
    origin: str | None = None,
    today: date | None = None,
) -> Child:
    """A new child of an existing household; refuses a birth date in the future and a copy
    (name, sex, birth date) of a child of the household, one who left included."""
    household = _get(session, Household, household_id, "household", lock=True)
    _check_new_child(child, today or datetime.now(UTC).date())
    twin = select(Child.id).where(
        Child.household_id == household.id,
        func.lower(Child.name) == child.name.strip().lower(),
        Child.sex == child.sex,
        Child.birth_date == child.birth_date,
    )
    if session.scalar(twin) is not None:
        raise DataError(
            f"duplicate child: {child.name.strip()} ({child.sex.value}, born "
            f"{child.birth_date}) is already registered in this household",
            column="name",
            hint="open the child's record instead",
        )
    record = _write_child(session, household.id, child, actor=actor, origin=origin)
    session.flush()
    return record


def record_leaving(
    session: Session,
    *,
    child_id: int,
    expected_version: int,
    left_on: date,
    reason: LeaveReason,
    actor: str,
    origin: str | None = None,
    today: date | None = None,
) -> Child:
    """Record that a child left the register (moved away, died, aged out) on ``left_on``:
    the child is no longer active, nothing is deleted (visits, cases and the audit log
    stay). Refused for a child who already left (``Conflict``), a stale version, and a day
    in the future or before the child's birth."""
    child = _get(session, Child, child_id, "child")
    _check_version(child, "child", expected_version)
    if not child.active:
        raise Conflict(
            f"child {child.id} already left on {child.left_on} ({child.left_reason})",
            hint="reload the child's record",
        )
    now = today or datetime.now(UTC).date()
    if left_on > now:
        raise DataError(f"the day the child left ({left_on}) is in the future",
                        column="left_on", hint="correct the date")  # fmt: skip
    if left_on < child.birth_date:
        raise DataError(f"the day the child left ({left_on}) is before the child's birth "
                        f"({child.birth_date})", column="left_on",
                        hint="correct the date")  # fmt: skip
    child.active, child.left_on, child.left_reason = False, left_on, LeaveReason(reason)
    session.flush()
    write_audit(session, actor=actor, action="child.leave", entity="child", entity_id=child.id,
                origin=origin, detail={"left_on": left_on.isoformat(),
                                       "reason": child.left_reason.value})  # fmt: skip
    return child


def move_household(
    session: Session,
    *,
    household_id: int,
    expected_version: int,
    to_area_id: int,
    moved_on: date,
    actor: str,
    reason: str | None = None,
    origin: str | None = None,
    today: date | None = None,
) -> HouseholdMove:
    """Move a household to another area, keeping the move in its history
    (:class:`HouseholdMove`) and in the audit log.

    Its children's cases and their follow-ups move with it (the programme follows a child
    where it lives: the case lists and the follow-ups due of the new area show them, and the
    metrics count the children and their cases there from now on); its visits keep the
    area where they were made. Refused for an unknown area, the area it is in already, a
    stale version, a day in the future or before its latest move. The caller checks that
    the new area is one the user may reach (``ipec.auth.area_in_scope``).
    """
    household = _get(session, Household, household_id, "household", lock=True)
    _check_version(household, "household", expected_version)
    _get(session, Area, to_area_id, "area")
    if to_area_id == household.area_id:
        raise DataError(f"household {household.id} is in area {to_area_id} already",
                        column="area_id", hint="choose the area it moved to")  # fmt: skip
    now = today or datetime.now(UTC).date()
    if moved_on > now:
        raise DataError(f"the day of the move ({moved_on}) is in the future",
                        column="moved_on", hint="correct the date")  # fmt: skip
    latest = session.scalar(select(func.max(HouseholdMove.moved_on))
                            .where(HouseholdMove.household_id == household.id))  # fmt: skip
    if latest is not None and moved_on < latest:
        raise DataError(f"the day of the move ({moved_on}) is before the household's latest "
                        f"move ({latest})", column="moved_on", hint="correct the date")  # fmt: skip
    move = HouseholdMove(household_id=household.id, from_area_id=household.area_id,
                         to_area_id=to_area_id, moved_on=moved_on, at=datetime.now(UTC),
                         actor=actor, reason=(reason or "").strip() or None)  # fmt: skip
    session.add(move)
    session.flush()  # the move first: the household's area may change only to a recorded move's
    household.area_id = to_area_id
    session.flush()
    cases = list(session.scalars(
        select(Case).join(Child, Child.id == Case.child_id)
        .where(Child.household_id == household.id).order_by(Case.id)
    ))  # fmt: skip
    for case in cases:
        case.area_id = to_area_id
    session.flush()
    if cases:
        follow_ups = select(FollowUp).where(FollowUp.case_id.in_([case.id for case in cases]))
        for follow_up in session.scalars(follow_ups.order_by(FollowUp.id)):
            follow_up.area_id = to_area_id
        session.flush()
        release_out_of_area(session, cases, area_id=to_area_id, actor=actor, origin=origin)
        move_requests(session, [case.id for case in cases], to_area_id)
    write_audit(session, actor=actor, action="household.move", entity="household",
                entity_id=household.id, origin=origin,
                detail={"from": move.from_area_id, "to": to_area_id,
                        "moved_on": moved_on.isoformat(),
                        "cases": [case.id for case in cases]})  # fmt: skip
    return move


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

    Without ``consent`` the visit keeps only its date, the child, the monitor and the status
    ``consent_refused`` (:data:`REFUSED`); answers sent with it are refused (the family did
    not agree to keeping them). Such a visit opens no case and no metric reads it as a visit.
    """
    _check_attendance(school_days_attended, school_days_open)
    if not consent:
        _refuse_answers(record, school_days_attended)
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
    age = age_on(child.birth_date, visit_date)
    if not consent:
        return _refused_visit(session, child, visit_date, age, monitor, actor=actor, origin=origin)
    fields = {key: value for key, value in record.items() if key != "age"}
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


#: The status of a visit the family did not consent to: nothing but its date, child and
#: monitor is kept, and no metric reads it as a visit (``ipec.monitoring.metrics.refusals``
#: counts them).
REFUSED = "consent_refused"


def _refuse_answers(record: Mapping[str, Any], school_days_attended: int | None) -> None:
    """Without consent no answer may be kept: a value other than empty or "no" is refused."""
    given = sorted(key for key, value in record.items() if value not in (None, False, ""))
    if school_days_attended is not None:
        given.append("school_days_attended")
    if given:
        raise DataError(
            f"answers without consent ({', '.join(given)}): a visit the family did not agree "
            "to keeps only its date, the child and the monitor",
            column="consent",
            hint="send consent true with the answers, or no answers",
        )


def _refused_visit(
    session: Session,
    child: Child,
    visit_date: date,
    age: int,
    monitor: str,
    *,
    actor: str,
    origin: str | None,
) -> Visit:
    """The record of a visit without consent: the date, the child, the monitor, "refused"."""
    visit = Visit(child_id=child.id, visit_date=visit_date, age=age, monitor=monitor,
                  consent=False, record={}, profile_id="", profile_version="", status=REFUSED,
                  reasons=[], missing=[], explanation="No consent: no answers were recorded.",
                  child_labour=False, hazardous_work=False)  # fmt: skip
    session.add(visit)
    session.flush()
    write_audit(session, actor=actor, action="visit.refused", entity="child", entity_id=child.id,
                origin=origin, detail={"visit": visit.id})  # fmt: skip
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
        withdraw_stale(session, case, actor=actor, origin=origin)
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


def check_case_version(case: Case, expected_version: int) -> None:
    """Refuse a change of ``case`` made from a stale copy (``Conflict``, saying its status)."""
    _check_version(case, "case", expected_version, now=case.status.value)


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
    check_location(changes.get("latitude", household.latitude),
                   changes.get("longitude", household.longitude))  # fmt: skip
    return _apply_change(session, household, "household", changes, actor=actor, origin=origin)


def locate_household(
    session: Session,
    *,
    household_id: int,
    latitude: float | None,
    longitude: float | None,
    actor: str,
    origin: str | None = None,
) -> Household:
    """Set (or, with neither coordinate, clear) a household's GPS point: a new reading
    replaces the previous one, which the audit row keeps (:func:`check_location`'s rule)."""
    household = _get(session, Household, household_id, "household", lock=True)
    check_location(latitude, longitude)
    changes = {"latitude": latitude, "longitude": longitude}
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


def refer(
    session: Session,
    *,
    case_id: int,
    partner_id: int,
    reason: str,
    sent_on: date,
    actor: str,
    service: ServiceType | None = None,
    override_reason: str | None = None,
    origin: str | None = None,
) -> Referral:
    """Refer a case to a partner for a service, on a day not before the case opened; the
    referral needs the child's active
    consent for that partner, or, for a worst form only, an override with its reason, kept
    with who made it (``ipec.monitoring.consent.referral_basis``)."""
    case = _get(session, Case, case_id, "case")
    _get(session, Partner, partner_id, "partner")
    if sent_on < case.opened_on:
        raise DataError(
            f"the referral is sent on {sent_on}, before the case opened ({case.opened_on})",
            column="sent_on",
            hint="correct the date sent",
        )
    basis = referral_basis(session, case, partner_id, override_reason=override_reason)
    record = Referral(
        case_id=case.id,
        partner_id=partner_id,
        consent=basis.consent is not None,
        consent_id=basis.consent.id if basis.consent is not None else None,
        override_by=actor if basis.override_reason is not None else None,
        override_reason=basis.override_reason,
        service=ServiceType(service) if service is not None else None,
        status=ReferralStatus.SENT,
        reason=reason.strip(),
        sent_on=sent_on,
    )
    session.add(record)
    session.flush()
    detail: dict[str, Any] = {"partner": partner_id, "referral": record.id,
                              "consent": record.consent_id}  # fmt: skip
    if basis.override_reason is not None:
        detail["override"] = basis.override_reason
    write_audit(session, actor=actor, action="referral.send", entity="case", entity_id=case.id,
                origin=origin, detail=detail)  # fmt: skip
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
    note: str | None = None,
    origin: str | None = None,
) -> Referral:
    """Move a referral on: sent -> accepted, rejected or revoked; accepted -> done or revoked.
    A rejection needs its reason (``note``, a ``DataError`` naming it otherwise); the answer
    (accepted, rejected, done) is kept with who gave it, when and the note."""
    referral = _get(session, Referral, referral_id, "referral", lock=True)
    allowed = REFERRAL_STEPS[referral.status]
    if status not in allowed:
        choices = ", ".join(sorted(s.value for s in allowed)) or "none (it is final)"
        raise Conflict(
            f"referral {referral_id} is {referral.status.value} and cannot become {status.value}",
            hint=f"allowed next statuses: {choices}",
        )
    text = (note or "").strip()
    if len(text) > 2000:
        raise DataError("the note is longer than 2000 characters", column="note")
    if status is ReferralStatus.REJECTED and not text:
        raise DataError(f"rejecting referral {referral_id} needs a reason", column="note",
                        hint="say why the referral is rejected")  # fmt: skip
    before = referral.status
    referral.status = status
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.DONE):
        referral.answered_by, referral.answered_at = actor, datetime.now(UTC)
        referral.answer_note = text or None
    session.flush()
    write_audit(
        session,
        actor=actor,
        action="referral.status",
        entity="case",
        entity_id=referral.case_id,
        origin=origin,
        detail={"referral": referral.id, "from": before.value, "to": status.value,
                "note": text or None},
    )  # fmt: skip
    return referral


def complete_follow_up(
    session: Session, *, follow_up_id: int, visit: Visit, actor: str, origin: str | None = None,
    rule: FollowUpRule = DEFAULT_RULE,
) -> FollowUp:  # fmt: skip
    """Mark a follow-up done by ``visit``: the visit must be of the case's child, on or after
    the case was identified, and the follow-up not already done (the follow-up's row is locked
    while it is checked, so two visits cannot both do it). The schedule rolls on by ``rule``
    (:func:`ipec.monitoring.schedule.after_done`)."""
    follow_up, case = _follow_up_to_do(session, follow_up_id, child_id=visit.child_id,
                                       visit_date=visit.visit_date)  # fmt: skip
    return _mark_done(session, follow_up, case, visit, actor=actor, origin=origin, rule=rule)


def _follow_up_to_do(
    session: Session, follow_up_id: int, *, child_id: int, visit_date: date
) -> tuple[FollowUp, Case]:
    """The follow-up a visit of the child on ``visit_date`` may do, and its case, with the
    follow-up's row locked; refused when it is another child's, already done, of a closed
    case, or the visit is before the case was identified (``column`` "follow_up_id")."""
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
    if case.status is CaseStatus.CLOSED:
        raise Conflict(
            f"follow-up {follow_up_id} is of case {case.id}, which is closed",
            hint="record the visit without the follow-up, or reopen the case first",
        )
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
    rule: FollowUpRule = DEFAULT_RULE,
) -> FollowUp:
    """Mark the checked follow-up done by ``visit``, with its audit row, and keep the
    schedule going (:func:`ipec.monitoring.schedule.after_done`)."""
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
    schedule.after_done(session, follow_up, case, visit.visit_date, rule=rule, actor=actor,
                        origin=origin)  # fmt: skip
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
    rule: FollowUpRule = DEFAULT_RULE,
) -> Visit:
    """Record a visit (:func:`record_visit`) and, when it does a follow-up (``follow_up_id``),
    mark that follow-up done by it (:func:`complete_follow_up`'s rules; the schedule rolls
    on by ``rule``). The follow-up is checked before anything is written: a refusal leaves
    no visit behind."""
    to_do: tuple[FollowUp, Case] | None = None
    if follow_up_id is not None and not consent:
        raise DataError(
            "a visit without consent verifies nothing: it cannot do a follow-up",
            column="consent",
            hint="record the follow-up at a visit the family agrees to",
        )
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
        _mark_done(session, follow_up, case, visit, actor=actor, origin=origin, rule=rule)
    return visit


def schedule_follow_ups(
    session: Session,
    *,
    case_id: int,
    remediation_start: date,
    until: date,
    rule: FollowUpRule = DEFAULT_RULE,
) -> list[FollowUp]:
    """Create the follow-ups due from ``remediation_start`` up to ``until`` that do not exist
    (a follow-up moved from a rule's date still stands for it)."""
    case = _get(session, Case, case_id, "case")
    rule_dates = select(func.coalesce(FollowUp.rule_due_on, FollowUp.due_on))
    existing = set(session.scalars(rule_dates.where(FollowUp.case_id == case.id)))
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
    role: Role | None = None,
    override: bool = False,
) -> CaseEvent:
    """Move a case along the workflow, unless someone changed it since ``expected_version``
    was read (a ``Conflict``, before anything changes); starting remediation, or resuming
    it, also schedules the first follow-ups afresh (by ``rule``: 3 and 6 months later by
    default; :func:`ipec.monitoring.schedule.restart`), so no case in remediation is left
    without a visit due. Closing needs the closer's ``role`` and the
    closure rule met, or ``override`` with a ``reason`` (``ipec.monitoring.closure``);
    requests for approval the step leaves without object are withdrawn
    (``ipec.monitoring.approvals.withdraw_stale``)."""
    _check_version(case, "case", expected_version, now=case.status.value)
    recorded_as = None
    if action == Action.CLOSE and (Action.CLOSE, case.status) in TRANSITIONS:
        recorded_as = authorize_close(session, case, role=role, reason=reason,
                                      override=override, rule=rule)  # fmt: skip
    event = transition(session, case, action, actor=actor, reason=reason, origin=origin,
                       recorded_as=recorded_as)  # fmt: skip
    withdraw_stale(session, case, actor=actor, origin=origin)
    if event.action in (Action.START_REMEDIATION.value, Action.RESUME_REMEDIATION.value):
        schedule.restart(session, case, today, rule=rule, actor=actor, origin=origin)
    return event


def assign_area_monitor(
    session: Session, *, area_id: int, user_id: int | None, actor: str, origin: str | None = None
) -> AreaMonitor | None:
    """Make user ``user_id`` responsible for the area's follow-ups, and for those of the areas
    below it without a monitor of their own; with None, take the area's own monitor away (its
    follow-ups go to the monitor of the nearest area above that has one). A follow-up's own
    assignee overrides both (:func:`assign_follow_up`; ``ipec.monitoring.assignment``).
    Audited (``area.monitor``, on the area, with the user before and after). The caller
    checks who may assign, and to whom (``ipec.auth.assignee_for``)."""
    area = _get(session, Area, area_id, "area")
    current = session.get(AreaMonitor, area.id, with_for_update=True)
    before = current.user_id if current is not None else None
    if user_id is None:
        if current is not None:
            session.delete(current)
    elif current is None:
        current = AreaMonitor(area_id=area.id, user_id=user_id, assigned_at=datetime.now(UTC),
                              assigned_by=actor)  # fmt: skip
        session.add(current)
    else:
        current.user_id, current.assigned_at = user_id, datetime.now(UTC)
        current.assigned_by = actor
    session.flush()
    write_audit(session, actor=actor, action="area.monitor", entity="area", entity_id=area.id,
                origin=origin, detail={"from": before, "to": user_id})  # fmt: skip
    return current if user_id is not None else None


def _scheduled(session: Session, follow_up_id: int) -> tuple[FollowUp, Case]:
    """A follow-up still to do (its row locked) and its case; refused when it was done or
    its case is closed (``Conflict``)."""
    follow_up = _get(session, FollowUp, follow_up_id, "follow-up", lock=True)
    case = _get(session, Case, follow_up.case_id, "case")
    if follow_up.visit_id is not None:
        raise Conflict(f"follow-up {follow_up.id} was already done by visit {follow_up.visit_id}",
                       hint="reload the child's page")  # fmt: skip
    if case.status is CaseStatus.CLOSED:
        raise Conflict(f"the case of follow-up {follow_up.id} is closed: nothing is due",
                       hint="reload the child's page")  # fmt: skip
    return follow_up, case


def assign_follow_up(
    session: Session, *, follow_up_id: int, user_id: int | None, actor: str,
    origin: str | None = None,
) -> FollowUp:  # fmt: skip
    """Assign a follow-up still to do (and the visit it asks for) to user ``user_id``, over
    its area's monitor; with None, give it back to the area's monitor. Refused for a
    follow-up done or of a closed case (``Conflict``). Audited (``follow_up.assign``, on the
    case). The caller checks who may assign, and to whom (``ipec.auth.assignee_for``)."""
    follow_up, case = _scheduled(session, follow_up_id)
    before = follow_up.assignee_id
    follow_up.assignee_id = user_id
    session.flush()
    write_audit(session, actor=actor, action="follow_up.assign", entity="case",
                entity_id=case.id, origin=origin,
                detail={"follow_up": follow_up.id, "from": before, "to": user_id})  # fmt: skip
    return follow_up


def move_follow_up(
    session: Session,
    *,
    follow_up_id: int,
    due_on: date,
    actor: str,
    origin: str | None = None,
    today: date | None = None,
    rule: FollowUpRule = DEFAULT_RULE,
) -> FollowUp:
    """Move a follow-up still to do to ``due_on``: up to ``rule.move_weeks`` weeks (4 by
    default) before or after the rule's date, and not before today
    (:func:`~ipec.monitoring.followup.move_bounds`). The rule's date is kept
    (``rule_due_on``), so a follow-up moved twice is bounded by the rule, not by its last
    move. Refused outside the bounds (a ``DataError`` naming them, ``column`` "due_on"),
    and for a follow-up done or of a closed case (``Conflict``). Audited
    (``follow_up.move``, on the case, with the dates before and after)."""
    follow_up, case = _scheduled(session, follow_up_id)
    rule_date = follow_up.rule_due_on or follow_up.due_on
    now = today or datetime.now(UTC).date()
    first, last = move_bounds(rule_date, now, rule)
    window = f"{rule.move_weeks} weeks either side of the rule's date, {rule_date}"
    if first > last:
        raise DataError(f"follow-up {follow_up.id} can no longer be moved: it could be moved "
                        f"up to {last} ({window})", column="due_on",
                        hint="record the visit: the follow-up is overdue")  # fmt: skip
    if not first <= due_on <= last:
        bound = f"{window}, not before today" if first == now else window
        raise DataError(f"follow-up {follow_up.id} may be moved from {first} to {last} ({bound}), "
                        f"not to {due_on}", column="due_on",
                        hint=f"choose a day from {first} to {last}")  # fmt: skip
    before = follow_up.due_on
    follow_up.due_on = due_on
    follow_up.rule_due_on = None if due_on == rule_date else rule_date
    session.flush()
    write_audit(session, actor=actor, action="follow_up.move", entity="case", entity_id=case.id,
                origin=origin, detail={"follow_up": follow_up.id, "from": before.isoformat(),
                                       "to": due_on.isoformat(),
                                       "rule": rule_date.isoformat()})  # fmt: skip
    return follow_up

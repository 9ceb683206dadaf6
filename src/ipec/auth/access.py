"""The one gate every read and change of a child's record passes through.

A user sees the children of households in their area's subtree and nothing else: a child
outside it is reported as not found (the two are never told apart). An administrator without
an area sees the whole programme (the scope "/", every area, those added later included).
Viewers may read but not change. Every read and every change is written to the audit log with
who, what, when and from where.

A partner user (``Role.PARTNER``) has no area: it reaches the referrals sent to its
organisation, and what they share of the child (:func:`partner_referral`,
:func:`read_partner_referrals`), and nothing else. Its scope matches no area, so every other
gate finds nothing (a record is not found, a list or a metric is refused).

The gate decides who may read and what scope they get; it does not decide how a list is
found: :func:`read_list` and :func:`read_export` take a listing (``ipec.monitoring.queries``
chooses its query plan), hand it the user's scope and log the children it returned.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from ipec.auth.models import Role, User
from ipec.errors import NotFound, PermissionDenied
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import (
    Approval,
    Area,
    AuditEntry,
    Case,
    Child,
    Consent,
    FollowUp,
    Household,
    PlanAction,
    Referral,
    ReferralStatus,
    RemediationService,
)
from ipec.monitoring.scope import WHOLE_PROGRAMME, programme_area

__all__ = [
    "CHANGE_ROLES",
    "Export",
    "Listed",
    "Listing",
    "Operation",
    "Principal",
    "access_case",
    "access_case_record",
    "access_child",
    "access_consent",
    "access_household",
    "area_in_scope",
    "children_in_scope",
    "may_read_audit_log",
    "partner_referral",
    "principal_of",
    "read_audit_log",
    "read_export",
    "read_list",
    "read_metrics",
    "read_partner_referrals",
    "require_role",
]


_OfCase = TypeVar("_OfCase", Referral, RemediationService, FollowUp, Approval, PlanAction)


class Operation(StrEnum):
    READ = "read"
    CHANGE = "change"


#: Roles that may change records (viewers only read).
CHANGE_ROLES = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.MONITOR})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: their name for the audit log, role, and the path of their area ("/",
    every area, for an administrator of the whole programme)."""

    user_id: int
    username: str
    role: Role
    scope_path: str
    #: The partner organisation of a partner user (None for every other role).
    partner_id: int | None = None


#: The scope of a partner user: no area's path starts with it, so no child, household, area
#: or list is in it (its referrals are reached by :func:`partner_referral` only).
PARTNER_SCOPE = "partner:"


def principal_of(session: Session, user: User) -> Principal:
    """The principal of a signed-in user (their area's path bounds what they see; an
    administrator without an area sees every area; a partner user, no area but the
    referrals sent to its partner)."""
    if user.role is Role.PARTNER:
        if user.partner_id is None:  # the database refuses it too
            raise PermissionDenied(f"partner user {user.username} has no partner")
        return Principal(user.id, user.username, user.role, PARTNER_SCOPE, user.partner_id)
    if user.area_id is None:
        if user.role is not Role.ADMIN:  # the database refuses it too
            raise PermissionDenied(f"user {user.username} has no area: only an administrator "
                                   "may have none")  # fmt: skip
        return Principal(user.id, user.username, user.role, WHOLE_PROGRAMME)
    area = session.get(Area, user.area_id)
    if area is None:
        raise NotFound(f"area {user.area_id} of user {user.username} not found")
    return Principal(user.id, user.username, user.role, area.path)


def children_in_scope(principal: Principal) -> Select[Child]:
    """A query of the children the principal may see (to be refined by the caller)."""
    return (
        select(Child)
        .join(Household, Household.id == Child.household_id)
        .join(Area, Area.id == Household.area_id)
        .where(Area.path.startswith(principal.scope_path, autoescape=True))
    )


def access_child(
    session: Session,
    principal: Principal,
    child_id: int,
    operation: Operation = Operation.READ,
    *,
    origin: str | None = None,
) -> Child:
    """The child, if the principal may do ``operation`` on it; the access is audit-logged."""
    child = session.scalars(children_in_scope(principal).where(Child.id == child_id)).first()
    if child is None:
        raise NotFound(f"child {child_id} not found")
    _may_do(principal, operation)
    _audit(
        session,
        principal,
        f"child.{operation.value}",
        entity="child",
        entity_id=child.id,
        origin=origin,
    )
    return child


def _may_do(principal: Principal, operation: Operation) -> None:
    """Refuse a change to a principal whose role only reads."""
    if operation is Operation.CHANGE and principal.role not in CHANGE_ROLES:
        raise PermissionDenied(f"a {principal.role.value} may read but not change records")


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    *,
    entity: str,
    entity_id: int,
    origin: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    write_audit(session, actor=principal.username, action=action, entity=entity,
                entity_id=entity_id, origin=origin, detail=detail)  # fmt: skip
    session.flush()


def access_case(
    session: Session,
    principal: Principal,
    case_id: int,
    operation: Operation = Operation.READ,
    *,
    origin: str | None = None,
) -> Case:
    """The case, through the gate of its child (a case out of scope is not found)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    try:
        access_child(session, principal, case.child_id, operation, origin=origin)
    except NotFound:
        raise NotFound(f"case {case_id} not found") from None
    return case


def access_case_record(
    session: Session,
    principal: Principal,
    model: type[_OfCase],
    record_id: int,
    *,
    what: str,
    operation: Operation = Operation.READ,
    origin: str | None = None,
) -> _OfCase:
    """A record of a case (a service, a referral, a follow-up, a request for approval, an
    action of a plan), through the gate of the case's child; a record out of scope is not
    found, like a missing one."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"{what} {record_id} not found")
    try:
        access_case(session, principal, record.case_id, operation, origin=origin)
    except NotFound:
        raise NotFound(f"{what} {record_id} not found") from None
    return record


def access_consent(
    session: Session,
    principal: Principal,
    consent_id: int,
    operation: Operation = Operation.READ,
    *,
    origin: str | None = None,
) -> Consent:
    """A consent record, through the gate of its child (one out of scope is not found)."""
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise NotFound(f"consent {consent_id} not found")
    try:
        access_child(session, principal, consent.child_id, operation, origin=origin)
    except NotFound:
        raise NotFound(f"consent {consent_id} not found") from None
    return consent


def access_household(
    session: Session,
    principal: Principal,
    household_id: int,
    operation: Operation = Operation.READ,
    *,
    origin: str | None = None,
) -> Household:
    """The household and, with it, its children's records (each child's access is logged)."""
    household = session.get(Household, household_id)
    area = session.get(Area, household.area_id) if household else None
    if household is None or area is None or not area.path.startswith(principal.scope_path):
        raise NotFound(f"household {household_id} not found")
    _may_do(principal, operation)
    _audit(session, principal, f"household.{operation.value}", entity="household",
           entity_id=household.id, origin=origin,
           detail={"children": [child.id for child in household.children]})  # fmt: skip
    return household


def area_in_scope(session: Session, principal: Principal, area_id: int) -> Area:
    """An area inside the principal's subtree; any other area is not found."""
    area = session.get(Area, area_id)
    if area is None or not area.path.startswith(principal.scope_path):
        raise NotFound(f"area {area_id} not found")
    return area


def read_metrics(
    session: Session,
    principal: Principal,
    area_id: int | None,
    *,
    start: date,
    end: date,
    view: str,
    origin: str | None = None,
) -> Area:
    """The area whose subtree a view of the metrics covers (the principal's own area, or
    ``area_id`` inside it; any other is not found); the reading is audit-logged, since
    counts of a small area can point at children. The whole programme's own view is of
    :func:`~ipec.monitoring.scope.programme_area` (id 0, path "/", not stored)."""
    _refuse_partner(principal, "read the programme's figures")
    if area_id is None and principal.scope_path == WHOLE_PROGRAMME:
        area = programme_area()
    elif area_id is None:
        own = session.scalar(select(Area).where(Area.path == principal.scope_path))
        if own is None:
            raise NotFound(f"the area of user {principal.username} not found")
        area = own
    else:
        area = area_in_scope(session, principal, area_id)
    _audit(session, principal, "metrics.read", entity="area", entity_id=area.id, origin=origin,
           detail={"view": view, "start": start.isoformat(), "end": end.isoformat()})  # fmt: skip
    return area


def require_role(principal: Principal, roles: Collection[Role], doing: str) -> None:
    """Refuse ``doing`` unless the principal has one of ``roles``."""
    if principal.role not in roles:
        raise PermissionDenied(f"a {principal.role.value} may not {doing}")


def may_read_audit_log(principal: Principal) -> bool:
    """Administrators of the whole programme only (without an area, or of a root area): the
    log spans every area, so an administrator of one district may not read it."""
    whole = principal.scope_path == WHOLE_PROGRAMME or principal.scope_path.count("/") == 2
    return principal.role is Role.ADMIN and whole


def read_audit_log(
    session: Session,
    principal: Principal,
    *,
    actor: str | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    action: str | None = None,
    address: str | None = None,
    page: int = 1,
    per_page: int = 50,
    origin: str | None = None,
) -> list[AuditEntry]:
    """Audit entries (by actor, record, action or the address they came from), newest first,
    for administrators of the whole programme only (the log spans every area, so an
    administrator of one district may not read it); the reading is itself logged."""
    if not may_read_audit_log(principal):
        raise PermissionDenied(
            "only an administrator of the whole programme may read the audit log"
        )
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if address is not None:
        query = query.where(AuditEntry.origin == address)
    entries = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    asked = {"actor": actor, "entity": entity, "entity_id": entity_id, "page": page}
    asked.update({key: value for key, value in (("action", action), ("address", address))
                  if value is not None})  # fmt: skip
    _audit(session, principal, "audit.read", entity="audit", entity_id=0, origin=origin,
           detail=asked)  # fmt: skip
    return entries


class Listed(Protocol):
    """A page of a list: rows that each carry the ``Child`` listed (or the ``Household``,
    for a list of households)."""

    @property
    def rows(self) -> Sequence[Row[Any]]: ...


_Found_co = TypeVar("_Found_co", bound=Listed, covariant=True)


class Listing(Protocol[_Found_co]):
    """A list of children's records, bounded by the scope it is given; how it is found (its
    query plan) is its own business (``ipec.monitoring.queries.CaseList``, ``FollowUpList``)."""

    @property
    def action(self) -> str:
        """The audit log's name for reading it (``case.list``)."""
        ...

    @property
    def entity(self) -> str:
        """What the audit row is about (``case``, ``child``, ``household``)."""
        ...

    @property
    def page(self) -> int: ...

    def page_in(self, session: Session, scope_path: str) -> _Found_co:
        """The page within the subtree at ``scope_path``."""
        ...


class Export(Protocol):
    """Every record of a list, for a file (``ipec.monitoring.queries.CaseExport``)."""

    @property
    def action(self) -> str: ...

    def detail(self) -> Mapping[str, Any]:
        """What the audit log keeps of the export (its format and filters)."""
        ...

    def rows_in(self, session: Session, scope_path: str) -> Iterator[Row[Any]]:
        """The rows within the subtree at ``scope_path``."""
        ...


_Page = TypeVar("_Page", bound=Listed)


def read_list(
    session: Session, principal: Principal, listing: Listing[_Page], *, origin: str | None = None
) -> _Page:
    """A page of ``listing`` within the principal's scope; the children (or households)
    listed are audit-logged (every role may read a list of its own areas; a partner user
    reads only its referrals: :func:`read_partner_referrals`)."""
    _refuse_partner(principal, "read the lists of children, cases or households")
    found = listing.page_in(session, principal.scope_path)
    if listing.entity == "household":
        listed = {"households": [row.Household.id for row in found.rows]}
    else:
        listed = {"children": [row.Child.id for row in found.rows]}
    _audit(session, principal, listing.action, entity=listing.entity, entity_id=0,
           origin=origin, detail={**listed, "page": listing.page})  # fmt: skip
    return found


def read_export(
    session: Session, principal: Principal, export: Export, *, origin: str | None = None
) -> Iterator[Row[Any]]:
    """Every row of ``export`` within the principal's scope, streamed; the export itself
    (its format and filters) is audit-logged first."""
    _refuse_partner(principal, "export records")
    _audit(session, principal, export.action, entity="case", entity_id=0, origin=origin,
           detail=export.detail())  # fmt: skip
    return export.rows_in(session, principal.scope_path)


def _refuse_partner(principal: Principal, doing: str) -> None:
    """A partner user reads its referrals only: a list or a figure of areas is refused."""
    if principal.role is Role.PARTNER:
        raise PermissionDenied(
            f"a partner may not {doing}: it reads only the referrals sent to its organisation",
            hint="open the referrals page",
        )


def partner_referral(
    session: Session,
    principal: Principal,
    referral_id: int,
    operation: Operation = Operation.READ,
    *,
    origin: str | None = None,
) -> Referral:
    """A referral sent to the partner user's organisation (to read, or to answer: accept,
    reject, report done); any other referral, and any caller but a partner user, gets not
    found. The access is audit-logged on the referral's child, as any read of a child's
    record."""
    referral = session.get(Referral, referral_id)
    if (
        referral is None
        or principal.role is not Role.PARTNER
        or principal.partner_id is None
        or referral.partner_id != principal.partner_id
    ):
        raise NotFound(f"referral {referral_id} not found")
    case = session.get(Case, referral.case_id)
    assert case is not None  # a referral's case is a foreign key
    _audit(session, principal, f"referral.{operation.value}", entity="child",
           entity_id=case.child_id, origin=origin,
           detail={"referral": referral.id, "partner": referral.partner_id})  # fmt: skip
    return referral


def read_partner_referrals(
    session: Session,
    principal: Principal,
    *,
    statuses: Collection[ReferralStatus] | None = None,
    page: int = 1,
    per_page: int = 50,
    origin: str | None = None,
) -> list[Row[Any]]:
    """A page of the referrals sent to the partner user's organisation (newest first; one
    more than a page, to tell whether another follows), each with its case's child id; the
    children listed are audit-logged. Any caller but a partner user is refused."""
    if principal.role is not Role.PARTNER or principal.partner_id is None:
        raise PermissionDenied(
            "only a partner user reads the referrals sent to its organisation",
            hint="open the child's page for the referrals of a case",
        )
    query = (
        select(Referral, Case.child_id)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.partner_id == principal.partner_id)
    )
    if statuses:
        query = query.where(Referral.status.in_(list(statuses)))
    query = query.order_by(Referral.sent_on.desc(), Referral.id.desc())
    found = session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    # rows of (Referral, child_id), typed as the other lists' rows are (``Listed.rows``)
    rows = cast("list[Row[Any]]", list(found))
    listed = {"children": [row.child_id for row in rows[:per_page]], "page": page}
    _audit(session, principal, "referral.list", entity="child", entity_id=0, origin=origin,
           detail=listed)  # fmt: skip
    return rows

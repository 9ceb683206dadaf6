"""Cases: the priority list, a case with its history, transitions, services, referrals and
the follow-ups due."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from sqlalchemy import select

from ipec.auth import area_in_scope, read_list
from ipec.monitoring import allowed_actions
from ipec.monitoring.models import FollowUp, Referral, RemediationService
from ipec.monitoring.queries import CaseList, FollowUpFilter, FollowUpList
from ipec.monitoring.schedule import rule_of
from ipec.monitoring.service import (
    add_service,
    end_service,
    refer,
    set_referral_status,
    step_case,
)
from ipec.web.api.common import IsoDate, Page, PerPage, today
from ipec.web.api.filters import AreaQuery, CaseFilters
from ipec.web.api.schemas import (
    CaseDetailOut,
    CaseListItem,
    CaseOut,
    CasePageOut,
    ChildOut,
    EventOut,
    FollowUpItem,
    FollowUpOut,
    FollowUpPageOut,
    ReferralIn,
    ReferralOut,
    ReferralStatusIn,
    ServiceEndIn,
    ServiceIn,
    ServiceOut,
    TransitionIn,
)
from ipec.web.deps import (
    CaseToChange,
    CaseToRead,
    CurrentPrincipal,
    DbSession,
    ReferralToChange,
    ServiceToChange,
    origin,
)

__all__ = ["router"]

router = APIRouter(tags=["cases"])


@router.get("/cases", response_model=CasePageOut)
def list_cases(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    filters: CaseFilters,
    page: Page = 1,
    per_page: PerPage = 50,
) -> CasePageOut:
    """The caller's cases, most urgent first (worst forms, hazardous work, under 12, girls,
    then the oldest), filtered and paginated."""
    listing = CaseList(filters, today(), page=page, per_page=per_page)
    found = read_list(db, who, listing, origin=origin(request))
    items = [
        CaseListItem(
            case=CaseOut.model_validate(row.Case),
            child=ChildOut.model_validate(row.Child),
            area_id=row.area_id,
            area_name=row.area_name,
            overdue_follow_ups=row.overdue_follow_ups,
        )
        for row in found.rows
    ]
    return CasePageOut(items=items, page=page, per_page=per_page, has_next=found.has_next)


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def read_case(case: CaseToRead, db: DbSession) -> CaseDetailOut:
    """A case with its history, services, referrals, follow-ups and the actions allowed now."""
    services = db.scalars(
        select(RemediationService)
        .where(RemediationService.case_id == case.id)
        .order_by(RemediationService.started_on, RemediationService.id)
    )
    referrals = db.scalars(
        select(Referral).where(Referral.case_id == case.id).order_by(Referral.sent_on, Referral.id)
    )
    follow_ups = db.scalars(
        select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.due_on, FollowUp.id)
    )
    return CaseDetailOut(
        **CaseOut.model_validate(case).model_dump(),
        events=[EventOut.model_validate(event) for event in case.events],
        services=[ServiceOut.model_validate(s) for s in services],
        referrals=[ReferralOut.model_validate(r) for r in referrals],
        follow_ups=[FollowUpOut.model_validate(f) for f in follow_ups],
        allowed_actions=[action.value for action in allowed_actions(case.status)],
    )


@router.post("/cases/{case_id}/transitions", response_model=CaseOut)
def move_case(
    case: CaseToChange, body: TransitionIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> CaseOut:  # fmt: skip
    """Move a case along the workflow; refused when the case changed since ``version``.
    Starting remediation schedules the first follow-ups (3 and 6 months later). Closing is
    for supervisors and above, by the closure rule or by ``override`` with a reason."""
    step_case(db, case=case, expected_version=body.version, action=body.action,
              actor=who.username, today=today(), reason=body.reason,
              rule=rule_of(request.app.state.settings), origin=origin(request),
              role=who.role, override=body.override)  # fmt: skip
    return CaseOut.model_validate(case)


@router.post("/cases/{case_id}/services", response_model=ServiceOut, status_code=201)
def create_service(
    case: CaseToChange, body: ServiceIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> ServiceOut:
    """Record a remediation service given in a case."""
    service = add_service(db, case_id=case.id, service=body.type, started_on=body.started_on,
                          partner_id=body.partner_id, actor=who.username,
                          origin=origin(request))  # fmt: skip
    return ServiceOut.model_validate(service)


@router.patch("/services/{service_id}", response_model=ServiceOut)
def finish_service(
    given: ServiceToChange, body: ServiceEndIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> ServiceOut:  # fmt: skip
    """Record the end date of a service."""
    service = end_service(db, service_id=given.id, ended_on=body.ended_on,
                          actor=who.username, origin=origin(request))  # fmt: skip
    return ServiceOut.model_validate(service)


@router.post("/cases/{case_id}/referrals", response_model=ReferralOut, status_code=201)
def create_referral(
    case: CaseToChange, body: ReferralIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> ReferralOut:
    """Refer a case to a partner for a service: the child's consent for that partner is
    needed (recorded first), or, for a worst form only, an override with its reason."""
    referral = refer(db, case_id=case.id, partner_id=body.partner_id, reason=body.reason,
                     sent_on=body.sent_on, service=body.service,
                     override_reason=body.override_reason, actor=who.username,
                     origin=origin(request))  # fmt: skip
    return ReferralOut.model_validate(referral)


@router.patch("/referrals/{referral_id}", response_model=ReferralOut)
def change_referral(
    sent: ReferralToChange, body: ReferralStatusIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> ReferralOut:  # fmt: skip
    """Move a referral on (accepted, rejected with a reason in ``note``, done, revoked)."""
    referral = set_referral_status(db, referral_id=sent.id, status=body.status,
                                   actor=who.username, note=body.note,
                                   origin=origin(request))  # fmt: skip
    return ReferralOut.model_validate(referral)


@router.get("/follow-ups", response_model=FollowUpPageOut)
def list_follow_ups(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    due_by: IsoDate | None = None,
    overdue_only: bool = False,
    area_id: AreaQuery = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> FollowUpPageOut:
    """Follow-ups still to do in the caller's areas, earliest first (default: due within a
    week)."""
    now = today()
    path = area_in_scope(db, who, area_id).path if area_id is not None else None
    limit = due_by or date.fromordinal(now.toordinal() + 7)
    filters = FollowUpFilter(due_by=limit, overdue_only=overdue_only, area_path=path)
    listing = FollowUpList(filters, now, page=page, per_page=per_page)
    found = read_list(db, who, listing, origin=origin(request))
    items = [
        FollowUpItem(
            follow_up=FollowUpOut.model_validate(row.FollowUp),
            case=CaseOut.model_validate(row.Case),
            child=ChildOut.model_validate(row.Child),
            area_name=row.area_name,
            overdue=row.FollowUp.due_on < now,
        )
        for row in found.rows
    ]
    return FollowUpPageOut(items=items, page=page, per_page=per_page, has_next=found.has_next)

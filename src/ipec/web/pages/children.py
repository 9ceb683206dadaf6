"""A child's page: the record, the household, the visits with their classification, the cases
with their services, referrals and follow-ups, and the forms that change them.

Each route receives its record through the access gate (``ChildToRead``, ``CaseToChange``...:
reads with ``Operation.READ``, changes with ``Operation.CHANGE``) and then calls the same
service as the API; the rules (consent, versions, follow-ups) are the service's. A form with
wrong values is sent back with the user's values and a message beside each wrong field
(status 422); nothing is written then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from ipec.auth import Operation, access_child, access_household
from ipec.classify import classify_child
from ipec.errors import DataError, InvalidTransition
from ipec.monitoring import Action, allowed_actions
from ipec.monitoring.alliance import referral_choices
from ipec.monitoring.closure import CLOSE_ROLES
from ipec.monitoring.consent import consents_of
from ipec.monitoring.models import (
    Area,
    Case,
    CaseStatus,
    Child,
    ConsentGiver,
    ConsentPurpose,
    FollowUp,
    Partner,
    Referral,
    ReferralStatus,
    RemediationService,
    ServiceType,
    Visit,
)
from ipec.monitoring.schedule import rule_of
from ipec.monitoring.scope import age_on
from ipec.monitoring.service import (
    REFERRAL_STEPS,
    add_service,
    end_service,
    locate_household,
    record_visit_and_follow_up,
    refer,
    set_referral_status,
    step_case,
)
from ipec.standards import Profile, load_profile
from ipec.web.api.common import today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.case_supervision import supervision_context
from ipec.web.pages.deps import (
    CaseToChange,
    ChildToChange,
    ChildToRead,
    FormFields,
    ReferralToChange,
    ServiceToChange,
    SignedIn,
    Viewer,
)
from ipec.web.pages.explained import explanations
from ipec.web.pages.forms import FormState, Say, read_date
from ipec.web.pages.i18n import choose_language, translatable
from ipec.web.pages.location import read_location
from ipec.web.pages.render import gettext_of, pages_of, wording_of
from ipec.web.pages.visits import questions, read_record, read_visit

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: A reason or a referral's note is a few sentences.
_MAX_NOTE = 2000


def _profile(request: Request) -> Profile:
    """The programme's profile (the one the API classifies visits with)."""
    return load_profile(request.app.state.settings.profile)


_OfCase = TypeVar("_OfCase", RemediationService, Referral, FollowUp)


def _by_case(
    db: Session, model: type[_OfCase], case_ids: list[int], first: InstrumentedAttribute[date]
) -> dict[int, list[_OfCase]]:
    """The records of the cases, by case, each case's in order of ``first`` then id."""
    found: dict[int, list[_OfCase]] = defaultdict(list)
    query = select(model).where(model.case_id.in_(case_ids)).order_by(first, model.id)
    for record in db.scalars(query):
        found[record.case_id].append(record)
    return found


def _child_page(
    request: Request,
    db: Session,
    viewer: Viewer,
    child: Child,
    *,
    failed: FormState | None = None,
) -> Response:
    """The page of ``child`` (read through the gate); ``failed`` is a form sent back with its
    errors (status 422)."""
    who, where = viewer.principal, origin(request)
    household = access_household(db, who, child.household_id, Operation.READ, origin=where)
    # Each case's history is shown: loaded with the cases, not one query per case.
    query = select(Case).where(Case.child_id == child.id).options(selectinload(Case.events))
    cases = list(db.scalars(query.order_by(Case.id.desc())))
    ids = [case.id for case in cases]
    services = _by_case(db, RemediationService, ids, RemediationService.started_on)
    referrals = _by_case(db, Referral, ids, Referral.sent_on)
    follow_ups = _by_case(db, FollowUp, ids, FollowUp.due_on)
    visits = list(db.scalars(select(Visit).where(Visit.child_id == child.id)
                             .order_by(Visit.visit_date.desc(), Visit.id.desc())))  # fmt: skip
    visit_of = {visit.id: visit for visit in visits}
    open_cases = {case.id for case in cases if case.status is not CaseStatus.CLOSED}
    due = [f for case_id in ids for f in follow_ups[case_id]
           if f.visit_id is None and case_id in open_cases]  # fmt: skip
    forms = {failed.name: failed} if failed else {}
    partners = list(db.scalars(select(Partner).order_by(Partner.name)))
    # the referral form offers the partners serving the child's area today (the alliance)
    referral_partners = referral_choices(db, area=db.get_one(Area, household.area_id),
                                         day=today())  # fmt: skip
    context = {
        "child": child,
        "household": household,
        "area": db.get(Area, household.area_id),
        "visits": visits,
        "cases": cases,
        "services": services,
        "referrals": referrals,
        "follow_ups": follow_ups,
        "visit_of": visit_of,
        "due": sorted(due, key=lambda f: (f.due_on, f.id)),
        "actions": {case.id: [a.value for a in allowed_actions(case.status)] for case in cases},
        "steps": {
            r.id: sorted(s.value for s in REFERRAL_STEPS[r.status])
            for found in referrals.values()
            for r in found
        },
        "partners": partners,
        "referral_partners": referral_partners,
        "partner_names": {partner.id: partner.name for partner in partners},
        "consents": consents_of(db, child.id),
        "consent_purposes": list(ConsentPurpose),
        "consent_givers": list(ConsentGiver),
        "service_types": list(ServiceType),
        "questions": questions(_profile(request), choose_language(request)),
        "explained": explanations(visits, _profile(request), wording_of(request)),
        "form": lambda name: forms.get(name) or FormState(name),
        # the visit form's fields have ids of their names; the others are named in the summary
        "problems": [
            (key if failed.name == "visit" else "", message)
            for key, message in failed.errors.items()
        ]
        if failed
        else (),
    }
    context.update(supervision_context(db, viewer, cases))
    status = 422 if failed else 200
    return pages_of(request).render(request, "child.html", context, status=status)


def _sent_back(
    request: Request, db: Session, viewer: Viewer, child_id: int, failed: FormState
) -> Response:
    """The child's page again (read through the gate), with the form that failed."""
    child = access_child(db, viewer.principal, child_id, Operation.READ, origin=origin(request))
    return _child_page(request, db, viewer, child, failed=failed)


def _read_partner(db: Session, state: FormState, say: Say, *, required: bool) -> int | None:
    """The partner chosen in the form, if any; an unknown one (or none where one is
    required) is marked beside the field."""
    chosen = state.typed.get("partner_id", "")
    if not chosen and not required:
        return None
    if not chosen.isdigit() or db.get(Partner, int(chosen)) is None:
        state.errors["partner_id"] = say(translatable("Choose a partner from the list."))
        return None
    return int(chosen)


def _back_to(child_id: int, anchor: str, saved: str = "case") -> Response:
    """After a change, the child's page again (a reload does not send the form twice), saying
    what was saved."""
    return RedirectResponse(f"/children/{child_id}?saved={saved}#{anchor}", status_code=303)


@router.get("/children/{child_id}")
def child_page(child: ChildToRead, request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """Everything known about a child in one page, with the actions allowed now."""
    return _child_page(request, db, viewer, child)


def _follow_ups_of(db: Session, child_id: int) -> dict[int, date]:
    """The follow-ups still to do of the child's open cases, with the day each case opened."""
    rows = db.execute(
        select(FollowUp.id, Case.opened_on).join(Case, Case.id == FollowUp.case_id)
        .where(Case.child_id == child_id, FollowUp.visit_id.is_(None),
               Case.status != CaseStatus.CLOSED)
    )  # fmt: skip
    return {row.id: row.opened_on for row in rows}


@router.post("/children/{child_id}/visits")
def visit(
    child: ChildToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Record a visit; the child is classified and, in child labour, gets a case. A visit that
    does a follow-up names it."""
    who = viewer.principal
    profile, say = _profile(request), gettext_of(request)
    state = FormState("visit", form)
    pending = _follow_ups_of(db, child.id)
    asked = questions(profile, choose_language(request))
    answers = read_visit(state, asked, say, born=child.birth_date, today=today(),
                         follow_ups=set(pending))  # fmt: skip
    point = read_location(state, say)  # the household's GPS point, if the form has one
    if answers is None or state.errors:
        return _sent_back(request, db, viewer, child.id, state)
    if not answers.consent:
        # as the form says beside the box: without consent the answers are not kept
        answers = replace(answers, record={}, school_days_attended=None, school_days_open=None)
    try:
        with db.begin_nested():  # a refusal keeps nothing of the visit
            recorded = record_visit_and_follow_up(
                db, child_id=child.id, follow_up_id=answers.follow_up_id,
                visit_date=answers.visit_date, monitor=who.username, consent=answers.consent,
                record=answers.record, profile=profile, actor=who.username,
                origin=origin(request), school_days_attended=answers.school_days_attended,
                school_days_open=answers.school_days_open,
                rule=rule_of(request.app.state.settings),
            )  # fmt: skip
    except DataError as error:
        # The service's rule for the follow-up chosen (not before its case opened), shown
        # beside the visit date in the user's language.
        if error.column == "consent":
            message = translatable(
                "A visit without consent cannot do a follow-up: choose no follow-up, or record "
                "the family's consent."
            )
            state.errors["consent"] = say(message)
            return _sent_back(request, db, viewer, child.id, state)
        if error.column != "follow_up_id" or answers.follow_up_id is None:
            raise
        message = say(translatable("A follow-up visit cannot be before the case opened (%(day)s)."))
        state.errors["visit_date"] = message % {"day": pending[answers.follow_up_id].isoformat()}
        return _sent_back(request, db, viewer, child.id, state)
    if point is not None and answers.consent:
        latitude, longitude = point
        locate_household(db, household_id=child.household_id, latitude=latitude,
                         longitude=longitude, actor=who.username,
                         origin=origin(request))  # fmt: skip
    return _back_to(child.id, f"visit-{recorded.id}", saved="visit")


@router.post("/children/{child_id}/visits/preview")
def preview(child: ChildToRead, request: Request, form: FormFields) -> Response:
    """The classification the visit form would give, without saving anything (the live
    preview beside the form)."""
    profile = _profile(request)
    state = FormState("visit", form)
    record = read_record(state, questions(profile, choose_language(request)), gettext_of(request))
    try:
        day = date.fromisoformat(form.get("visit_date", ""))
    except ValueError:
        day = today()
    day = min(max(day, child.birth_date), today())
    result = None
    if not state.errors:
        try:
            answers = {**record, "age": age_on(child.birth_date, day)}
            result = classify_child(answers, profile, wording_of(request))
        except DataError:
            result = None
    return pages_of(request).render(request, "visit_preview.html", {"result": result})


@router.post("/cases/{case_id}/services")
def service(
    case: CaseToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Record a remediation service given in a case."""
    who = viewer.principal
    say = gettext_of(request)
    state = FormState(f"service-{case.id}", form)
    started = read_date(state, "started_on", say, earliest=case.opened_on, latest=today())
    kinds = {kind.value: kind for kind in ServiceType}
    if form.get("type") not in kinds:
        state.errors["type"] = say(translatable("Choose a service."))
    partner = _read_partner(db, state, say, required=False)
    if started is None or state.errors:
        return _sent_back(request, db, viewer, case.child_id, state)
    add_service(db, case_id=case.id, service=kinds[form["type"]], started_on=started,
                partner_id=partner, actor=who.username,
                origin=origin(request))  # fmt: skip
    return _back_to(case.child_id, f"case-{case.id}")


@router.post("/services/{service_id}/end")
def service_end(
    given: ServiceToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Record the day a service ended."""
    who = viewer.principal
    case = db.get(Case, given.case_id)
    assert case is not None
    state = FormState(f"end-{given.id}", form)
    ended = read_date(
        state, "ended_on", gettext_of(request), earliest=given.started_on, latest=today()
    )
    if ended is None:
        return _sent_back(request, db, viewer, case.child_id, state)
    end_service(db, service_id=given.id, ended_on=ended, actor=who.username,
                origin=origin(request))  # fmt: skip
    return _back_to(case.child_id, f"case-{case.id}")


@router.post("/cases/{case_id}/referrals")
def referral(
    case: CaseToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Refer a case to a partner for a service: with the child's consent for that partner
    (recorded under the consents), or, for a worst form only, an override with its reason."""
    who = viewer.principal
    say = gettext_of(request)
    state = FormState(f"referral-{case.id}", form)
    sent = read_date(state, "sent_on", say, earliest=case.opened_on, latest=today())
    partner = _read_partner(db, state, say, required=True)
    reason = form.get("reason", "").strip()
    if not reason or len(reason) > _MAX_NOTE:
        state.errors["reason"] = say(translatable("Say why the child is referred."))
    kinds = {kind.value: kind for kind in ServiceType}
    asked = form.get("service", "")
    if asked and asked not in kinds:
        state.errors["service"] = say(translatable("Choose a service."))
    override = form.get("override_reason", "").strip() or None
    if override is not None and len(override) > _MAX_NOTE:
        state.errors["override_reason"] = say(
            translatable("Keep the reason under 2000 characters.")
        )
    if sent is None or state.errors:
        return _sent_back(request, db, viewer, case.child_id, state)
    assert partner is not None
    try:
        refer(db, case_id=case.id, partner_id=partner, reason=reason, sent_on=sent,
              service=kinds[asked] if asked else None, override_reason=override,
              actor=who.username, origin=origin(request))  # fmt: skip
    except DataError as error:
        if error.column == "consent":
            message = translatable(
                "There is no consent for this partner: record it under Consents (or, for a "
                "worst form, give the reason to refer without consent)."
            )
            state.errors["partner_id"] = say(message)
        elif error.column == "override_reason":
            message = translatable("A referral without consent is allowed only for a worst form.")
            state.errors["override_reason"] = say(message)
        else:
            raise
        return _sent_back(request, db, viewer, case.child_id, state)
    return _back_to(case.child_id, f"case-{case.id}")


@router.post("/referrals/{referral_id}/status")
def referral_status(
    sent: ReferralToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Move a referral on (accepted, rejected with a reason, done, revoked)."""
    who = viewer.principal
    case = db.get(Case, sent.case_id)
    assert case is not None
    try:
        status = ReferralStatus(form.get("status", ""))
    except ValueError:
        raise DataError("unknown referral status", hint="use the buttons of the page") from None
    note = form.get("note", "").strip()
    state = FormState(f"referral-status-{sent.id}", form)
    say = gettext_of(request)
    if status is ReferralStatus.REJECTED and not note:
        state.errors["note"] = say(translatable("Say why the referral is rejected."))
    elif len(note) > _MAX_NOTE:
        state.errors["note"] = say(translatable("Keep the reason under 2000 characters."))
    if state.errors:
        return _sent_back(request, db, viewer, case.child_id, state)
    set_referral_status(db, referral_id=sent.id, status=status, actor=who.username,
                        note=note or None, origin=origin(request))  # fmt: skip
    return _back_to(case.child_id, f"case-{case.id}")


@router.post("/cases/{case_id}/transitions")
def case_step(
    case: CaseToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Move a case along the workflow (closing it included); refused (by the service) when
    the case changed since the page was read. Starting remediation schedules the first
    follow-ups."""
    who = viewer.principal
    version = form.get("version", "")
    if not version.isdecimal():
        raise DataError("the form does not say which version of the case was read",
                        hint="reload the page and try again")  # fmt: skip
    say = gettext_of(request)
    action = form.get("action", "")
    allowed = {a.value for a in allowed_actions(case.status)}
    closing = action == Action.CLOSE and action in allowed
    state = FormState(f"{'close' if closing else 'transition'}-{case.id}", form)
    reason = form.get("reason", "").strip()
    if action not in allowed:
        state.errors["action"] = say(translatable("Choose one of the steps offered."))
    if len(reason) > _MAX_NOTE:
        state.errors["reason"] = say(translatable("Keep the reason under 2000 characters."))
    elif closing and not reason and who.role in CLOSE_ROLES:  # others: refused by the rule
        state.errors["reason"] = say(translatable("Say why the case can close."))
    if state.errors:
        return _sent_back(request, db, viewer, case.child_id, state)
    try:
        # Refused before anything changes: a worst form not yet referred cannot be planned; a
        # case closes by the closure rule or a supervisor's override (a monitor: refused).
        step_case(db, case=case, expected_version=int(version), action=action,
                  actor=who.username, today=today(), reason=reason or None,
                  rule=rule_of(request.app.state.settings), origin=origin(request),
                  role=who.role, override=closing and "override" in form)  # fmt: skip
    except InvalidTransition:
        if closing:
            message = translatable("The closure rule is not met: record the follow-ups, or "
                                   "override the rule with the reason.")  # fmt: skip
            state.errors["override"] = say(message)
        else:
            message = translatable("A worst form must be referred to a partner before planning.")
            state.errors["action"] = say(message)
        return _sent_back(request, db, viewer, case.child_id, state)
    return _back_to(case.child_id, f"case-{case.id}")

"""The supervision pages: a case's plan, requests for approval and assignee (forms of the
child's page), and the supervisor's queue of requests awaiting a decision (``/approvals``).

Each form calls the same service as the API (``ipec.monitoring.approvals``,
``ipec.monitoring.case_assignment``); a form with wrong values is sent back with a message
beside the field (status 422), nothing written.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ipec.auth import Operation, read_list
from ipec.auth.supervision import (
    access_of_case,
    approval_to_decide,
    case_assignee,
    plan_responsible,
)
from ipec.errors import DataError, InvalidTransition, NotFound
from ipec.monitoring.approvals import (
    MAX_NOTE,
    ApprovalQueue,
    add_plan_action,
    decide,
    request_approval,
    set_plan_action_status,
)
from ipec.monitoring.case_assignment import assign_case
from ipec.monitoring.closure import closure_check
from ipec.monitoring.models import (
    ApprovalKind,
    Case,
    CaseStatus,
    Partner,
    PlanAction,
    PlanActionStatus,
    ServiceType,
)
from ipec.web.api.common import Page, RecordId, today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.children import _back_to, _sent_back
from ipec.web.pages.deps import CaseToChange, FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PER_PAGE = 25


def _version(form: dict[str, str]) -> int:
    version = form.get("version", "")
    if not version.isdecimal():
        raise DataError("the form does not say which version of the case was read",
                        hint="reload the page and try again")  # fmt: skip
    return int(version)


@router.post("/cases/{case_id}/plan")
def plan_action(
    case: CaseToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Add an action to a case's plan: a service, who is responsible (a member of the team
    or a partner), by when."""
    who, say = viewer.principal, gettext_of(request)
    state = FormState(f"plan-{case.id}", form)
    kinds = {kind.value for kind in ServiceType}
    if form.get("service") not in kinds:
        state.errors["service"] = say(translatable("Choose a service."))
    kind, _, number = form.get("responsible", "").partition("-")
    user_id = partner_id = None
    if kind not in ("user", "partner") or not number.isdecimal():
        state.errors["responsible"] = say(translatable("Choose who is responsible."))
    elif kind == "user":
        try:
            user_id = plan_responsible(db, who, int(number)).id
        except NotFound:
            state.errors["responsible"] = say(translatable("Choose who is responsible."))
    elif db.get(Partner, int(number)) is None:
        state.errors["responsible"] = say(translatable("Choose who is responsible."))
    else:
        partner_id = int(number)
    try:
        due = date.fromisoformat(form.get("due_on", "").strip())
    except ValueError:
        state.errors["due_on"] = say(translatable("Enter a date (year-month-day)."))
    else:
        if due < case.opened_on:
            message = say(translatable("The date cannot be before %(day)s."))
            state.errors["due_on"] = message % {"day": case.opened_on.isoformat()}
    if state.errors:
        return _sent_back(request, db, viewer, case.child_id, state)
    add_plan_action(db, case=case, service=form["service"], due_on=due,
                    responsible_user_id=user_id, responsible_partner_id=partner_id,
                    actor=who.username, origin=origin(request))  # fmt: skip
    return _back_to(case.child_id, f"plan-{case.id}")


@router.post("/plan-actions/{action_id}/status")
def plan_action_status(
    action_id: RecordId, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Say where an action of a plan stands."""
    where = origin(request)
    action = access_of_case(db, viewer.principal, PlanAction, action_id, what="plan action",
                            operation=Operation.CHANGE, origin=where)  # fmt: skip
    if form.get("status") not in {status.value for status in PlanActionStatus}:
        raise DataError("unknown status of a plan action", hint="use the list of the page")
    set_plan_action_status(db, action=action, status=form["status"],
                           actor=viewer.principal.username, origin=where)  # fmt: skip
    case = db.get(Case, action.case_id)
    assert case is not None  # a foreign key
    return _back_to(case.child_id, f"plan-{case.id}")


@router.post("/cases/{case_id}/approvals")
def ask_approval(
    case: CaseToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Ask a supervisor to approve the case's plan or to close the case."""
    say = gettext_of(request)
    kind = form.get("kind", "")
    if kind not in {k.value for k in ApprovalKind}:
        raise DataError("unknown kind of request", hint="use the buttons of the page")
    state = FormState(f"request-{case.id}-{kind}", form)
    note = form.get("note", "").strip()
    if not note or len(note) > MAX_NOTE:
        state.errors["note"] = say(translatable("Say why, in under 2000 characters."))
        return _sent_back(request, db, viewer, case.child_id, state)
    request_approval(db, case=case, expected_version=_version(form), kind=kind, note=note,
                     actor=viewer.principal.username, origin=origin(request))  # fmt: skip
    return _back_to(case.child_id, f"case-{case.id}", saved="request")


@router.post("/cases/{case_id}/assignee")
def reassign(
    case: CaseToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Assign the case (and its follow-ups to do) to a member of the team, or to nobody."""
    chosen = form.get("user_id", "")
    if chosen and not chosen.isdecimal():
        raise DataError("unknown user", column="user_id", hint="use the list of the page")
    user = case_assignee(db, viewer.principal, case, int(chosen) if chosen else None)
    assign_case(db, case=case, expected_version=_version(form), user=user,
                actor=viewer.principal.username, origin=origin(request))  # fmt: skip
    return _back_to(case.child_id, f"case-{case.id}")


def _queue_page(
    request: Request, db: DbSession, viewer: Viewer, page: int, failed: FormState | None = None
) -> Response:
    found = read_list(db, viewer.principal, ApprovalQueue(page=page, per_page=_PER_PAGE),
                      origin=origin(request))  # fmt: skip
    checks = {row.Approval.id: closure_check(db, row.Case) for row in found.rows
              if row.Approval.kind is ApprovalKind.CLOSURE
              and row.Case.status is CaseStatus.UNDER_FOLLOW_UP}  # fmt: skip
    forms = {failed.name: failed} if failed else {}
    number = failed.name.removeprefix("decide-") if failed else ""
    context = {
        "problems": [(f"{key}-{number}", message) for key, message in failed.errors.items()]
        if failed
        else (),
        "rows": found.rows,
        "page": page,
        "has_next": found.has_next,
        "checks": checks,
        "can_decide": viewer.can_assign,
        "form": lambda name: forms.get(name) or FormState(name),
    }
    return pages_of(request).render(request, "approvals.html", context,
                                    status=422 if failed else 200)  # fmt: skip


@router.get("/approvals")
def approvals(request: Request, db: DbSession, viewer: SignedIn, page: Page = 1) -> Response:
    """The requests awaiting a decision in the viewer's areas, oldest first."""
    return _queue_page(request, db, viewer, page)


@router.post("/approvals/{approval_id}/decision")
def decision(
    approval_id: RecordId, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Approve or reject a request; a rejection needs a comment, an approved closure that
    does not meet the rule needs the override ticked and the comment as its reason."""
    who, say, where = viewer.principal, gettext_of(request), origin(request)
    approval = approval_to_decide(db, who, approval_id, origin=where)
    state = FormState(f"decide-{approval.id}", form)
    verdict = form.get("decision", "")
    comment = form.get("comment", "").strip()
    override = "override" in form
    if verdict not in ("approve", "reject"):
        raise DataError("unknown decision", hint="use the buttons of the page")
    if len(comment) > MAX_NOTE:
        state.errors["comment"] = say(translatable("Keep the reason under 2000 characters."))
    elif verdict == "reject" and not comment:
        state.errors["comment"] = say(translatable("Say why the request is rejected."))
    elif override and not comment:
        state.errors["comment"] = say(translatable("Say why the case closes although the rule "
                                                   "is not met."))  # fmt: skip
    if state.errors:
        return _queue_page(request, db, viewer, 1, state)
    try:
        decide(db, approval=approval, approve=verdict == "approve", comment=comment or None,
               role=who.role, actor=who.username, today=today(), override=override,
               origin=where)  # fmt: skip
    except InvalidTransition:
        message = translatable("The closure rule is not met: reject the request, or override "
                               "the rule with the reason.")  # fmt: skip
        state.errors["override"] = say(message)
        return _queue_page(request, db, viewer, 1, state)
    return RedirectResponse(f"/approvals?saved={verdict}", status_code=303)

"""A follow-up's page: when it is due and may be moved to, who does it, and the forms that
move it (monitors and above, within the rule's bounds) and reassign it (supervisors and
above, to a member of their team who works in its area).

Each route receives the follow-up through the gate of its case (``FollowUpToRead``,
``FollowUpToChange``) and calls the same services as the API; a form with a wrong value is
sent back with a message beside the field (status 422) and nothing is written.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.team import assignee_for, team_for, users_by_id
from ipec.errors import DataError, NotFound
from ipec.monitoring.assignment import assignee_of, responsible_for
from ipec.monitoring.followup import DEFAULT_RULE, move_bounds
from ipec.monitoring.models import Area, Case, Child, FollowUp, Visit
from ipec.monitoring.service import assign_follow_up, move_follow_up
from ipec.web.api.common import today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import FollowUpToChange, FollowUpToRead, FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    db: Session,
    viewer: Viewer,
    follow_up: FollowUp,
    *,
    failed: FormState | None = None,
) -> Response:
    """The follow-up's page; ``failed`` is a form sent back with its errors (status 422)."""
    case, child, area = db.execute(
        select(Case, Child, Area)
        .join(Child, Child.id == Case.child_id)
        .join(Area, Area.id == follow_up.area_id)
        .where(Case.id == follow_up.case_id)
    ).one()
    rule_date = follow_up.rule_due_on or follow_up.due_on
    earliest, latest = move_bounds(rule_date, today())
    responsible = assignee_of(db, follow_up)
    by_area = responsible_for(db, [area.path])[area.path]
    names = users_by_id(db, [responsible.user_id, by_area.user_id])
    done = db.get(Visit, follow_up.visit_id) if follow_up.visit_id is not None else None
    above = db.get(Area, responsible.area_id) if responsible.area_id is not None else None
    forms = {failed.name: failed} if failed else {}
    context = {
        "follow_up": follow_up,
        "case": case,
        "child": child,
        "area": area,
        "rule_date": rule_date,
        "earliest": earliest,
        "latest": latest,
        "weeks": DEFAULT_RULE.move_weeks,
        "responsible": responsible,
        "by_area": by_area,
        "monitor_area": above.name if above is not None else area.name,
        "names": {user_id: user.display_name for user_id, user in names.items()},
        "done": done,
        "team": team_for(db, viewer.principal, [area])[area.id] if viewer.can_assign else [],
        "form": lambda name: forms.get(name) or FormState(name),
        "problems": list(failed.errors.items()) if failed else (),
    }
    status = 422 if failed else 200
    return pages_of(request).render(request, "follow_up.html", context, status=status)


def _saved(follow_up: FollowUp) -> Response:
    """After a change, the follow-up's page again (a reload does not send the form twice)."""
    return RedirectResponse(f"/follow-ups/{follow_up.id}?saved=follow_up", status_code=303)


@router.get("/follow-ups/{follow_up_id}")
def follow_up_page(
    follow_up: FollowUpToRead, request: Request, db: DbSession, viewer: SignedIn
) -> Response:
    """A follow-up, with the forms that move and reassign it."""
    return _page(request, db, viewer, follow_up)


@router.post("/follow-ups/{follow_up_id}/due")
def move(
    follow_up: FollowUpToChange, request: Request, db: DbSession, viewer: SignedIn,
    form: FormFields,
) -> Response:  # fmt: skip
    """Move the follow-up's due date (within the rule's bounds)."""
    say = gettext_of(request)
    state = FormState("due", form)
    try:
        due_on = date.fromisoformat(form.get("due_on", "").strip())
    except ValueError:
        state.errors["due_on"] = say(translatable("Enter a date (year-month-day)."))
        return _page(request, db, viewer, follow_up, failed=state)
    try:
        with db.begin_nested():
            move_follow_up(db, follow_up_id=follow_up.id, due_on=due_on,
                           actor=viewer.principal.username, origin=origin(request),
                           today=today())  # fmt: skip
    except DataError as error:
        if error.column != "due_on":
            raise
        first, last = move_bounds(follow_up.rule_due_on or follow_up.due_on, today())
        if first > last:
            message = say(translatable("The follow-up can no longer be moved: record the visit."))
        else:
            message = say(translatable("Choose a day from %(first)s to %(last)s.")) % {
                "first": first.isoformat(), "last": last.isoformat()}  # fmt: skip
        state.errors["due_on"] = message
        return _page(request, db, viewer, follow_up, failed=state)
    return _saved(follow_up)


@router.post("/follow-ups/{follow_up_id}/assignee")
def assign(
    follow_up: FollowUpToChange, request: Request, db: DbSession, viewer: SignedIn,
    form: FormFields,
) -> Response:  # fmt: skip
    """Assign the follow-up to a member of the team (empty: back to the area's monitor);
    supervisors and above."""
    area = db.get(Area, follow_up.area_id)
    assert area is not None
    state = FormState("assignee", form)
    chosen = form.get("user_id", "").strip()
    user_id = int(chosen) if chosen.isdigit() and len(chosen) < 10 else None
    try:
        if chosen and user_id is None:
            raise NotFound(f"user {chosen} not found")
        assignee_for(db, viewer.principal, user_id=user_id, area=area, doing="assign follow-ups")
    except (NotFound, DataError):
        message = translatable("Choose someone from the list: a member of the team who works here.")
        state.errors["user_id"] = gettext_of(request)(message)
        return _page(request, db, viewer, follow_up, failed=state)
    assign_follow_up(db, follow_up_id=follow_up.id, user_id=user_id,
                     actor=viewer.principal.username, origin=origin(request))  # fmt: skip
    return _saved(follow_up)

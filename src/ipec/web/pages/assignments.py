"""The areas' monitors: for supervisors and above, an area of their subtree and the areas
just under it, each with its own monitor (the follow-ups of the areas below without one go
to it) and who its follow-ups go to now; a form per area sets or takes away its monitor, and
a link drills down (``ipec.monitoring.assignment``, ``ipec.auth.team``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth import area_in_scope, require_role
from ipec.auth.team import ASSIGN_ROLES, assignee_for, team_for, users_by_id
from ipec.errors import DataError, NotFound
from ipec.monitoring.assignment import monitors_of, responsible_for
from ipec.monitoring.models import Area
from ipec.monitoring.scope import WHOLE_PROGRAMME
from ipec.monitoring.service import assign_area_monitor
from ipec.web.api.common import RecordId
from ipec.web.deps import DbSession, origin
from ipec.web.pages.common import natural_key
from ipec.web.pages.deps import FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_ASSIGNING = "assign follow-ups"
_AreaId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


def _shown(db: Session, viewer: Viewer, area_id: int | None) -> Area | None:
    """The area the page shows: ``area_id`` (in scope), else the user's own (None: the
    whole programme, whose root areas are listed)."""
    who = viewer.principal
    if area_id is not None:
        return area_in_scope(db, who, area_id)
    if who.scope_path == WHOLE_PROGRAMME:
        return None
    own = db.scalar(select(Area).where(Area.path == who.scope_path))
    if own is None:
        raise NotFound(f"the area of user {who.username} not found")
    return own


def _page(
    request: Request,
    db: Session,
    viewer: Viewer,
    shown: Area | None,
    *,
    failed: FormState | None = None,
) -> Response:
    """The page of ``shown`` and the areas under it; ``failed``: a form sent back (422)."""
    below = Area.parent_id.is_(None) if shown is None else Area.parent_id == shown.id
    under = sorted(db.scalars(select(Area).where(below)), key=lambda area: natural_key(area.name))
    areas = ([shown] if shown is not None else []) + under
    below_counts = (
        select(Area.parent_id, func.count())
        .where(Area.parent_id.in_([area.id for area in areas]))
        .group_by(Area.parent_id)
    )
    counts = {row[0]: row[1] for row in db.execute(below_counts)}
    own = monitors_of(db, (area.id for area in areas))
    responsible = responsible_for(db, [area.path for area in areas])
    names = users_by_id(db, [*own.values(), *(r.user_id for r in responsible.values())])
    inside = shown is not None and shown.path != viewer.principal.scope_path
    forms = {failed.name: failed} if failed else {}
    context = {
        "shown": shown,
        "up": shown.parent_id if inside and shown is not None else None,
        "can_go_up": inside,
        "areas": areas,
        "counts": counts,
        "own": own,
        "responsible": {area.id: responsible[area.path] for area in areas},
        "area_names": {area.id: area.name for area in db.scalars(select(Area).where(
            Area.id.in_([r.area_id for r in responsible.values() if r.area_id is not None])))},
        "names": {user_id: user.display_name for user_id, user in names.items()},
        "team": team_for(db, viewer.principal, areas),
        "form": lambda name: forms.get(name) or FormState(name),
        "problems": [(f"monitor-{failed.name.removeprefix('area-')}", message)
                     for message in failed.errors.values()] if failed else (),
    }  # fmt: skip
    status = 422 if failed else 200
    return pages_of(request).render(request, "assignments.html", context, status=status)


@router.get("/assignments")
def assignments(
    request: Request, db: DbSession, viewer: SignedIn, area_id: _AreaId = None
) -> Response:
    """An area and the areas under it with their monitors (supervisors and above)."""
    require_role(viewer.principal, ASSIGN_ROLES, _ASSIGNING)
    return _page(request, db, viewer, _shown(db, viewer, area_id))


@router.post("/assignments/areas/{area_id}")
def assign_area(
    area_id: RecordId, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Set the area's monitor (empty: none of its own; the area above's applies)."""
    who = viewer.principal
    require_role(who, ASSIGN_ROLES, _ASSIGNING)
    area = area_in_scope(db, who, area_id)
    back = form.get("shown", "")
    shown = _shown(db, viewer, int(back) if back.isdigit() and len(back) < 10 else None)
    state = FormState(f"area-{area.id}", form)
    chosen = form.get("user_id", "").strip()
    user_id = int(chosen) if chosen.isdigit() and len(chosen) < 10 else None
    try:
        if chosen and user_id is None:
            raise NotFound(f"user {chosen} not found")
        assignee_for(db, who, user_id=user_id, area=area, doing=_ASSIGNING)
    except (NotFound, DataError):
        message = translatable("Choose someone from the list: a member of the team who works here.")
        state.errors["user_id"] = gettext_of(request)(message)
        return _page(request, db, viewer, shown, failed=state)
    assign_area_monitor(db, area_id=area.id, user_id=user_id, actor=who.username,
                        origin=origin(request))  # fmt: skip
    query = f"area_id={shown.id}&" if shown is not None else ""
    return RedirectResponse(f"/assignments?{query}saved=monitor#area-{area.id}", status_code=303)

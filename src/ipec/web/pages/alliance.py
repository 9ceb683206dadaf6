"""A partner's page: its alliance attributes (kind, active, agreement, contact, areas
covered, services offered), shown to every user and set by managers through the form (a
refusal beside its field; audited by ``ipec.monitoring.alliance``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth import require_role
from ipec.auth.service import MANAGER_ROLES
from ipec.errors import DataError
from ipec.monitoring.alliance import partner_profile, update_partner
from ipec.monitoring.models import Area, PartnerKind, ServiceType
from ipec.web.api.common import RecordId
from ipec.web.deps import DbSession, origin
from ipec.web.pages.common import MAX_AREA_CHOICES
from ipec.web.pages.deps import FormFields, SignedIn
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_FIELDS = ("kind", "agreement_from", "agreement_to", "contact", "area_ids")


def _page(request: Request, db: Session, partner_id: int, state: FormState, *,
          status: int = 200) -> Response:  # fmt: skip
    profile = partner_profile(db, partner_id)
    viewer = request.state.viewer
    # the user's areas, the top ones first (a national tree is long: the first hundreds,
    # and the partner's own areas, which are always shown)
    mine = Area.path.startswith(viewer.principal.scope_path, autoescape=True)
    ordered = select(Area).order_by(func.length(Area.path), Area.path)
    areas = list(db.scalars(ordered.where(mine).limit(MAX_AREA_CHOICES)))
    shown = {a.id for a in areas}
    missing = [a for a in profile.area_ids if a not in shown]
    areas += list(db.scalars(ordered.where(Area.id.in_(missing))))
    problems = [(f, state.errors[f]) for f in _FIELDS if f in state.errors]
    context = {
        "profile": profile,
        "areas": areas,
        "kinds": list(PartnerKind),
        "service_types": list(ServiceType),
        "form": state,
        "problems": problems,
    }
    return pages_of(request).render(request, "partner.html", context, status=status)


@router.get("/partners/{partner_id}")
def partner_page(partner_id: RecordId, request: Request, db: DbSession,
                 viewer: SignedIn) -> Response:  # fmt: skip
    """A partner and what it does for the programme; managers also see the form."""
    return _page(request, db, partner_id, FormState("partner"))


def _day(form: dict[str, str], key: str, state: FormState, say: object) -> date | None:
    text = form.get(key, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        state.errors[key] = say(translatable("Enter a date (year-month-day)."))  # type: ignore[operator]
        return None


async def _ticked(request: Request, form: FormFields) -> dict[str, list[str]]:
    """The ticked boxes of the form's two lists (read after ``form``, which reads and checks
    the form: this reads the parsed copy Starlette keeps)."""
    parsed = await request.form()
    return {key: [v for v in parsed.getlist(key) if isinstance(v, str)]
            for key in ("area_ids", "services")}  # fmt: skip


@router.post("/partners/{partner_id}")
def partner_save(
    *,
    partner_id: RecordId,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    form: FormFields,
    ticked: Annotated[dict[str, list[str]], Depends(_ticked)],
) -> Response:
    """Save the form (every attribute as sent: an unticked box is no)."""
    require_role(viewer.principal, MANAGER_ROLES, "change partners")
    say = gettext_of(request)
    state = FormState("partner", form)
    kinds = {k.value: k for k in PartnerKind}
    if form.get("kind") not in kinds:
        state.errors["kind"] = say(translatable("Choose the kind of organisation."))
    start, end = _day(form, "agreement_from", state, say), _day(form, "agreement_to", state, say)
    area_ids = [int(v) for v in ticked["area_ids"] if v.isdigit()]
    types = {t.value: t for t in ServiceType}
    services = [types[v] for v in ticked["services"] if v in types]
    if len(form.get("contact", "")) > 500:
        state.errors["contact"] = say(translatable("Keep the contact under 500 characters."))
    if not state.errors:
        try:
            update_partner(db, partner_id=partner_id, kind=kinds[form["kind"]],
                           active="active" in form, agreement_from=start, agreement_to=end,
                           contact=form.get("contact"), area_ids=area_ids, services=services,
                           actor=viewer.principal.username, origin=origin(request))  # fmt: skip
        except DataError as refused:
            field = refused.column if refused.column in _FIELDS else "kind"
            message = {"agreement_to": translatable("The agreement cannot end before it starts."),
                       "area_ids": translatable("Choose areas of yours.")}  # fmt: skip
            state.errors[field] = say(message.get(field, translatable("Check this field.")))
    if state.errors:
        return _page(request, db, partner_id, state, status=422)
    return RedirectResponse(f"/partners/{partner_id}?saved=1", status_code=303)

"""The partner directory: the organisations that give services and take referrals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import require_role
from ipec.auth.service import MANAGER_ROLES
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Partner, PartnerKind
from ipec.monitoring.service import create_partner
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import FormFields, SignedIn
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The longest partner name accepted (as in the API).
_NAME = 200


def _directory(request: Request, db: Session, state: FormState, *, status: int) -> Response:
    context = {"partners": list(db.scalars(select(Partner).order_by(Partner.name))),
               "kinds": list(PartnerKind), "form": state}  # fmt: skip
    return pages_of(request).render(request, "partners.html", context, status=status)


@router.get("/partners")
def partner_list(request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """Every partner by name; administrators and programme managers also see the form."""
    return _directory(request, db, FormState("partner"), status=200)


@router.post("/partners")
def partner_add(request: Request, db: DbSession, viewer: SignedIn, form: FormFields) -> Response:
    """Add a partner; a name already in the directory is refused beside the field."""
    require_role(viewer.principal, MANAGER_ROLES, "add partners")
    say = gettext_of(request)
    state = FormState("partner", form)
    name = form.get("name", "").strip()
    if not name or len(name) > _NAME:
        state.errors["name"] = say(translatable("Enter the partner's name."))
    elif db.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        state.errors["name"] = say(translatable("A partner with this name is already listed."))
    kinds = {kind.value: kind for kind in PartnerKind}
    if form.get("kind") not in kinds:
        state.errors["kind"] = say(translatable("Choose the kind of organisation."))
    if state.errors:
        return _directory(request, db, state, status=422)
    added = create_partner(db, name=name, kind=kinds[form["kind"]])
    write_audit(db, actor=viewer.principal.username, action="partner.create", entity="partner",
                entity_id=added.id, origin=origin(request),
                detail={"name": name, "kind": added.kind.value})  # fmt: skip
    return RedirectResponse(f"/partners#partner-{added.id}", status_code=303)

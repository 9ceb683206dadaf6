"""Administration: users and their scope, the area tree, the programme's profile and the
audit log, for administrators and programme managers within their own areas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, area_in_scope, may_read_audit_log, read_audit_log, require_role
from ipec.auth.events import repeated_denials
from ipec.auth.service import (
    MANAGER_ROLES,
    UserRuleBroken,
    add_user,
    list_users,
    update_user,
    user_in_scope,
)
from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Partner
from ipec.monitoring.service import create_area
from ipec.standards import load_profile
from ipec.standards.codes import HAZARD_CONDITIONS
from ipec.web.api.common import Page, RecordId
from ipec.web.deps import DbSession, origin
from ipec.web.pages.common import areas_in_scope
from ipec.web.pages.credentials import credentials_context
from ipec.web.pages.dashboard import HAZARD_LABELS
from ipec.web.pages.deps import FormFields, SignedIn, Viewer
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PER_PAGE = 50
_AUDIT_PER_PAGE = 50
#: The longest area name and level the database keeps.
_AREA_NAME, _AREA_LEVEL = 200, 40


def _manager(viewer: Viewer) -> None:
    """Administration is for administrators and programme managers."""
    require_role(viewer.principal, MANAGER_ROLES, "open the administration pages")


def _grantable(viewer: Viewer) -> list[Role]:
    """The roles the viewer may give: administrators give any, others all but administrator;
    the partner role only administrators of the whole programme (``ipec.auth.service``)."""
    admin = viewer.principal.role is Role.ADMIN
    roles = [role for role in Role if admin or role is not Role.ADMIN]
    if not may_read_audit_log(viewer.principal):
        roles.remove(Role.PARTNER)
    return roles


def _partner_id(value: str, errors: dict[str, str]) -> int | None:
    """The posted partner of a partner user, or an error beside the partner field."""
    if not value.isdigit() or not 1 <= int(value) <= 2_147_483_647:
        errors["partner_id"] = "missing"
        return None
    return int(value)


def _partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.name)))


def _area_id(value: str, errors: dict[str, str]) -> int | None:
    """The posted area id, or an error beside the area field."""
    if not value.isdigit() or not 1 <= int(value) <= 2_147_483_647:
        errors["area_id"] = "missing"
        return None
    return int(value)


def _role(value: str, errors: dict[str, str]) -> Role | None:
    """The posted role, or an error beside the role field."""
    try:
        return Role(value)
    except ValueError:
        errors["role"] = "missing"
        return None


def _users_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    page: int,
    form: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    rows = list_users(session, viewer.principal, page=page, per_page=_PER_PAGE,
                      origin=origin(request))  # fmt: skip
    partners = _partners(session)
    context = {
        "rows": rows[:_PER_PAGE],
        "page": page,
        "has_next": len(rows) > _PER_PAGE,
        "areas": areas_in_scope(session, viewer.principal),
        "roles": _grantable(viewer),
        "partners": partners,
        "partner_names": {partner.id: partner.name for partner in partners},
        "form": form,
        "errors": errors,
        "root_admin": may_read_audit_log(viewer.principal),
        "created": request.query_params.get("created"),
    }
    return pages_of(request).render(request, "admin_users.html", context, status=status)


@router.get("/admin")
def users(request: Request, db: DbSession, viewer: SignedIn, page: Page = 1) -> Response:
    """The users of the viewer's areas, and the form to add one."""
    _manager(viewer)
    return _users_page(request, db, viewer, page=page, form={}, errors={})


@router.post("/admin/users")
def new_user(request: Request, db: DbSession, viewer: SignedIn, form: FormFields) -> Response:
    """Add a user with a role and an area; errors appear beside the fields."""
    _manager(viewer)
    errors: dict[str, str] = {}
    role = _role(form.get("role", ""), errors)
    partner_id: int | None = None
    if role is Role.PARTNER:  # a partner user has a partner, and no area
        area_id = None
        partner_id = _partner_id(form.get("partner_id", ""), errors)
    else:
        area_id = _area_id(form.get("area_id", ""), errors)
    if role is not None and not errors:
        try:
            user = add_user(db, viewer.principal, username=form.get("username", ""),
                            display_name=form.get("display_name", ""),
                            password=form.get("password", ""), role=role, area_id=area_id,
                            partner_id=partner_id, origin=origin(request))  # fmt: skip
        except UserRuleBroken as error:
            errors["role"] = error.rule
        except NotFound:
            errors["partner_id" if role is Role.PARTNER else "area_id"] = "outside"
        except Conflict:
            errors["username"] = "taken"
        except DataError as error:
            errors[error.column or "username"] = "invalid"
        else:
            return RedirectResponse(f"/admin?created={user.username}", status_code=303)
    kept = {key: form.get(key, "")
            for key in ("username", "display_name", "role", "area_id", "partner_id")}  # fmt: skip
    return _users_page(request, db, viewer, page=1, form=kept, errors=errors, status=422)


def _user_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    user_id: int,
    *,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    user = user_in_scope(session, viewer.principal, user_id)
    context = {
        "user": user,
        "partner": session.get(Partner, user.partner_id) if user.partner_id else None,
        "areas": areas_in_scope(session, viewer.principal),
        "roles": _grantable(viewer),
        "errors": errors,
        "root_admin": may_read_audit_log(viewer.principal),
        "saved": request.query_params.get("saved") == "1",
        "is_self": user.id == viewer.principal.user_id,
        **credentials_context(session, viewer, user),
    }
    return pages_of(request).render(request, "admin_user.html", context, status=status)


@router.get("/admin/users/{user_id}")
def user_form(request: Request, db: DbSession, viewer: SignedIn, user_id: RecordId) -> Response:
    """One user: their role and scope, and whether they may sign in."""
    _manager(viewer)
    return _user_page(request, db, viewer, user_id, errors={})


@router.post("/admin/users/{user_id}")
def change_user(
    request: Request, db: DbSession, viewer: SignedIn, form: FormFields, user_id: RecordId
) -> Response:
    """Change a user's role and scope (or, with ``active``, deactivate or reactivate them)."""
    _manager(viewer)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if "active" in form:
        changes["active"] = form["active"] == "true"
    else:
        changes["role"] = _role(form.get("role", ""), errors)
        area = form.get("area_id", "")
        # An administrator of the whole programme (no area) keeps it when no area is chosen.
        whole = not area and user_in_scope(db, viewer.principal, user_id).area_id is None
        changes["area_id"] = None if whole else _area_id(area, errors)
    if not errors:
        try:
            update_user(db, viewer.principal, user_id, origin=origin(request), **changes)
        except UserRuleBroken as error:
            errors["active" if "active" in changes else "role"] = error.rule
        except DataError:  # a role other than administrator needs an area
            errors["area_id"] = "missing"
        except NotFound:
            # A user outside the viewer's areas is a missing page; else the area was outside.
            user_in_scope(db, viewer.principal, user_id)
            errors["area_id"] = "outside"
        else:
            return RedirectResponse(f"/admin/users/{user_id}?saved=1", status_code=303)
    return _user_page(request, db, viewer, user_id, errors=errors, status=422)


def _areas_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    form: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {
        "areas": areas_in_scope(session, viewer.principal),
        "can_create": viewer.principal.role is Role.ADMIN,
        "form": form,
        "errors": errors,
        "root_admin": may_read_audit_log(viewer.principal),
        "created": request.query_params.get("created"),
    }
    return pages_of(request).render(request, "admin_areas.html", context, status=status)


@router.get("/admin/areas")
def areas(request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """The area tree of the viewer's scope (and, for administrators, a form to add one)."""
    _manager(viewer)
    return _areas_page(request, db, viewer, form={}, errors={})


@router.post("/admin/areas")
def new_area(request: Request, db: DbSession, viewer: SignedIn, form: FormFields) -> Response:
    """Add an area under one of the viewer's areas (administrators only, as in the API)."""
    _manager(viewer)
    require_role(viewer.principal, {Role.ADMIN}, "create areas")
    errors: dict[str, str] = {}
    name, level = form.get("name", "").strip(), form.get("level", "").strip()
    if not name or len(name) > _AREA_NAME:
        errors["name"] = "invalid"
    if not level or len(level) > _AREA_LEVEL:
        errors["level"] = "invalid"
    parent_id = _area_id(form.get("parent_id", ""), errors)
    if parent_id is not None and "name" not in errors and "level" not in errors:
        try:
            area_in_scope(db, viewer.principal, parent_id)
            area = create_area(db, name=name, level=level, parent_id=parent_id)
        except NotFound:
            errors["parent_id"] = "outside"
        except Conflict:
            errors["name"] = "taken"
        else:
            write_audit(db, actor=viewer.principal.username, action="area.create",
                        entity="area", entity_id=area.id, origin=origin(request),
                        detail={"parent": parent_id, "name": name})  # fmt: skip
            return RedirectResponse(f"/admin/areas?created={area.id}", status_code=303)
    if "area_id" in errors:
        errors["parent_id"] = errors.pop("area_id")
    kept = {key: form.get(key, "") for key in ("name", "level", "parent_id")}
    return _areas_page(request, db, viewer, form=kept, errors=errors, status=422)


@router.get("/admin/profile")
def profile(request: Request, viewer: SignedIn) -> Response:
    """The programme's child labour standard, read-only (the deployment sets it)."""
    _manager(viewer)
    gettext = gettext_of(request)
    context = {
        "profile": load_profile(request.app.state.settings.profile),
        "conditions": {name: gettext(HAZARD_LABELS[name]) for name in HAZARD_CONDITIONS},
        "root_admin": may_read_audit_log(viewer.principal),
    }
    return pages_of(request).render(request, "admin_profile.html", context)


@router.get("/admin/audit")
def audit(
    *,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    actor: Annotated[str, Query(max_length=100)] = "",
    entity: Annotated[str, Query(max_length=40)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    address: Annotated[str, Query(max_length=100)] = "",
    page: Page = 1,
) -> Response:
    """The audit log, newest first, filtered by actor, entity, action or address
    (administrators of the whole programme only); reading it is itself logged."""
    chosen = {"actor": actor.strip(), "entity": entity.strip(), "action": action.strip(),
              "address": address.strip()}  # fmt: skip
    entries = read_audit_log(db, viewer.principal, actor=chosen["actor"] or None,
                             entity=chosen["entity"] or None, action=chosen["action"] or None,
                             address=chosen["address"] or None, page=page,
                             per_page=_AUDIT_PER_PAGE, origin=origin(request))  # fmt: skip
    context = {
        "entries": entries,
        "page": page,
        # A full page may be the last one: the next is then empty, which says so.
        "has_next": len(entries) == _AUDIT_PER_PAGE,
        "chosen": chosen,
        "query_without_page": urlencode({key: value for key, value in chosen.items() if value}),
        "root_admin": True,
        "denials": repeated_denials(
            db, viewer.principal, since=datetime.now(UTC) - timedelta(days=1)
        ),
    }
    return pages_of(request).render(request, "admin_audit.html", context)

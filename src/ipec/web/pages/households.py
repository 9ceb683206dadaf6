"""Register a household with its children, in one of the user's areas."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipec.auth import CHANGE_ROLES, area_in_scope, require_role
from ipec.monitoring.models import Sex
from ipec.monitoring.service import ChildInput, register_household
from ipec.web.api.common import today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.common import areas_in_scope
from ipec.web.pages.deps import FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState, Say, read_date
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The API takes 40 children in one household at most.
_MAX_ROWS = 40
_NAME = 200
_SCHOOL = 40
#: Nobody born before this year is a child to register.
_EARLIEST = date(1900, 1, 1)


def _form_page(
    request: Request, db: Session, viewer: Viewer, state: FormState, *, rows: int, status: int
) -> Response:
    context = {"form": state, "rows": rows, "areas": areas_in_scope(db, viewer.principal),
               "sexes": list(Sex)}  # fmt: skip
    return pages_of(request).render(request, "household_new.html", context, status=status)


@router.get("/households/new")
def new_household(request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """The registration form (one row for a child; more rows on demand)."""
    require_role(viewer.principal, CHANGE_ROLES, "register households")
    return _form_page(request, db, viewer, FormState("household"), rows=1, status=200)


def _rows_typed(form: dict[str, str]) -> int:
    """How many child rows the form had."""
    text = form.get("rows", "1")
    return min(max(int(text), 1), _MAX_ROWS) if text.isdigit() else 1


def _read_children(state: FormState, rows: int, say: Say) -> list[ChildInput]:
    """The children of the filled rows (an empty row is skipped); the same child twice, a
    missing name or sex and a birth date in the future are marked beside their fields."""
    children: list[ChildInput] = []
    seen: set[tuple[str, str, str]] = set()
    for row in range(rows):
        key = f"child-{row}-"
        name = state.typed.get(key + "name", "").strip()
        sex = state.typed.get(key + "sex", "")
        born_text = state.typed.get(key + "birth_date", "").strip()
        school = state.typed.get(key + "school_status", "").strip()
        if not (name or sex or born_text or school):
            continue
        if not name or len(name) > _NAME:
            state.errors[key + "name"] = say(translatable("Enter the child's name."))
        if sex not in {s.value for s in Sex}:
            state.errors[key + "sex"] = say(translatable("Choose girl or boy."))
        born = read_date(state, key + "birth_date", say, earliest=_EARLIEST, latest=today())
        if len(school) > _SCHOOL:
            state.errors[key + "school_status"] = say(translatable("40 characters at most."))
        identity = (name.casefold(), sex, born_text)
        if name and identity in seen:
            message = translatable("This child is already listed above.")
            state.errors[key + "name"] = say(message)
        seen.add(identity)
        if not state.errors:
            assert born is not None
            children.append(ChildInput(name, Sex(sex), born, school or None))
    if not seen:
        state.errors["child-0-name"] = say(translatable("Register at least one child."))
    return children


@router.post("/households/new")
def register(request: Request, db: DbSession, viewer: SignedIn, form: FormFields) -> Response:
    """Register the household; then the first child's page. "Add another child" sends the
    form back with one more row, keeping what was typed."""
    who = viewer.principal
    require_role(who, CHANGE_ROLES, "register households")
    state, rows = FormState("household", form), _rows_typed(form)
    if "add_row" in form:
        return _form_page(request, db, viewer, state, rows=min(rows + 1, _MAX_ROWS), status=200)
    say = gettext_of(request)
    area = form.get("area_id", "")
    if not area.isdigit():
        state.errors["area_id"] = say(translatable("Choose the area."))
    else:
        area_in_scope(db, who, int(area))
    head = form.get("head_name", "").strip()
    if not head or len(head) > _NAME:
        state.errors["head_name"] = say(translatable("Enter the name of the head of household."))
    children = _read_children(state, rows, say)
    if state.errors:
        return _form_page(request, db, viewer, state, rows=rows, status=422)
    household = register_household(db, area_id=int(area), head_name=head, children=children,
                                   actor=who.username, origin=origin(request))  # fmt: skip
    first = min(child.id for child in household.children)
    return RedirectResponse(f"/children/{first}", status_code=303)

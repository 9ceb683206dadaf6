"""A household: register it with its children in one of the user's areas; its page with its
children, their visits and cases; add a child, record a child leaving, move the household to
another area, set its GPS point.

Each route receives its record through the access gate (``HouseholdToRead``,
``HouseholdToChange``, ``ChildToChange``) and calls one service of
``ipec.monitoring.service``, whose rules (duplicates, dates, versions, moves) are the API's
too. A form with wrong values is sent back with a message beside each wrong field (422).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import CHANGE_ROLES, Operation, access_household, area_in_scope, require_role
from ipec.errors import DataError
from ipec.monitoring.models import (
    Area,
    Case,
    Household,
    HouseholdMove,
    LeaveReason,
    Sex,
    Visit,
)
from ipec.monitoring.service import (
    ChildInput,
    add_child,
    locate_household,
    move_household,
    record_leaving,
    register_household,
)
from ipec.web.api.common import today
from ipec.web.deps import DbSession, origin
from ipec.web.pages.common import areas_in_scope
from ipec.web.pages.deps import (
    ChildToChange,
    FormFields,
    HouseholdToChange,
    HouseholdToRead,
    SignedIn,
    Viewer,
)
from ipec.web.pages.forms import FormState, Say, read_date
from ipec.web.pages.i18n import translatable
from ipec.web.pages.location import read_location
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The API takes 40 children in one household at most.
_MAX_ROWS = 40
_NAME = 200
_SCHOOL = 40
#: Nobody born before this year is a child to register.
_EARLIEST = date(1900, 1, 1)
#: A note on a move is a few sentences.
_MAX_NOTE = 2000


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
    unit = form.get("supply_unit", "").strip()
    if len(unit) > _NAME:
        state.errors["supply_unit"] = say(translatable("200 characters at most."))
    point = read_location(state, say)
    children = _read_children(state, rows, say)
    if state.errors:
        return _form_page(request, db, viewer, state, rows=rows, status=422)
    latitude, longitude = point if point else (None, None)
    household = register_household(db, area_id=int(area), head_name=head, children=children,
                                   actor=who.username, origin=origin(request),
                                   supply_unit=unit or None, latitude=latitude,
                                   longitude=longitude)  # fmt: skip
    first = min(child.id for child in household.children)
    return RedirectResponse(f"/children/{first}", status_code=303)


_OfChild = TypeVar("_OfChild", Visit, Case)


def _by_child(
    db: Session, model: type[_OfChild], ids: list[int], *newest: Any
) -> dict[int, list[_OfChild]]:
    """The visits (cases) of the children ``ids``, by child, in the order ``newest``."""
    found: dict[int, list[_OfChild]] = defaultdict(list)
    if ids:
        query = select(model).where(model.child_id.in_(ids)).order_by(*newest)
        for record in db.scalars(query):
            found[record.child_id].append(record)
    return found


def _household_page(
    request: Request,
    db: Session,
    viewer: Viewer,
    household: Household,
    *,
    failed: FormState | None = None,
) -> Response:
    """The page of ``household`` (read through the gate); ``failed`` is a form sent back with
    its errors (status 422)."""
    members = sorted(household.children, key=lambda child: (not child.active, child.id))
    ids = [child.id for child in members]
    moves = list(db.scalars(select(HouseholdMove).where(HouseholdMove.household_id == household.id)
                            .order_by(HouseholdMove.id)))  # fmt: skip
    named = {household.area_id} | {m.from_area_id for m in moves} | {m.to_area_id for m in moves}
    area_names = {
        row.id: row.name for row in db.execute(select(Area.id, Area.name).where(Area.id.in_(named)))
    }
    forms = {failed.name: failed} if failed else {}
    here = {"latitude": household.latitude, "longitude": household.longitude}
    located = {key: "" if value is None else f"{value:.6f}" for key, value in here.items()}
    forms.setdefault("location", FormState("location", located if any(located.values()) else {}))
    context = {
        "household": household,
        "area": db.get(Area, household.area_id),
        "area_names": area_names,
        "moves": moves,
        "members": members,
        "visits": _by_child(db, Visit, ids, Visit.visit_date.desc(), Visit.id.desc()),
        "cases": _by_child(db, Case, ids, Case.id.desc()),
        "sexes": list(Sex),
        "leave_reasons": list(LeaveReason),
        "move_areas": [area for area in areas_in_scope(db, viewer.principal)
                       if area.id != household.area_id],
        "form": lambda name: forms.get(name) or FormState(name),
        "problems": _problems(failed) if failed else (),
    }  # fmt: skip
    status = 422 if failed else 200
    return pages_of(request).render(request, "household.html", context, status=status)


#: The id of a field of a form of the household page, by the form's name and the field's.
_FIELD_IDS = {"child": "child-{field}", "move": "move-{short}", "location": "gps-{field}",
              "leave": "leave-{short}-{number}"}  # fmt: skip
_SHORT = {"area_id": "area", "moved_on": "day", "left_on": "day", "reason": "reason"}


def _problems(failed: FormState) -> list[tuple[str, str]]:
    """The summary of a form sent back: each message with a link to its field."""
    kind, _, number = failed.name.partition("-")
    pattern = _FIELD_IDS[kind]
    return [(pattern.format(field=field, short=_SHORT.get(field, field), number=number), message)
            for field, message in failed.errors.items()]  # fmt: skip


def _back_to(household_id: int, anchor: str) -> Response:
    """After a change, the household's page again (a reload does not send the form twice),
    saying that it was saved."""
    return RedirectResponse(f"/households/{household_id}?saved=household#{anchor}",
                            status_code=303)  # fmt: skip


def _version(form: dict[str, str], what: str) -> int:
    """The version of the record the form was read from."""
    version = form.get("version", "")
    if not version.isdecimal():
        raise DataError(f"the form does not say which version of the {what} was read",
                        hint="reload the page and try again")  # fmt: skip
    return int(version)


@router.get("/households/{household_id}")
def household_page(
    household: HouseholdToRead, request: Request, db: DbSession, viewer: SignedIn
) -> Response:
    """A household: its area and moves, its GPS point, its children with their visits and
    cases, and the forms that change them."""
    return _household_page(request, db, viewer, household)


@router.post("/households/{household_id}/children")
def household_child(
    household: HouseholdToChange,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    form: FormFields,
) -> Response:
    """Add a child to the household; then the child's page."""
    say = gettext_of(request)
    state = FormState("child", form)
    name = form.get("name", "").strip()
    if not name or len(name) > _NAME:
        state.errors["name"] = say(translatable("Enter the child's name."))
    sex = form.get("sex", "")
    if sex not in {s.value for s in Sex}:
        state.errors["sex"] = say(translatable("Choose girl or boy."))
    born = read_date(state, "birth_date", say, earliest=_EARLIEST, latest=today())
    school = form.get("school_status", "").strip()
    if len(school) > _SCHOOL:
        state.errors["school_status"] = say(translatable("40 characters at most."))
    if born is None or state.errors:
        return _household_page(request, db, viewer, household, failed=state)
    try:
        with db.begin_nested():
            child = add_child(db, household_id=household.id,
                              child=ChildInput(name, Sex(sex), born, school or None),
                              actor=viewer.principal.username, origin=origin(request))  # fmt: skip
    except DataError as error:
        if error.column != "name":
            raise
        state.errors["name"] = say(
            translatable("This child is already registered in the household.")
        )
        return _household_page(request, db, viewer, household, failed=state)
    return RedirectResponse(f"/children/{child.id}", status_code=303)


@router.post("/children/{child_id}/leave")
def child_leaves(
    child: ChildToChange, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Record that a child left the register (moved away, died, aged out): nothing is
    deleted; the lists hide the child unless asked."""
    say = gettext_of(request)
    state = FormState(f"leave-{child.id}", form)
    reasons = {reason.value: reason for reason in LeaveReason}
    if form.get("reason") not in reasons:
        state.errors["reason"] = say(translatable("Choose why the child left."))
    left = read_date(state, "left_on", say, earliest=child.birth_date, latest=today())
    if left is None or state.errors:
        household = access_household(db, viewer.principal, child.household_id, Operation.READ,
                                     origin=origin(request))  # fmt: skip
        return _household_page(request, db, viewer, household, failed=state)
    record_leaving(db, child_id=child.id, expected_version=_version(form, "child"), left_on=left,
                   reason=reasons[form["reason"]], actor=viewer.principal.username,
                   origin=origin(request), today=today())  # fmt: skip
    return _back_to(child.household_id, f"child-{child.id}")


@router.post("/households/{household_id}/move")
def household_move(
    household: HouseholdToChange,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    form: FormFields,
) -> Response:
    """Move the household to another of the user's areas (an area outside them is not
    found); its cases and their follow-ups go with it, its visits keep their area."""
    say = gettext_of(request)
    state = FormState("move", form)
    chosen = form.get("area_id", "")
    if not chosen.isdigit():
        state.errors["area_id"] = say(translatable("Choose the area."))
    elif int(chosen) == household.area_id:
        state.errors["area_id"] = say(translatable("The household is in this area already."))
    else:
        area_in_scope(db, viewer.principal, int(chosen))
    latest = db.scalar(select(HouseholdMove.moved_on).where(HouseholdMove.household_id
                       == household.id).order_by(HouseholdMove.id.desc()).limit(1))  # fmt: skip
    moved = read_date(state, "moved_on", say, earliest=latest, latest=today())
    reason = form.get("reason", "").strip()
    if len(reason) > _MAX_NOTE:
        state.errors["reason"] = say(translatable("Keep the reason under 2000 characters."))
    if moved is None or state.errors:
        return _household_page(request, db, viewer, household, failed=state)
    move_household(db, household_id=household.id, expected_version=_version(form, "household"),
                   to_area_id=int(chosen), moved_on=moved, reason=reason or None,
                   actor=viewer.principal.username, origin=origin(request),
                   today=today())  # fmt: skip
    return _back_to(household.id, "h-moves")


@router.post("/households/{household_id}/location")
def household_location(
    household: HouseholdToChange,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    form: FormFields,
) -> Response:
    """Set the household's GPS point (both fields empty clear it)."""
    state = FormState("location", form)
    point = read_location(state, gettext_of(request))
    if state.errors:
        return _household_page(request, db, viewer, household, failed=state)
    latitude, longitude = point if point else (None, None)
    locate_household(db, household_id=household.id, latitude=latitude, longitude=longitude,
                     actor=viewer.principal.username, origin=origin(request))  # fmt: skip
    return _back_to(household.id, "h-household")

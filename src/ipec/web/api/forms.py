"""``/forms``: the programme's XLSForms and the caller's entity list of children due, to
publish on ODK Central or KoboToolbox (``ipec.forms``)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request, Response

from ipec.errors import NotFound
from ipec.forms.entities import children_due, entity_csv
from ipec.forms.people import areas_under
from ipec.forms.xlsform import FormKind, build_xlsform, write_xlsform
from ipec.standards import load_profile
from ipec.web.deps import CurrentPrincipal, DbSession
from ipec.web.pages.i18n import LANGUAGES, load_translations

__all__ = ["router"]

router = APIRouter(tags=["forms"])
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/forms/children_due.csv", response_class=Response)
def entity_list(db: DbSession, who: CurrentPrincipal, days: int = 31) -> Response:
    """The entity list of children due for a follow-up in the caller's areas (due within
    ``days`` days, or overdue), each child once; every child listed is audit-logged."""
    today = datetime.now(UTC).date()
    due = children_due(db, who, today=today, days_ahead=max(0, min(days, 366)))
    return Response(
        entity_csv(due),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="children_due.csv"'},
    )


@router.get("/forms/{kind}.xlsx", response_class=Response)
def xlsform(kind: str, request: Request, db: DbSession, who: CurrentPrincipal) -> Response:
    """The XLSForm of ``kind`` (registration, visit, follow-up) for the programme's profile,
    with the caller's areas as its choices."""
    try:
        form_kind = FormKind(kind)
    except ValueError:
        raise NotFound(f"no form {kind!r}", hint="registration, visit or follow-up") from None
    translations = load_translations()
    form = build_xlsform(
        form_kind,
        load_profile(request.app.state.settings.profile),
        areas_under(db, who.scope_path),
        languages=LANGUAGES,
        translate=lambda message, code: translations[code].gettext(message),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.xlsx"
        write_xlsform(form, path)
        content = path.read_bytes()
    name = f"{form.settings['form_id']}.xlsx"
    return Response(
        content, media_type=_XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )

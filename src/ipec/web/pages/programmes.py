"""The programme pages: the programmes of the user's areas, and a programme's page with its
targets beside what the metrics achieved (table and chart), a form to set a target, the
planned-versus-achieved XLSX, and US DOL's Annex A on a page and as XLSX. Every figure is
computed by ``ipec.programmes`` from the metrics; the reading is audit-logged as the
dashboard's (``read_metrics``, the view ``programme:<id>``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import read_metrics
from ipec.errors import DataError
from ipec.monitoring.metrics import Period
from ipec.monitoring.models import Partner
from ipec.programmes.access import programme_for, programmes_for
from ipec.programmes.annex import AGE_GROUPS, annex_a, annex_a_xlsx
from ipec.programmes.indicators import INDICATORS, Unit
from ipec.programmes.models import PartnerRole, PeriodKind, Programme, TargetGroup
from ipec.programmes.results import TargetResult, planned_versus_achieved, results_xlsx
from ipec.programmes.service import add_target, programme_areas
from ipec.web.api.common import RecordId
from ipec.web.deps import DbSession, origin
from ipec.web.pages.charts import BarChart, bar_chart
from ipec.web.pages.deps import FormFields, SignedIn, Viewer
from ipec.web.pages.forms import FormState
from ipec.web.pages.i18n import translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_LABELS = {
    TargetGroup.ALL: translatable("All children"),
    TargetGroup.WORST_FORMS: translatable("Worst forms"),
    TargetGroup.HAZARDOUS: translatable("Hazardous work"),
    TargetGroup.UNDER_12: translatable("Under 12"),
    TargetGroup.GIRLS: translatable("Girls"),
    TargetGroup.BOYS: translatable("Boys"),
    TargetGroup.AT_RISK: translatable("At risk"),
}
PERIOD_LABELS = {
    PeriodKind.QUARTER: translatable("Quarter"),
    PeriodKind.HALF_YEAR: translatable("Half-year"),
    PeriodKind.YEAR: translatable("Year"),
}
ROLE_LABELS = {
    PartnerRole.IMPLEMENTING: translatable("Implementing"),
    PartnerRole.REFERRAL_SERVICE: translatable("Referral service"),
    PartnerRole.FUNDING: translatable("Funding"),
    PartnerRole.GOVERNMENT_AUTHORITY: translatable("Government authority"),
    PartnerRole.EMPLOYERS: translatable("Employers' organisation"),
    PartnerRole.WORKERS: translatable("Workers' organisation"),
    PartnerRole.MEDIA: translatable("Media"),
    PartnerRole.RESEARCH: translatable("Research"),
}
#: The form's fields, in order, for the error summary.
_FIELDS = ("indicator", "period_kind", "starts_on", "area_id", "target_group", "planned")
#: What the page says beside a field the service refused (its English detail is logged in
#: the exception; the page speaks the user's language).
_REFUSED = {
    "indicator": translatable("This indicator is not known."),
    "target_group": translatable("This indicator cannot be split by this group."),
    "planned": translatable("Enter a value of 0 or more; a rate is a percentage up to 100."),
    "starts_on": translatable(
        "Start on the first day of a month, inside the programme, without overlapping "
        "another target of the same indicator, area and group."
    ),
    "area_id": translatable("Choose one of the programme's areas."),
}


@router.get("/programmes")
def programme_list(request: Request, db: DbSession, viewer: SignedIn) -> Response:
    """The programmes the user's areas meet, by start."""
    found = programmes_for(db, viewer.principal)
    return pages_of(request).render(request, "programmes.html", {"programmes": found})


def _chart(results: list[TargetResult], say: Any) -> BarChart:
    """Planned and achieved side by side, per target (rates in percentage points)."""
    rows = []
    for result in results:
        target, rate = result.target, INDICATORS[result.target.indicator].unit is Unit.RATE
        scale = 100 if rate else 1
        achieved = result.achieved.value
        label = (f"{target.indicator} {target.starts_on:%Y-%m} {result.area_name} "
                 f"{say(GROUP_LABELS[target.target_group])}{' (%)' if rate else ''}")  # fmt: skip
        rows.append((label, [round(target.planned * scale),
                             round((achieved or 0) * scale)]))  # fmt: skip
    return bar_chart([say("Planned"), say("Achieved")], rows)


def _page(
    request: Request, db: Session, viewer: Viewer, programme: Programme, state: FormState,
    *, status: int = 200,
) -> Response:  # fmt: skip
    say = gettext_of(request)
    read_metrics(db, viewer.principal, None, start=programme.starts_on, end=programme.ends_on,
                 view=f"programme:{programme.id}", origin=origin(request))  # fmt: skip
    results = planned_versus_achieved(db, programme, scope_path=viewer.principal.scope_path)
    partner_names = {row[0]: row[1] for row in db.execute(select(Partner.id, Partner.name))}
    context = {
        "programme": programme,
        "areas": programme_areas(db, programme),
        "partners": [(partner_names.get(p.partner_id, "?"), say(ROLE_LABELS[p.role]))
                     for p in programme.partners],
        "results": results,
        "chart": _chart(results, say),
        "indicators": INDICATORS,
        "rate_unit": Unit.RATE,
        "groups": GROUP_LABELS,
        "periods": PERIOD_LABELS,
        "form": state,
        "fields": _FIELDS,
        "can_set": viewer.can_manage,
        "problems": [(f, state.errors[f]) for f in _FIELDS if f in state.errors],
    }  # fmt: skip
    return pages_of(request).render(request, "programme.html", context, status=status)


@router.get("/programmes/{programme_id}")
def programme_page(
    programme_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> Response:
    """A programme: who and where, its targets beside what was achieved, table and chart."""
    programme = programme_for(db, viewer.principal, programme_id)
    return _page(request, db, viewer, programme, FormState("target"))


def _read_target(form: dict[str, str], state: FormState, say: Any) -> dict[str, Any] | None:
    """The typed target, or None with a message beside each empty or malformed field."""
    values: dict[str, Any] = {}
    if form.get("indicator") not in INDICATORS:
        state.errors["indicator"] = say(translatable("Choose the indicator."))
    else:
        values["indicator"] = form["indicator"]
    kinds = {k.value: k for k in PeriodKind}
    if form.get("period_kind") not in kinds:
        state.errors["period_kind"] = say(translatable("Choose the length of the period."))
    else:
        values["period_kind"] = kinds[form["period_kind"]]
    try:
        values["starts_on"] = date.fromisoformat(form.get("starts_on", "").strip())
    except ValueError:
        state.errors["starts_on"] = say(translatable("Enter a date (year-month-day)."))
    area = form.get("area_id", "")
    if not area.isdigit():
        state.errors["area_id"] = say(translatable("Choose the area."))
    else:
        values["area_id"] = int(area)
    groups = {g.value: g for g in TargetGroup}
    if form.get("target_group") not in groups:
        state.errors["target_group"] = say(translatable("Choose the group of children."))
    else:
        values["target_group"] = groups[form["target_group"]]
    try:
        values["planned"] = float(form.get("planned", "").replace(",", "."))
    except ValueError:
        state.errors["planned"] = say(translatable("Enter the planned value as a number."))
    return None if state.errors else values


@router.post("/programmes/{programme_id}/targets")
def programme_target_add(
    programme_id: RecordId, request: Request, db: DbSession, viewer: SignedIn, form: FormFields
) -> Response:
    """Set a target from the page's form; a refusal is shown beside the field it names."""
    programme = programme_for(db, viewer.principal, programme_id, change=True)
    say = gettext_of(request)
    state = FormState("target", form)
    values = _read_target(form, state, say)
    if values is not None:
        if INDICATORS[values["indicator"]].unit is Unit.RATE:
            values["planned"] = values["planned"] / 100  # the form asks for a percentage
        try:
            with db.begin_nested():
                add_target(db, programme_id=programme.id, actor=viewer.principal.username,
                           origin=origin(request), **values)  # fmt: skip
        except DataError as refused:
            field = refused.column if refused.column in _REFUSED else "indicator"
            state.errors[field] = say(_REFUSED[field])
    if state.errors:
        return _page(request, db, viewer, programme, state, status=422)
    return RedirectResponse(f"/programmes/{programme.id}#results", status_code=303)


@router.get("/programmes/{programme_id}/results.xlsx")
def programme_results_xlsx(
    programme_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> Response:
    """The planned-versus-achieved table of the user's areas as XLSX (refused, saying so,
    when the programme has no target there)."""
    programme = programme_for(db, viewer.principal, programme_id)
    read_metrics(db, viewer.principal, None, start=programme.starts_on, end=programme.ends_on,
                 view=f"programme:{programme.id}:xlsx", origin=origin(request))  # fmt: skip
    found = planned_versus_achieved(db, programme, scope_path=viewer.principal.scope_path)
    name = f"programme-{programme.id}-results.xlsx"
    return Response(results_xlsx(programme, found), media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def _reporting_period(programme: Programme, start: date | None, end: date | None) -> Period:
    """The chosen reporting period; by default DOL's half-year (1 Oct - 31 Mar or 1 Apr - 30
    Sep) holding the programme's start."""
    if start is not None and end is not None:
        return Period(start, end)
    first = programme.starts_on
    if 4 <= first.month <= 9:
        return Period(date(first.year, 4, 1), date(first.year, 9, 30))
    year = first.year if first.month >= 10 else first.year - 1
    return Period(date(year, 10, 1), date(year + 1, 3, 31))


@router.get("/programmes/{programme_id}/annex-a")
def programme_annex_page(
    *,
    programme_id: RecordId,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """Annex A for a reporting period on a page, with its XLSX; a period without data is
    said to be so."""
    programme = programme_for(db, viewer.principal, programme_id, whole=True)
    period = _reporting_period(programme, start, end)
    read_metrics(db, viewer.principal, None, start=period.start, end=period.end,
                 view=f"annex_a:{programme.id}", origin=origin(request))  # fmt: skip
    rows, empty = [], ""
    try:
        rows = annex_a(db, programme, period)
    except DataError as refused:
        empty = str(refused)
    context = {"programme": programme, "period": period, "rows": rows, "empty": empty,
               "ages": AGE_GROUPS}  # fmt: skip
    return pages_of(request).render(request, "programme_annex.html", context)


@router.get("/programmes/{programme_id}/annex-a.xlsx")
def programme_annex_xlsx(
    *,
    programme_id: RecordId,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> Response:
    """Annex A as XLSX (refused, saying so, for a period without data)."""
    programme = programme_for(db, viewer.principal, programme_id, whole=True)
    period = Period(start, end)
    read_metrics(db, viewer.principal, None, start=start, end=end,
                 view=f"annex_a:{programme.id}:xlsx", origin=origin(request))  # fmt: skip
    rows = annex_a(db, programme, period)
    name = f"annex-a-{programme.id}-{start}-{end}.xlsx"
    return Response(annex_a_xlsx(programme, period, rows), media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

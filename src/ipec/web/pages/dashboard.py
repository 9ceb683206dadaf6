"""The dashboard: the programme's numbers for the user's areas (or one area inside them) and
a period, as cards and server-drawn charts, every number from ``ipec.monitoring.metrics``,
kept a few minutes in the figures store (``ipec.web.pages.figures``), computed ahead of the
views by a background refresher (``ipec.web.pages.refresher``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Principal, Role, read_metrics
from ipec.errors import DataError
from ipec.monitoring.approvals import pending_count
from ipec.monitoring.metrics import Period
from ipec.monitoring.models import Area, ServiceType
from ipec.monitoring.scope import WHOLE_PROGRAMME, programme_area, root_children
from ipec.standards.codes import HAZARD_CONDITIONS
from ipec.web.api.common import today
from ipec.web.api.filters import AreaQuery
from ipec.web.deps import DbSession, origin
from ipec.web.pages.charts import BarChart, bar_chart
from ipec.web.pages.common import MAX_AREA_CHOICES
from ipec.web.pages.deps import SignedIn
from ipec.web.pages.figures import Figures, FiguresStore, default_period, figures_for
from ipec.web.pages.i18n import choose_language, translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["HAZARD_LABELS", "router"]

router = APIRouter(include_in_schema=False)


_SEXES = {"female": translatable("Girls"), "male": translatable("Boys")}
_AGE_GROUPS = {"unknown": translatable("age unknown"), "under 5": translatable("under 5")}
#: The hazardous conditions of the visit record, in words.
HAZARD_LABELS = {
    "heavy_loads": translatable("Heavy loads"),
    "dangerous_tools": translatable("Dangerous tools or machinery"),
    "dust_fumes": translatable("Dust, fumes or gases"),
    "extreme_temperature": translatable("Extreme heat or cold"),
    "noise_vibration": translatable("Loud noise or vibration"),
    "heights": translatable("Work at heights"),
    "chemicals": translatable("Chemicals or pesticides"),
    "other": translatable("Other hazardous conditions"),
    "night_work": translatable("Night work"),
    "abuse": translatable("Physical, psychological or sexual abuse"),
    "underground_confined": translatable("Underground or in confined spaces"),
}
_SERVICES = {
    ServiceType.SCHOOL_ENROLMENT: translatable("School enrolment"),
    ServiceType.SCHOOL_KIT: translatable("School kit"),
    ServiceType.BRIDGING_CLASS: translatable("Bridging class"),
    ServiceType.VOCATIONAL_TRAINING: translatable("Vocational training"),
    ServiceType.APPRENTICESHIP: translatable("Apprenticeship"),
    ServiceType.BIRTH_REGISTRATION: translatable("Birth registration"),
    ServiceType.HEALTH: translatable("Health care"),
    ServiceType.PSYCHOSOCIAL: translatable("Psychosocial support"),
    ServiceType.INCOME_GENERATION: translatable("Income generation"),
    ServiceType.SAVINGS_GROUP: translatable("Savings group"),
    ServiceType.CASH_TRANSFER: translatable("Cash transfer"),
    ServiceType.COMMUNITY_ACTION: translatable("Community action"),
    ServiceType.LEGAL_PROTECTION: translatable("Legal protection"),
}


def _trail(session: Session, principal: Principal, area: Area, top: Area) -> list[Area]:
    """The area's ancestors inside the user's scope, from the top, then the area itself;
    for an administrator of the whole programme, ``top`` (the programme) first."""
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    query = select(Area).where(
        Area.id.in_(ids), Area.path.startswith(principal.scope_path, autoescape=True)
    )
    found = sorted(session.scalars(query), key=lambda found: len(found.path))
    return [top, *found] if principal.scope_path == WHOLE_PROGRAMME else found


def _children(session: Session, area: Area) -> list[Area]:
    query = select(Area).where(root_children(Area, area.path)).order_by(Area.name)
    return list(session.scalars(query.limit(MAX_AREA_CHOICES)))


def _period(start: date | None, end: date | None, day: date, errors: dict[str, str]) -> Period:
    """The chosen period (the last 12 months by default); a wrong one is reported beside its
    field and the default is shown instead."""
    fallback = default_period(day)
    try:
        return Period(start or fallback.start, end or day)
    except DataError:
        errors["to"] = "order" if (start or fallback.start) > (end or day) else "range"
        return fallback


def _group_label(group: str, gettext: Any) -> str:
    """ "female*5-11" -> "Girls 5-11", in the user's language."""
    sex, _, age = group.partition("*")
    age_label = gettext(_AGE_GROUPS[age]) if age in _AGE_GROUPS else age
    return f"{gettext(_SEXES.get(sex, sex))} {age_label}"


def _charts(figures: Figures, gettext: Any) -> dict[str, Any]:
    """The charts of the months, the hazards and the services, from the figures."""
    months = bar_chart(
        [gettext("Identified"), gettext("Withdrawn"), gettext("Protected"),
         gettext("Prevented")],
        [(seen.month, [seen.identified, out.withdrawn, out.protected, out.prevented])
         for seen, out in zip(figures.visited_by_month, figures.outcomes_by_month,
                              strict=True)],
    )  # fmt: skip
    hazards = [(gettext(HAZARD_LABELS[name]), [figures.hazards[name]])
               for name in HAZARD_CONDITIONS]  # fmt: skip
    services = [(gettext(label), [figures.services.get(kind.value, 0)])
                for kind, label in _SERVICES.items()]  # fmt: skip
    return {
        "months": months,
        "hazards": bar_chart([gettext("Children in child labour")], hazards),
        "services": bar_chart([gettext("Children served")], services),
    }


class Reading(NamedTuple):
    """What the dashboard and the map read first: the period, the area, its trail, its figures."""

    period: Period
    area: Area
    trail: list[Area]
    figures: Figures


def read_figures(
    request: Request,
    db: Session,
    who: Principal,
    *,
    area_id: int | None,
    start: date | None,
    end: date | None,
    errors: dict[str, str],
    view: str,
) -> Reading:
    """The chosen period (a wrong one reported in ``errors``), the area after the access check
    (audit-logged as ``view``), its trail and its figures."""
    period = _period(start, end, today(), errors)
    area = read_metrics(db, who, area_id, start=period.start, end=period.end, view=view,
                        origin=origin(request))  # fmt: skip
    gettext = gettext_of(request)
    # The whole programme (id 0, not stored) is shown under its name in the user's language.
    programme = programme_area(gettext("The programme"))
    if area.path == WHOLE_PROGRAMME:
        area = programme
    # Keyed by the area that passed the access check above, so a user only ever gets figures
    # of an area in scope; the check and the audit row run on every view, cached or not.
    key = (area.id, period.start, period.end, request.app.state.settings.profile)
    figures = figures_store(request).get(key, lambda: figures_for(db, area.path, key))
    return Reading(period, area, _trail(db, who, area, programme), figures)


def figures_store(request: Request) -> FiguresStore:
    """The application's store of dashboard figures (made by ``install_pages``)."""
    store: FiguresStore = request.app.state.dashboard_figures
    return store


@router.get("/dashboard")
def dashboard(
    *,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    area_id: AreaQuery = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """Cards and charts for the user's areas, or one area inside them, over a period (the last
    12 months by default); the reading is audit-logged. A partner user's start page is its
    referrals."""
    from ipec.web.pages.maps import need_card  # the map page imports this module

    who = viewer.principal
    if who.role is Role.PARTNER:
        return RedirectResponse("/partner/referrals", status_code=303)
    errors: dict[str, str] = {}
    period, area, trail, figures = read_figures(
        request, db, who, area_id=area_id, start=start, end=end, errors=errors, view="dashboard"
    )
    gettext = gettext_of(request)
    children = _children(db, area)
    by_area = figures.by_area
    area_chart: BarChart = bar_chart(
        [gettext("Children visited"), gettext("Identified")],
        [(child.name, [by_area[child.id].visited if child.id in by_area else 0,
                       by_area[child.id].identified if child.id in by_area else 0])
         for child in children],
    )  # fmt: skip
    groups = bar_chart(
        [gettext("Children visited"), gettext("Identified")],
        [(_group_label(rate.group, gettext), [rate.denominator, rate.numerator])
         for rate in figures.identified[1:]],
    )  # fmt: skip
    identified, follow_ups = figures.identified[0], figures.follow_ups
    context = {
        "area": area,
        "trail": trail,
        "children": children,
        "period": period,
        "errors": errors,
        "computed_at": figures.computed_at,
        "cards": {
            "monitored": identified.denominator,
            "identified": identified.numerator,
            "in_remediation": figures.supported[0].numerator,
            "withdrawn": figures.outcomes.withdrawn,
            "prevented": figures.outcomes.prevented,
            "effectiveness": figures.effective,
            "overdue": follow_ups.denominator - follow_ups.numerator,
        },
        "need": need_card(db, area, period, figures, choose_language(request)),
        "charts": {
            **_charts(figures, gettext),
            "areas": area_chart,
            "groups": groups,
        },
    }
    # A supervisor's queue: what awaits their approval in the area shown.
    context["awaiting"] = pending_count(db, area.path) if viewer.can_assign else None
    return pages_of(request).render(request, "dashboard.html", context)

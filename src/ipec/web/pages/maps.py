"""The map page: the areas under the user's area (or one area inside it) shaded by a
monitoring figure of a period, drawn offline as inline SVG (:mod:`ipec.maps`), with the
legend and the values as a table beside.

The figures are the dashboard's (the same store, the same access check and audit row per
view); only the areas' boundaries are read here. An area whose boundary was never imported
is listed in the table and said to be undrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ipec.maps import MapArea, choropleth
from ipec.monitoring.metrics import Period
from ipec.monitoring.metrics.by_area import open_cases_by_area, overdue_by_area
from ipec.monitoring.models import Area, Household
from ipec.monitoring.scope import in_subtree, root_children
from ipec.need.coverage import NeedCoverage, need_coverage
from ipec.web.api.filters import AreaQuery
from ipec.web.deps import DbSession
from ipec.web.pages.common import MAX_AREA_CHOICES, natural_key
from ipec.web.pages.dashboard import read_figures
from ipec.web.pages.deps import SignedIn
from ipec.web.pages.figures import Figures
from ipec.web.pages.i18n import choose_language, translatable
from ipec.web.pages.render import gettext_of, pages_of

__all__ = ["MAP_FIGURES", "need_card", "router", "share"]

router = APIRouter(include_in_schema=False)

#: The figures a map shows, by the name the page's address uses.
MAP_FIGURES = {
    "rate": translatable("Identification rate (children found in child labour per child visited)"),
    "identified": translatable("Children identified in child labour"),
    "visited": translatable("Children visited"),
    "overdue": translatable("Overdue follow-ups (due in the period, not done)"),
    "open_cases": translatable("Caseload (cases open at the end of the period)"),
    "estimated": translatable("Estimated children in child labour (survey)"),
    "coverage": translatable(
        "Coverage of need (children identified per estimated child in child labour)"
    ),
}
#: Figures from the survey's estimates kept on the areas (ipec areas estimates).
_NEED = ("estimated", "coverage")
#: Figures counted per area for the map (not among the dashboard's kept figures).
_COUNTED = {"overdue": overdue_by_area, "open_cases": open_cases_by_area}


#: Households drawn as dots at most (the first by id beyond that are left out, and said so).
MAX_POINTS = 5000


def _gps_points(db: Session, area_path: str) -> list[tuple[float, float]]:
    """(longitude, latitude) of the subtree's households that have a GPS point, one more
    than drawn so that a cut is seen; no name or status, only the place."""
    query = (
        select(Household.longitude, Household.latitude)
        .where(in_subtree(Household.area_id, area_path), Household.latitude.is_not(None),
               Household.longitude.is_not(None))
        .order_by(Household.id)
        .limit(MAX_POINTS + 1)
    )  # fmt: skip
    return [(float(lon), float(lat)) for lon, lat in db.execute(query)
            if lon is not None and lat is not None]  # fmt: skip


def share(value: float, language: str) -> str:
    """A share with one decimal, as the language writes percentages.

    >>> share(0.18, "en"), share(0.1234, "fr")
    ('18.0%', '12,3\u00a0%')
    """
    pattern = Locale.parse(language).percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)
    return format_percent(value, pattern, locale=language)


def _value(figure: str, visited: int, identified: int) -> float | None:
    if figure == "rate":
        return identified / visited if visited else None
    return float(identified if figure == "identified" else visited)


def need_card(
    db: Session, area: Area, period: Period, figures: Figures, language: str
) -> dict[str, str] | None:
    """The dashboard's card of the coverage of need of ``area`` (None without estimates):
    the coverage as a share, the children identified and the estimated number, as text."""
    row = need_coverage(db, area_path=area.path, area_id=area.id, name=area.name,
                        period=period, identified={},
                        identified_total=figures.identified[0].numerator)[0]  # fmt: skip
    if row.estimated is None:
        return None
    return {
        "value": "\u2013" if row.coverage is None else share(row.coverage, language),
        "identified": format_decimal(row.identified, locale=language),
        "estimated": format_decimal(round(row.estimated), locale=language),
    }


def _need_value(
    figure: str, row: NeedCoverage | None
) -> tuple[float | None, float | None, float | None]:
    """The estimated number or the coverage of an area, with its interval."""
    if row is None:
        return None, None, None
    if figure == "estimated":
        return row.estimated, row.estimated_low, row.estimated_high
    return row.coverage, row.coverage_low, row.coverage_high


def _need_row(
    row: NeedCoverage, *, show_count: Callable[[float], str], show_share: Callable[[float], str]
) -> dict[str, Any]:
    """A row of the coverage table, its numbers as text ("" where there is none; an upper
    bound of coverage with a lower estimate of 0 is unbounded)."""

    def text(value: float | None, show: Callable[[float], str], empty: str = "") -> str:
        return empty if value is None else show(value)

    dash, unbounded = "\u2013", "\u221e"
    estimated = coverage = ""
    if row.estimated is not None:
        estimated = (f"{text(row.estimated_low, show_count)}{dash}"
                     f"{text(row.estimated_high, show_count)}")  # fmt: skip
    if row.coverage is not None:
        coverage = (f"{text(row.coverage_low, show_share)}{dash}"
                    f"{text(row.coverage_high, show_share, unbounded)}")  # fmt: skip
    return {
        "name": row.name,
        "identified": row.identified,
        "estimated": text(row.estimated, show_count),
        "estimated_interval": estimated,
        "areas_estimated": row.areas_estimated,
        "coverage": text(row.coverage, show_share),
        "coverage_interval": coverage,
    }


@router.get("/maps")
def map_page(
    *,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    area_id: AreaQuery = None,
    figure: Annotated[str, Query()] = "rate",
    points: Annotated[bool, Query()] = False,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """A choropleth of the chosen figure over the areas under the user's area, or one area
    inside it, for a period (the last 12 months by default); the reading is audit-logged."""
    who = viewer.principal
    errors: dict[str, str] = {}
    if figure not in MAP_FIGURES:
        errors["figure"] = "unknown"
        figure = "rate"
    period, area, trail, figures = read_figures(
        request, db, who, area_id=area_id, start=start, end=end, errors=errors, view="map"
    )
    gettext = gettext_of(request)
    query = (
        select(Area)
        .where(root_children(Area, area.path))
        .options(undefer(Area.boundary))
        .limit(MAX_AREA_CHOICES)
    )
    children = sorted(db.scalars(query), key=lambda child: natural_key(child.name))
    language = choose_language(request)
    percent = figure in {"rate", "coverage"}

    def show(value: float) -> str:
        return share(value, language) if percent else format_decimal(round(value), locale=language)

    need = need_coverage(db, area_path=area.path, area_id=area.id, name=area.name,
                         period=period, identified={k: v.identified
                                                    for k, v in figures.by_area.items()},
                         identified_total=figures.identified[0].numerator)  # fmt: skip
    need_of = {row.area_id: row for row in need[1:]}
    counted = None
    if figure in _COUNTED:
        counted = _COUNTED[figure](db, area_path=area.path, period=period)
    areas = []
    for child in children:
        link = f"/maps?area_id={child.id}&figure={figure}&from={period.start}&to={period.end}"
        link += "&points=true" if points else ""
        if figure in _NEED:
            row = need_of.get(child.id)
            value, low, high = _need_value(figure, row)
        elif counted is not None:
            value, low, high = float(counted.get(child.id, 0)), None, None
        else:
            counts = figures.by_area.get(child.id)
            value = _value(figure, counts.visited if counts else 0,
                           counts.identified if counts else 0)  # fmt: skip
            low = high = None
        areas.append(MapArea(str(child.id), child.name, value, child.boundary, low=low,
                             high=high, link=link))  # fmt: skip
    title = gettext(MAP_FIGURES[figure])
    dots = _gps_points(db, area.path) if points else []
    no_value = gettext("no estimate") if figure in _NEED else gettext("no child visited")
    drawn = choropleth(areas, title=f"{title}: {area.name}", format_value=show,
                       no_value=no_value, to=gettext("to"), element_id="area-map",
                       points=dots[:MAX_POINTS])  # fmt: skip
    estimated = any(row.estimated is not None for row in need)
    context: dict[str, Any] = {
        "area": area,
        "trail": trail,
        "figure": figure,
        "figures": {name: gettext(label) for name, label in MAP_FIGURES.items()},
        "period": period,
        "errors": errors,
        "computed_at": figures.computed_at,
        "map": drawn,
        "map_svg": Markup(drawn.svg),
        "title": title,
        "points": points,
        "point_count": min(len(dots), MAX_POINTS),
        "points_cut": len(dots) > MAX_POINTS,
        "need": [
            _need_row(
                row,
                show_count=lambda v: format_decimal(round(v), locale=language),
                show_share=lambda v: share(v, language),
            )
            for row in need
        ]
        if estimated
        else [],
        "need_query": urlencode(
            {"start": period.start, "end": period.end} | ({"area_id": area.id} if area.id else {})
        ),
    }
    return pages_of(request).render(request, "maps.html", context)

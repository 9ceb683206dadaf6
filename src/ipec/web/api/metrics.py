"""Programme metrics for the caller's areas (or one area inside them) and a period.

Definitions: ``ipec.monitoring.metrics`` and docs/monitoring.md. The specific routes are
declared before ``/metrics/{metric}`` so their names are not read as rate names. Every reading
passes ``ipec.auth.read_metrics``, as the dashboard's does, and is audit-logged the same way
(``metrics.read``, the view ``api:<metric>``): counts of a small area can point at children.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ipec.auth import read_metrics
from ipec.monitoring.metrics import (
    Period,
    Rate,
    caseload_per_monitor,
    consent_refusals,
    coverage,
    dol_child_indicators,
    dol_education_services,
    dol_household_indicators,
    dol_livelihood_services,
    effectiveness,
    follow_up_compliance,
    hazardous_work_rate,
    identification_rate,
    outcome_counts,
    referral_acceptance,
    support_rate,
    time_to_resolution,
)
from ipec.standards import load_profile
from ipec.web.api.common import IsoDate
from ipec.web.api.filters import AreaQuery
from ipec.web.api.schemas import (
    CaseloadOut,
    EffectivenessOut,
    OutcomeCountsOut,
    PohOut,
    RateOut,
    RefusalsOut,
    ResolutionOut,
    UsDolOut,
)
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["metrics"])


@dataclass(frozen=True, slots=True)
class Scope:
    """Where and when a metric is computed."""

    area_path: str
    period: Period


def metric_scope(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[IsoDate, Query()],
    end: Annotated[IsoDate, Query()],
    area_id: AreaQuery = None,
) -> Scope:
    """The caller's areas (or ``area_id`` inside them) and the period, inclusive; the reading
    is audit-logged (the view names the metric: ``api:identification``)."""
    period = Period(start, end)
    view = "api:" + request.url.path.rsplit("/", 1)[-1]
    area = read_metrics(db, who, area_id, start=period.start, end=period.end, view=view,
                        origin=origin(request))  # fmt: skip
    return Scope(area.path, period)


MetricScope = Annotated[Scope, Depends(metric_scope)]


def _rates(rates: list[Rate]) -> list[RateOut]:
    return [
        RateOut(group=r.group, numerator=r.numerator, denominator=r.denominator, value=r.value)
        for r in rates
    ]


@router.get("/metrics/effectiveness", response_model=EffectivenessOut)
def effectiveness_metric(
    db: DbSession,
    scope: MetricScope,
    lost_after_days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> EffectivenessOut:
    """Children not in child labour at their last two follow-ups after remediation / children
    with two such follow-ups; with the still-in, relapsed and lost-to-follow-up counts."""
    found = effectiveness(db, area_path=scope.area_path, period=scope.period,
                          lost_after_days=lost_after_days)  # fmt: skip
    return EffectivenessOut(rates=_rates(found.rates), still_in=found.still_in,
                            relapsed=found.relapsed,
                            lost_to_follow_up=found.lost_to_follow_up)  # fmt: skip


@router.get("/metrics/time_to_resolution", response_model=list[ResolutionOut])
def resolution_metric(db: DbSession, scope: MetricScope) -> list[ResolutionOut]:
    """Days from opening to closure of the cases closed in the period: median and p90."""
    found = time_to_resolution(db, area_path=scope.area_path, period=scope.period)
    return [ResolutionOut.model_validate(r, from_attributes=True) for r in found]


@router.get("/metrics/refusals", response_model=RefusalsOut)
def refusals_metric(db: DbSession, scope: MetricScope) -> RefusalsOut:
    """Visits in the period whose family did not consent, and the children concerned (no
    other metric reads them)."""
    found = consent_refusals(db, area_path=scope.area_path, period=scope.period)
    return RefusalsOut.model_validate(found, from_attributes=True)


@router.get("/metrics/caseload", response_model=list[CaseloadOut])
def caseload_metric(db: DbSession, scope: MetricScope) -> list[CaseloadOut]:
    """Open cases per monitor at the end of the period."""
    found = caseload_per_monitor(db, area_path=scope.area_path, period=scope.period)
    return [CaseloadOut.model_validate(c, from_attributes=True) for c in found]


@router.get("/metrics/outcomes", response_model=list[OutcomeCountsOut])
def outcomes_metric(request: Request, db: DbSession, scope: MetricScope) -> list[OutcomeCountsOut]:
    """Children withdrawn, protected and prevented (once each), under the programme's
    minimum working age."""
    minimum = load_profile(request.app.state.settings.profile).ages.minimum
    found = outcome_counts(db, area_path=scope.area_path, period=scope.period,
                           minimum_age=minimum)  # fmt: skip
    return [OutcomeCountsOut.model_validate(o, from_attributes=True) for o in found]


@router.get("/metrics/us_dol", response_model=UsDolOut)
def us_dol_metric(db: DbSession, scope: MetricScope) -> UsDolOut:
    """The US Department of Labor's common indicators POC1-4, POH1-4, E1 and L1, as DOL's
    toolkit defines them (POH: pass the life of the project as the period)."""
    children = dol_child_indicators(db, area_path=scope.area_path, period=scope.period)
    households = dol_household_indicators(db, area_path=scope.area_path, period=scope.period)
    education = dol_education_services(db, area_path=scope.area_path, period=scope.period)

    def poh(name: str) -> PohOut:
        intake, end = getattr(households.intake, name), getattr(households.end, name)
        return PohOut(intake=_rates([intake])[0], end=_rates([end])[0])

    return UsDolOut(
        poc1=_rates(children.poc1_child_labour),
        poc2=_rates(children.poc2_hazardous_work),
        poc3=_rates(children.poc3_other_worst_forms),
        poc4=_rates(children.poc4_regular_attendance),
        visited=_rates(children.visited),
        poh1=poh("poh1_child_labour"),
        poh2=poh("poh2_hazardous_work"),
        poh3=poh("poh3_other_worst_forms"),
        poh4=poh("poh4_regular_attendance"),
        e1={kind: {c.group: c.count for c in counts} for kind, counts in education.items()},
        l1=dol_livelihood_services(db, area_path=scope.area_path, period=scope.period),
    )


class RateMetric(StrEnum):
    IDENTIFICATION = "identification"
    HAZARDOUS_WORK = "hazardous_work"
    SUPPORT = "support"
    FOLLOW_UP_COMPLIANCE = "follow_up_compliance"
    REFERRAL_ACCEPTANCE = "referral_acceptance"
    COVERAGE = "coverage"


@router.get("/metrics/{metric}", response_model=list[RateOut])
def rate_metric(
    metric: RateMetric,
    db: DbSession,
    scope: MetricScope,
    at_least: Annotated[int, Query(ge=1, le=20, description="support: kinds of service")] = 1,
) -> list[RateOut]:
    """A rate: a total, then one row per sex and age group (coverage: per area)."""
    if metric is RateMetric.IDENTIFICATION:
        return _rates(identification_rate(db, area_path=scope.area_path, period=scope.period))
    if metric is RateMetric.HAZARDOUS_WORK:
        return _rates(hazardous_work_rate(db, area_path=scope.area_path, period=scope.period))
    if metric is RateMetric.SUPPORT:
        return _rates(
            support_rate(db, area_path=scope.area_path, period=scope.period, at_least=at_least)
        )
    if metric is RateMetric.FOLLOW_UP_COMPLIANCE:
        return _rates(follow_up_compliance(db, area_path=scope.area_path, period=scope.period))
    if metric is RateMetric.COVERAGE:
        return _rates(coverage(db, area_path=scope.area_path, period=scope.period))
    return _rates([referral_acceptance(db, area_path=scope.area_path, period=scope.period)])

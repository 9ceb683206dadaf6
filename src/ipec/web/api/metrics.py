"""Programme metrics for the caller's areas (or one area inside them) and a period."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query

from ipec.auth import area_in_scope
from ipec.errors import DataError
from ipec.monitoring.metrics import (
    Period,
    Rate,
    follow_up_compliance,
    identification_rate,
    referral_acceptance,
    support_rate,
)
from ipec.web.api.schemas import RateOut
from ipec.web.deps import CurrentPrincipal, DbSession

__all__ = ["router"]

router = APIRouter(tags=["metrics"])


class RateMetric(StrEnum):
    IDENTIFICATION = "identification"
    SUPPORT = "support"
    FOLLOW_UP_COMPLIANCE = "follow_up_compliance"
    REFERRAL_ACCEPTANCE = "referral_acceptance"


def _out(rates: list[Rate]) -> list[RateOut]:
    return [
        RateOut(group=r.group, numerator=r.numerator, denominator=r.denominator, value=r.value)
        for r in rates
    ]


@router.get("/metrics/{metric}", response_model=list[RateOut])
def rate_metric(
    *,
    metric: RateMetric,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    area_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    at_least: Annotated[int, Query(ge=1, le=20, description="support: kinds of service")] = 1,
) -> list[RateOut]:
    """A rate in the caller's areas (or ``area_id`` inside them): a total, then one row per
    sex and age group. Definitions: docs/monitoring.md."""
    if start > end:
        raise DataError(f"the period starts ({start}) after it ends ({end})")
    path = area_in_scope(db, who, area_id).path if area_id is not None else who.scope_path
    period = Period(start, end)
    if metric is RateMetric.IDENTIFICATION:
        return _out(identification_rate(db, area_path=path, period=period))
    if metric is RateMetric.SUPPORT:
        return _out(support_rate(db, area_path=path, period=period, at_least=at_least))
    if metric is RateMetric.FOLLOW_UP_COMPLIANCE:
        return _out(follow_up_compliance(db, area_path=path, period=period))
    return _out([referral_acceptance(db, area_path=path, period=period)])

"""``/metrics/need_coverage``: the coverage of need of the caller's area (or one inside it)
and of each area under it, as JSON or CSV (:mod:`ipec.need.coverage`).

The reading passes ``ipec.auth.read_metrics`` and is audit-logged like every metric
(``metrics.read``, view ``api:need_coverage``). Declared before ``/metrics/{metric}``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from ipec.auth import read_metrics
from ipec.monitoring.metrics import Period
from ipec.monitoring.scope import WHOLE_PROGRAMME
from ipec.need.coverage import NeedCoverage, need_coverage
from ipec.web.api.filters import AreaQuery
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["NeedCoverageOut", "router"]

router = APIRouter(tags=["metrics"])


class NeedCoverageOut(BaseModel):
    """One area: children identified in the period, the survey's estimated children in child
    labour with its 95% interval, the areas whose estimates were summed, and the coverage
    (identified / estimated) with its interval; null where there is no estimate."""

    area_id: int
    name: str
    identified: int
    estimated: float | None
    estimated_low: float | None
    estimated_high: float | None
    areas_estimated: int
    coverage: float | None
    coverage_low: float | None
    coverage_high: float | None


def _rows(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: date,
    end: date,
    area_id: int | None,
    indicator: str,
) -> list[NeedCoverage]:
    period = Period(start, end)
    area = read_metrics(db, who, area_id, start=period.start, end=period.end,
                        view="api:need_coverage", origin=origin(request))  # fmt: skip
    name = "programme" if area.path == WHOLE_PROGRAMME else area.name
    return need_coverage(db, area_path=area.path, area_id=area.id, name=name, period=period,
                         indicator=indicator)  # fmt: skip


_Indicator = Annotated[str, Query(max_length=60)]


@router.get("/metrics/need_coverage", response_model=list[NeedCoverageOut])
def need_coverage_metric(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    area_id: AreaQuery = None,
    indicator: _Indicator = "child_labour",
) -> list[NeedCoverageOut]:
    """The area first, then each area under it by name."""
    rows = _rows(request=request, db=db, who=who, start=start, end=end, area_id=area_id,
                 indicator=indicator)  # fmt: skip
    return [NeedCoverageOut.model_validate(row, from_attributes=True) for row in rows]


@router.get("/metrics/need_coverage.csv", response_class=Response)
def need_coverage_csv(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    area_id: AreaQuery = None,
    indicator: _Indicator = "child_labour",
) -> Response:
    """The same rows as CSV (one header row, the fields of the JSON)."""
    rows = _rows(request=request, db=db, who=who, start=start, end=end, area_id=area_id,
                 indicator=indicator)  # fmt: skip
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    fields = list(NeedCoverageOut.model_fields)
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if (v := getattr(row, f)) is None else v for f in fields])
    disposition = 'attachment; filename="need_coverage.csv"'
    return Response(text.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})  # fmt: skip

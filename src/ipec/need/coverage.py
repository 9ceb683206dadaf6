"""Coverage of need: per area, the children the monitoring identified in child labour
against the survey's estimated number of children in child labour there.

``coverage = identified / estimated``: the share of the problem the programme has reached.
Its interval is ``identified / high`` to ``identified / low`` with ``low``-``high`` the
interval of the estimated number (the identified count is a count, not an estimate).

The estimated number of an area is its own kept estimate (:class:`AreaEstimate`), or, when it
has none, the sum of the highest estimated areas inside it (districts of a region: an area
whose ancestor inside it has an estimate is not counted again). A sum's root MSE adds the
areas' MSEs, as for independent errors (the EBLUPs of one model share the estimated
coefficients, so this is a slight understatement); its interval is the estimate +/- 1.96
root MSE, not below 0. Areas with no estimate at all are left out and said so
(``areas_estimated``): the estimate then covers part of the area only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.monitoring.metrics import Period, identification_by_area, identification_rate
from ipec.monitoring.models import Area
from ipec.monitoring.scope import WHOLE_PROGRAMME, root_children
from ipec.need.models import AreaEstimate

__all__ = ["NeedCoverage", "need_coverage"]

_Z = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True, slots=True)
class NeedCoverage:
    """One area's coverage of need (None where there is no estimate, or it is 0)."""

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


@dataclass(frozen=True, slots=True)
class _Kept:
    area_id: int
    path: str
    count: float
    mse: float


def _coverage(area_id: int, name: str, identified: int, kept: list[_Kept]) -> NeedCoverage:
    """The row of an area from its identified children and the estimates inside it."""
    ids = {estimate.area_id for estimate in kept}
    # The highest estimated areas only: skip one whose path holds another estimated area.
    top = [e for e in kept if not any(int(p) in ids for p in e.path.strip("/").split("/")[:-1]
                                      if p)]  # fmt: skip
    if not top:
        return NeedCoverage(area_id, name, identified, None, None, None, 0, None, None, None)
    estimated = sum(e.count for e in top)
    spread = _Z * math.sqrt(sum(e.mse for e in top))
    low, high = max(estimated - spread, 0.0), estimated + spread
    return NeedCoverage(
        area_id, name, identified, estimated, low, high, len(top),
        identified / estimated if estimated > 0 else None,
        identified / high if high > 0 else None,
        identified / low if low > 0 else None,
    )  # fmt: skip


def need_coverage(
    session: Session,
    *,
    area_path: str,
    area_id: int,
    name: str,
    period: Period,
    indicator: str = "child_labour",
    identified: Mapping[int, int] | None = None,
    identified_total: int | None = None,
) -> list[NeedCoverage]:
    """The coverage of need of the subtree at ``area_path`` (first, as ``area_id`` and
    ``name``), then of each direct child area of its root, by name. Children identified are
    those found in child labour at a visit in ``period`` (the dashboard's count); give the
    counts (by child area id, and the total) when already computed."""
    if identified is None:
        found = identification_by_area(session, area_path=area_path, period=period)
        identified = {counts.area_id: counts.identified for counts in found}
    if identified_total is None:
        identified_total = identification_rate(session, area_path=area_path, period=period)[
            0
        ].numerator
    query = (
        select(Area.id, Area.path, AreaEstimate.count, AreaEstimate.count_rmse)
        .join(AreaEstimate, AreaEstimate.area_id == Area.id)
        .where(AreaEstimate.indicator == indicator)
    )
    if area_path != WHOLE_PROGRAMME:
        query = query.where(Area.path.startswith(area_path, autoescape=True))
    kept = [_Kept(int(i), str(p), float(c), float(r) ** 2) for i, p, c, r in session.execute(query)]
    rows = [_coverage(area_id, name, identified_total, kept)]
    children = session.execute(select(Area.id, Area.name, Area.path)
                               .where(root_children(Area, area_path))).all()  # fmt: skip
    for child_id, child_name, child_path in sorted(children, key=lambda c: c.name):
        inside = [e for e in kept if e.path.startswith(child_path)]
        rows.append(_coverage(int(child_id), child_name, identified.get(child_id, 0), inside))
    return rows

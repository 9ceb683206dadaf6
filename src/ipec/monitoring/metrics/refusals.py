"""Visits the family did not consent to: how many, and of how many children.

A visit without consent keeps only its date, the child and the monitor
(``ipec.monitoring.service.record_visit``); every other metric leaves it out (it says nothing
about the child's work). Counted here so that a programme sees where families refuse: by the
visit's own area, dated in the period.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ipec.monitoring.metrics.common import Period, _aggregate
from ipec.monitoring.models import Visit
from ipec.monitoring.scope import in_subtree

__all__ = ["Refusals", "consent_refusals"]


@dataclass(frozen=True, slots=True)
class Refusals:
    """Visits without consent in the period, and the children they concern."""

    visits: int
    children: int


@_aggregate
def consent_refusals(session: Session, *, area_path: str, period: Period) -> Refusals:
    """Visits of the subtree dated in the period whose family did not consent."""
    visits, children = session.execute(
        select(func.count(), func.count(distinct(Visit.child_id))).where(
            in_subtree(Visit.area_id, area_path),
            Visit.visit_date.between(period.start, period.end),
            ~Visit.consent,
        )
    ).one()
    return Refusals(int(visits), int(children))

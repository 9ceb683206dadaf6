"""The dashboard's figures and the cache that keeps them a while.

The figures are aggregates over every child of an area subtree: at a million children they
take seconds to compute, so they are kept per (area id, period, profile), 10 minutes by
default (the setting ``dashboard_figures_seconds``), and shared by every user who may read
that area. Only numbers are kept, never names (the page reads the area names on each view).
The access check and the audit row of a view are not part of the figures: they run on every
request, before the cache is consulted. Writes do not invalidate the cache, so the figures
shown may be as old as the setting; the page says when they were computed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cachetools import TTLCache
from sqlalchemy.orm import Session

from ipec.monitoring.metrics import (
    AreaCounts,
    MonthCounts,
    MonthOutcomes,
    OutcomeCounts,
    Period,
    Rate,
    effectiveness_rates,
    follow_up_compliance,
    hazard_counts,
    identification_by_area,
    identification_rate,
    outcomes_and_months,
    services_by_type,
    support_rate,
    visits_by_month,
)

__all__ = [
    "FIGURES_MAX_ENTRIES",
    "Figures",
    "FiguresCache",
    "FiguresKey",
    "compute_figures",
]

#: Area and period combinations kept at once (the least recently used go first).
FIGURES_MAX_ENTRIES = 256

#: (area id, period start, period end, profile id).
FiguresKey = tuple[int, date, date, str]


@dataclass(frozen=True, slots=True)
class Figures:
    """Every number of the dashboard for one area subtree and period, and when it was
    computed (UTC)."""

    computed_at: datetime
    identified: tuple[Rate, ...]
    supported: tuple[Rate, ...]
    outcomes: OutcomeCounts
    effective: Rate
    follow_ups: Rate
    by_area: dict[int, AreaCounts]
    visited_by_month: tuple[MonthCounts, ...]
    outcomes_by_month: tuple[MonthOutcomes, ...]
    hazards: dict[str, int]
    services: dict[str, int]


def compute_figures(
    session: Session, *, area_path: str, period: Period, minimum_age: int
) -> Figures:
    """The dashboard's figures, one aggregate query per metric (the outcomes and their months
    share one)."""
    outcomes, outcome_months = outcomes_and_months(
        session, area_path=area_path, period=period, minimum_age=minimum_age
    )
    return Figures(
        computed_at=datetime.now(UTC),
        identified=tuple(identification_rate(session, area_path=area_path, period=period)),
        supported=tuple(support_rate(session, area_path=area_path, period=period)),
        outcomes=outcomes[0],
        effective=effectiveness_rates(session, area_path=area_path, period=period)[0],
        follow_ups=follow_up_compliance(session, area_path=area_path, period=period)[0],
        by_area={
            found.area_id: found
            for found in identification_by_area(session, area_path=area_path, period=period)
        },
        visited_by_month=tuple(visits_by_month(session, area_path=area_path, period=period)),
        outcomes_by_month=tuple(outcome_months),
        hazards=hazard_counts(session, area_path=area_path, period=period),
        services=services_by_type(session, area_path=area_path, period=period),
    )


class FiguresCache:
    """Figures by key for ``ttl`` seconds (none kept when it is 0), safe to share between the
    server's threads.

    ``cachetools`` caches are not thread-safe, so every read and write holds a lock; the
    figures are computed outside it, so a slow computation does not hold up views of other
    areas (two first views of the same key at once may both compute, and the later wins).
    """

    def __init__(
        self,
        *,
        ttl: float,
        max_entries: int = FIGURES_MAX_ENTRIES,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._figures: TTLCache[FiguresKey, Figures] = TTLCache(
            maxsize=max_entries, ttl=ttl, timer=timer
        )
        self._lock = threading.Lock()
        self._keeps = ttl > 0

    def get(self, key: FiguresKey, compute: Callable[[], Figures]) -> Figures:
        """The figures kept for ``key``, or ``compute()``'s, then kept."""
        if not self._keeps:
            return compute()
        with self._lock:
            kept = self._figures.get(key)
        if kept is not None:
            return kept
        figures = compute()
        with self._lock:
            self._figures[key] = figures
        return figures

    def clear(self) -> None:
        """Forget every figure (the next views compute them again)."""
        with self._lock:
            self._figures.clear()

"""The dashboard's figures and the store that keeps them a while.

The figures are aggregates over every child of an area subtree, too slow to compute on every
view of a large area, so they are kept per (area id, period, profile), fresh for 10
minutes by default (the setting ``dashboard_figures_seconds``), and shared by every user who
may read that area. Only numbers are kept, never names (the page reads the area names on each
view). The access check and the audit row of a view are not part of the figures: they run on
every request, before the store is consulted. Writes do not invalidate the store, so the
figures shown may be as old as the setting (twice the setting while a background refresher
renews them, see :class:`FiguresStore`); the page says when they were computed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cachetools import Cache, LRUCache
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
from ipec.standards import load_profile

__all__ = [
    "FIGURES_MAX_ENTRIES",
    "Figures",
    "FiguresKey",
    "FiguresStore",
    "compute_figures",
    "default_period",
    "figures_for",
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


def default_period(day: date) -> Period:
    """The last 12 months: from the first day of the month eleven months back to ``day``."""
    index = day.year * 12 + day.month - 1 - 11
    return Period(date(index // 12, index % 12 + 1, 1), day)


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


def figures_for(session: Session, area_path: str, key: FiguresKey) -> Figures:
    """The figures of ``key`` (area id, period's first and last day, profile) for the area at
    ``area_path``, as a view and the refresher both compute them."""
    _area_id, start, end, profile = key
    return compute_figures(session, area_path=area_path, period=Period(start, end),
                           minimum_age=load_profile(profile).ages.minimum)  # fmt: skip


@dataclass(slots=True)
class _Kept:
    """Figures with the (monotonic) time they were computed and whether a view read them
    since."""

    figures: Figures
    computed: float
    viewed: bool


class FiguresStore:
    """Figures by key, fresh for ``ttl`` seconds (none kept when it is 0), safe to share
    between the server's threads.

    A key is computed by one thread at a time: a view that finds another thread computing
    its key waits for that result instead of computing it again. Expired figures are
    computed again by the next view, unless a background refresher is running
    (:attr:`refreshed_in_background`): views then get expired figures at once, up to twice
    the lifetime old, and the refresher computes them again (:meth:`due` lists what it should
    compute). ``cachetools`` caches are not thread-safe, so every read and write holds a
    lock; the figures are computed outside it.
    """

    def __init__(
        self,
        *,
        ttl: float,
        max_entries: int = FIGURES_MAX_ENTRIES,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept: LRUCache[FiguresKey, _Kept] = LRUCache(maxsize=max_entries)
        self._computing: dict[FiguresKey, threading.Event] = {}
        self._lock = threading.Lock()
        self._timer = timer
        self.ttl = ttl
        self.max_entries = max_entries
        self.refreshed_in_background = False

    @property
    def keeps(self) -> bool:
        """Whether figures are kept at all (a lifetime of 0 computes them on every view)."""
        return self.ttl > 0

    def get(self, key: FiguresKey, compute: Callable[[], Figures]) -> Figures:
        """The figures kept for ``key`` if fresh (or, while a refresher renews them, less
        than twice the lifetime old), else ``compute()``'s, then kept."""
        if not self.keeps:
            return compute()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                kept.viewed = True
                age = self._timer() - kept.computed
                if age < self.ttl or (self.refreshed_in_background and age < 2 * self.ttl):
                    return kept.figures
        return self.refresh(key, compute)

    def refresh(self, key: FiguresKey, compute: Callable[[], Figures]) -> Figures:
        """``compute()``'s figures for ``key``, kept; if another thread is computing the same
        key, its result instead, and if the kept figures are fresh (another thread stored them
        since the caller looked, or since the refresher listed the key), those."""
        while True:
            with self._lock:
                kept = self._peek(key)
                if kept is not None and self._fresh(kept):
                    return kept.figures
                running = self._computing.get(key)
                if running is None:
                    done = self._computing[key] = threading.Event()
                    break
            running.wait()  # then look again: the other thread's figures are fresh
        try:
            figures = compute()
            with self._lock:
                self._kept[key] = _Kept(figures, self._timer(), viewed=False)
            return figures
        finally:
            with self._lock:
                del self._computing[key]
            done.set()

    def due(self, wanted: Iterable[FiguresKey]) -> list[FiguresKey]:
        """The keys to compute now: those of ``wanted`` missing or expired, then the expired
        figures that a view read since they were computed (nobody is waiting for the
        others). Listing them does not count as a use: the least recently viewed figures
        are still the first forgotten."""
        with self._lock:
            found = [
                key
                for key in dict.fromkeys(wanted)
                if (kept := self._peek(key)) is None or not self._fresh(kept)
            ]
            found += [
                key
                for key in list(self._kept.keys())
                if (kept := self._peek(key)) is not None
                and kept.viewed
                and not self._fresh(kept)
                and key not in found
            ]
        return found

    def clear(self) -> None:
        """Forget every figure (the next views, or the refresher, compute them again)."""
        with self._lock:
            self._kept.clear()

    def _peek(self, key: FiguresKey) -> _Kept | None:
        """The entry of ``key`` without marking it used (``LRUCache`` reads do); call with
        the lock held."""
        return Cache.__getitem__(self._kept, key) if key in self._kept else None

    def _fresh(self, kept: _Kept) -> bool:
        return self._timer() - kept.computed < self.ttl

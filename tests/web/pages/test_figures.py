"""The figures cache: kept for the TTL, bounded, and shared safely between threads."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

from ipec.monitoring.metrics import OutcomeCounts, Rate
from ipec.web.pages.figures import Figures, FiguresCache, FiguresKey

_KEY: FiguresKey = (1, date(2026, 1, 1), date(2026, 6, 30), "sdg-8.7.1")


def _figures() -> Figures:
    none = Rate("total", 0, 0)
    return Figures(
        computed_at=datetime.now(UTC), identified=(none,), supported=(none,),
        outcomes=OutcomeCounts("total", 0, 0, 0), effective=none,
        follow_ups=none, by_area={}, visited_by_month=(), outcomes_by_month=(), hazards={},
        services={},
    )  # fmt: skip


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_figures_are_kept_for_the_ttl_then_computed_again() -> None:
    clock, made = _Clock(), []

    def compute() -> Figures:
        made.append(_figures())
        return made[-1]

    cache = FiguresCache(ttl=600, timer=clock)
    first = cache.get(_KEY, compute)
    clock.now = 599
    assert cache.get(_KEY, compute) is first
    clock.now = 600
    assert cache.get(_KEY, compute) is not first
    assert len(made) == 2


def test_a_ttl_of_zero_keeps_nothing() -> None:
    made: list[Figures] = []

    def compute() -> Figures:
        made.append(_figures())
        return made[-1]

    cache = FiguresCache(ttl=0)
    assert cache.get(_KEY, compute) is not cache.get(_KEY, compute)
    assert len(made) == 2


def test_the_cache_is_bounded() -> None:
    cache, made = FiguresCache(ttl=600, max_entries=2), []

    def compute() -> Figures:
        made.append(1)
        return _figures()

    for area_id in (1, 2, 3, 1):
        cache.get((area_id, *_KEY[1:]), compute)
    assert len(made) == 4  # area 1 was pushed out by area 3


def test_threads_share_the_cache() -> None:
    cache, errors = FiguresCache(ttl=600, max_entries=8), []

    def view(area_id: int) -> None:
        try:
            for _ in range(200):
                assert cache.get((area_id % 16, *_KEY[1:]), _figures).services == {}
        except AssertionError as error:
            errors.append(error)

    threads: list[Any] = [threading.Thread(target=view, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

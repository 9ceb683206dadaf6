"""The figures store: kept for the TTL, bounded, shared safely between threads, computed by
one thread at a time, and served while expired when a refresher renews them."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ipec.monitoring.metrics import OutcomeCounts, Rate
from ipec.web.pages.figures import Figures, FiguresKey, FiguresStore

_KEY: FiguresKey = (1, date(2026, 1, 1), date(2026, 6, 30), "sdg-8.7.1")


def _figures() -> Figures:
    none = Rate("total", 0, 0)
    return Figures(
        computed_at=datetime.now(UTC), identified=(none,), supported=(none,),
        outcomes=OutcomeCounts("total", 0, 0, 0), effective=none,
        follow_ups=none, by_area={}, visited_by_month=(), outcomes_by_month=(), hazards={},
        services={},
    )  # fmt: skip


class _Computations:
    """A compute function that keeps every set of figures it made."""

    def __init__(self) -> None:
        self.made: list[Figures] = []

    def __call__(self) -> Figures:
        self.made.append(_figures())
        return self.made[-1]


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_figures_are_kept_for_the_ttl_then_computed_again() -> None:
    clock, compute = _Clock(), _Computations()
    made = compute.made

    cache = FiguresStore(ttl=600, timer=clock)
    first = cache.get(_KEY, compute)
    clock.now = 599
    assert cache.get(_KEY, compute) is first
    clock.now = 600
    assert cache.get(_KEY, compute) is not first
    assert len(made) == 2


def test_a_ttl_of_zero_keeps_nothing() -> None:
    compute = _Computations()
    made = compute.made

    cache = FiguresStore(ttl=0)
    assert cache.get(_KEY, compute) is not cache.get(_KEY, compute)
    assert len(made) == 2


def test_the_cache_is_bounded() -> None:
    cache, made = FiguresStore(ttl=600, max_entries=2), []

    def compute() -> Figures:
        made.append(1)
        return _figures()

    for area_id in (1, 2, 3, 1):
        cache.get((area_id, *_KEY[1:]), compute)
    assert len(made) == 4  # area 1 was pushed out by area 3


def test_threads_share_the_cache() -> None:
    cache, errors = FiguresStore(ttl=600, max_entries=8), []

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


def test_one_thread_computes_a_key_while_the_others_wait_for_it() -> None:
    store, made = FiguresStore(ttl=600), []
    computing, release = threading.Event(), threading.Event()

    def compute() -> Figures:
        made.append(_figures())
        computing.set()
        release.wait(10)
        return made[-1]

    got: list[Figures] = []
    first = threading.Thread(target=lambda: got.append(store.get(_KEY, compute)))
    first.start()
    assert computing.wait(10)
    second = threading.Thread(target=lambda: got.append(store.get(_KEY, compute)))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # waiting for the first thread's figures
    release.set()
    first.join()
    second.join()
    assert len(made) == 1
    assert got == [made[0], made[0]]


def test_a_failed_computation_lets_the_next_view_compute() -> None:
    store = FiguresStore(ttl=600)

    def failing() -> Figures:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        store.get(_KEY, failing)
    assert store.get(_KEY, _figures).services == {}


def test_with_a_refresher_views_get_expired_figures_and_it_is_told_what_to_compute() -> None:
    clock, compute = _Clock(), _Computations()
    made = compute.made

    store = FiguresStore(ttl=600, timer=clock)
    store.refreshed_in_background = True
    viewed, unread, wanted = _KEY, (2, *_KEY[1:]), (3, *_KEY[1:])
    first = store.get(viewed, compute)
    store.refresh(unread, compute)
    assert store.due([wanted, viewed]) == [wanted]
    clock.now = 700
    assert store.get(viewed, compute) is first  # expired, served at once
    assert len(made) == 2
    # Wanted keys first (missing or expired), then expired figures a view read; the expired
    # figures nobody read are left alone.
    assert store.due([wanted]) == [wanted, viewed]
    store.refresh(viewed, compute)
    assert store.due([]) == []
    store.refreshed_in_background = False
    clock.now = 1400
    assert store.get(viewed, compute) is not first
    assert len(made) == 4


def test_with_a_refresher_figures_twice_the_lifetime_old_are_computed_by_the_view() -> None:
    clock, compute = _Clock(), _Computations()
    made = compute.made

    store = FiguresStore(ttl=600, timer=clock)
    store.refreshed_in_background = True
    first = store.get(_KEY, compute)
    clock.now = 1199
    assert store.get(_KEY, compute) is first
    clock.now = 1200  # the refresher did not renew them in time (stuck, or database down)
    assert store.get(_KEY, compute) is not first
    assert len(made) == 2


def test_listing_what_is_due_does_not_count_as_a_view() -> None:
    store = FiguresStore(ttl=600, max_entries=2)
    older, newer, third = _KEY, (2, *_KEY[1:]), (3, *_KEY[1:])
    store.get(older, _figures)
    store.get(newer, _figures)
    store.get(older, _figures)  # now the most recently viewed
    store.due([])
    store.get(third, _figures)  # pushes out the least recently viewed: ``newer``
    computed: list[FiguresKey] = []

    def counting() -> Figures:
        computed.append(_KEY)
        return _figures()

    store.get(older, counting)
    assert computed == []
    store.get(newer, counting)
    assert computed == [_KEY]

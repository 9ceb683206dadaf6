"""Keep the dashboard's figures computed ahead of the views, in a background thread.

A dashboard's figures take about a second for a district and half a minute for a country of a
million children. The refresher computes, every ``interval`` seconds, the figures that are
missing or expired among those the users will most likely open (for the default period:
each active user's own area, where their dashboard opens, and the areas just under it, where
they drill down), and the expired figures that a view read since they were computed. While it
runs, views get the last figures at once instead of computing them (see
:class:`~ipec.web.pages.figures.FiguresStore`).

It reads through its own engine: on SQLite that engine does not take the write lock (the
server's does, for every transaction), so a long computation never holds up a request; on
PostgreSQL it holds one connection of its own.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ipec.auth.models import User
from ipec.monitoring.metrics import Period
from ipec.monitoring.models import Area
from ipec.standards import load_profile
from ipec.web.pages.figures import (
    FIGURES_MAX_ENTRIES,
    Figures,
    FiguresKey,
    FiguresStore,
    compute_figures,
    default_period,
)

__all__ = ["FiguresRefresher", "refreshing", "wanted_keys"]

_LOG = logging.getLogger(__name__)

#: How long stopping waits for the figures being computed (the thread is a daemon).
_JOIN_SECONDS = 5.0


def wanted_keys(session: Session, *, day: date, profile: str) -> list[FiguresKey]:
    """The keys to keep ready on ``day``: the default period of each active user's area,
    then of the areas just under those (the first drill-down), at most as many as the store
    keeps."""
    period = default_period(day)
    roots = list(dict.fromkeys(session.scalars(
        select(User.area_id).where(User.active.is_(True)).order_by(User.area_id)
    )))  # fmt: skip
    under = session.scalars(
        select(Area.id).where(Area.parent_id.in_(roots)).order_by(Area.parent_id, Area.name)
    )
    areas = list(dict.fromkeys([*roots, *under]))[:FIGURES_MAX_ENTRIES]
    return [(area_id, period.start, period.end, profile) for area_id in areas]


def _compute(session: Session, area: Area, key: FiguresKey) -> Figures:
    """The figures of ``key``, whose area is ``area``."""
    _area_id, start, end, profile = key
    minimum_age = load_profile(profile).ages.minimum
    return compute_figures(
        session, area_path=area.path, period=Period(start, end), minimum_age=minimum_age
    )


class FiguresRefresher:
    """A daemon thread that computes the figures :meth:`FiguresStore.due` lists, then sleeps
    ``interval`` seconds; :meth:`run_once` does one round in the caller's thread."""

    def __init__(
        self,
        store: FiguresStore,
        engine: Engine,
        *,
        profile: str,
        interval: float,
        today: Callable[[], date],
    ) -> None:
        self._store = store
        self._sessions = sessionmaker(engine)
        self._profile = profile
        self._interval = interval
        self._today = today
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Set after each round, for callers that wait for the first one (benchmarks, tests).
        self.rounds_done = 0
        self.round_finished = threading.Event()

    def run_once(self) -> int:
        """Compute what is due now; the number of figures computed. A failure is logged and
        the round goes on with the next key."""
        with self._sessions() as session:
            wanted = wanted_keys(session, day=self._today(), profile=self._profile)
        computed = 0
        for key in self._store.due(wanted):
            if self._stop.is_set():
                break
            try:
                with self._sessions() as session, session.begin():
                    area = session.get(Area, key[0])
                    if area is None:
                        continue
                    self._store.refresh(key, functools.partial(_compute, session, area, key))
                    computed += 1
            except Exception:
                _LOG.exception("the dashboard figures of area %s could not be computed", key[0])
        self.rounds_done += 1
        self.round_finished.set()
        return computed

    def start(self) -> None:
        """Start the thread; views get the last figures from now on."""
        self._store.refreshed_in_background = True
        self._thread = threading.Thread(target=self._run, name="dashboard-figures", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the figures being computed; expired figures are computed by views
        again."""
        self._store.refreshed_in_background = False
        self._stop.set()
        if self._thread is not None:
            # A country's figures take half a minute: shutting down does not wait for them.
            self._thread.join(timeout=_JOIN_SECONDS)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                _LOG.exception("a round of the dashboard figures failed")
            self._stop.wait(self._interval)


@contextmanager
def refreshing(
    store: FiguresStore,
    engine: Engine,
    *,
    profile: str,
    interval: float,
    today: Callable[[], date],
) -> Iterator[FiguresRefresher | None]:
    """A running refresher for the lifetime of the block, or None when the figures are not
    kept or ``interval`` is 0."""
    if not store.keeps or interval <= 0:
        yield None
        return
    refresher = FiguresRefresher(store, engine, profile=profile, interval=interval, today=today)
    refresher.start()
    try:
        yield refresher
    finally:
        refresher.stop()

"""Keep the dashboard's figures computed ahead of the views, in a background thread.

A dashboard's figures take long to compute for a large area (docs/performance.md gives the
current figures). The refresher computes, every ``interval`` seconds, the figures that are
missing or expired among those the users will most likely open (for the default period:
each active user's own area, where their dashboard opens, and the areas just under it, where
they drill down), and the expired figures that a view read since they were computed. While it
runs, views get expired figures at once, up to twice their lifetime old, instead of computing
them (see :class:`~ipec.web.pages.figures.FiguresStore`).

It reads through its own engine: on SQLite each of its transactions is one read snapshot that
does not take the write lock (the server's transactions do, for the audit row each request
writes), so a long computation never holds up a request; on PostgreSQL it holds one
connection of its own. Each server process (``--workers``) runs its own refresher and
computes the same figures.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, make_url, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ipec.auth.models import Role, User
from ipec.db import make_engine
from ipec.monitoring.models import Area
from ipec.monitoring.scope import PROGRAMME_AREA_ID, WHOLE_PROGRAMME
from ipec.web.pages.figures import (
    Figures,
    FiguresKey,
    FiguresStore,
    default_period,
    figures_for,
)

__all__ = ["FiguresRefresher", "refreshing", "wanted_keys"]

_LOG = logging.getLogger(__name__)

#: How long stopping waits for the figures being computed (the thread is a daemon).
_JOIN_SECONDS = 5.0

#: How long before midnight (UTC) the next day's default periods are prepared.
_AHEAD = timedelta(hours=1)


def wanted_keys(session: Session, *, now: datetime, profile: str, limit: int) -> list[FiguresKey]:
    """The keys to keep ready at ``now`` (UTC): the default period of each active user's
    area, then of the areas just under those (the first drill-down), at most ``limit``; in the
    last hour of the day, tomorrow's periods too, so that the first views after midnight do
    not wait. An administrator of the whole programme (no area) opens the programme's
    (``PROGRAMME_AREA_ID``), and drills down to the root areas."""
    # A partner's user reads no figures (its referrals only): it has no area, but is not an
    # administrator of the whole programme.
    areas_of_users = session.scalars(
        select(User.area_id).where(User.active.is_(True), User.role != Role.PARTNER)
        .order_by(User.area_id.is_(None), User.area_id)
    )  # fmt: skip
    roots = [PROGRAMME_AREA_ID if found is None else found for found in areas_of_users]
    roots = list(dict.fromkeys(roots))
    below: ColumnElement[bool] = Area.parent_id.in_(roots)
    if PROGRAMME_AREA_ID in roots:
        below = or_(below, Area.parent_id.is_(None))
    under = session.scalars(
        select(Area.id).where(below).order_by(Area.parent_id.is_(None), Area.parent_id, Area.name)
    )
    days = [now.date()]
    if (now + _AHEAD).date() != now.date():
        days.append((now + _AHEAD).date())
    areas = list(dict.fromkeys([*roots, *under]))[: max(1, limit // len(days))]
    periods = [default_period(day) for day in days]
    return [(area_id, p.start, p.end, profile) for p in periods for area_id in areas]


def _path_of(session: Session, area_id: int) -> str | None:
    """The path of the subtree whose figures ``area_id`` keys ("/" for the whole programme),
    or None for an area no longer there."""
    if area_id == PROGRAMME_AREA_ID:
        return WHOLE_PROGRAMME
    area = session.get(Area, area_id)
    return area.path if area is not None else None


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._sessions = sessionmaker(engine)
        self._profile = profile
        self._interval = interval
        self._now = now
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Set after each round, failed or not, for callers that wait for the first one.
        self.round_finished = threading.Event()

    def run_once(self) -> int:
        """Compute what is due now; the number of figures computed. A failure is logged and
        the round goes on with the next key."""
        try:
            return self._round()
        finally:
            self.round_finished.set()

    def _round(self) -> int:
        with self._sessions() as session:
            wanted = wanted_keys(session, now=self._now(), profile=self._profile,
                                 limit=self._store.max_entries // 2)  # fmt: skip
        computed: list[FiguresKey] = []
        for key in self._store.due(wanted):
            if self._stop.is_set():
                break
            try:
                with self._sessions() as session, session.begin():
                    path = _path_of(session, key[0])
                    if path is None:
                        continue

                    def compute(path: str = path, key: FiguresKey = key) -> Figures:
                        figures = figures_for(session, path, key)
                        computed.append(key)
                        return figures

                    # A view may have computed the key since the list was made.
                    self._store.refresh(key, compute)
            except Exception:
                _LOG.exception("the dashboard figures of area %s could not be computed", key[0])
        return len(computed)

    def start(self) -> None:
        """Start the thread; views get the last figures from now on."""
        self._store.refreshed_in_background = True
        self._thread = threading.Thread(target=self._run, name="dashboard-figures", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, waiting a few seconds for the figures it is computing (a
        country's take longer: the thread, a daemon, is then left to finish or fail alone);
        expired figures are computed by views again."""
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


def _reading_engine(url: str) -> Engine:
    """An engine of the refresher's own: on SQLite each transaction is one read snapshot that
    never takes the write lock; on PostgreSQL one connection."""
    if make_url(url).get_backend_name() == "sqlite":
        return make_engine(url, read_transactions=True)
    return make_engine(url, pool_size=1, max_overflow=0)


@asynccontextmanager
async def refreshing(
    store: FiguresStore, database_url: str, *, profile: str, interval: float
) -> AsyncIterator[FiguresRefresher | None]:
    """A running refresher over its own engine for the lifetime of the block, or None when
    the figures are not kept or ``interval`` is 0. Stopping waits in a worker thread, not in
    the event loop."""
    if not store.keeps or interval <= 0:
        yield None
        return
    engine = _reading_engine(database_url)
    refresher = FiguresRefresher(store, engine, profile=profile, interval=interval)
    refresher.start()
    try:
        yield refresher
    finally:
        await asyncio.to_thread(refresher.stop)
        engine.dispose()

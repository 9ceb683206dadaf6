"""The background refresher of the dashboard's figures, over the small world on SQLite: it
computes the figures the users will open, views then compute nothing, and a failure of one
area does not stop the others."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ipec.config import Settings
from ipec.monitoring.metrics import Period
from ipec.monitoring.models import Area
from ipec.web import create_app
from ipec.web.pages import refresher
from ipec.web.pages.figures import FiguresStore, compute_figures, default_period
from ipec.web.pages.refresher import FiguresRefresher, wanted_keys
from tests.web.api.conftest import SECRET
from tests.web.pages.conftest import Site, _world_database

_DAY = date(2026, 11, 29)
_NOON = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _refresher(site: Site, store: FiguresStore) -> FiguresRefresher:
    return FiguresRefresher(store, site.engine, profile="sdg-8.7.1", interval=60,
                            now=lambda: _NOON)  # fmt: skip


def _never() -> Any:
    raise AssertionError("computed again")


def test_the_wanted_figures_are_each_users_area_then_the_areas_under_it(site: Site) -> None:
    with Session(site.engine) as session:
        keys = wanted_keys(session, now=_NOON, profile="sdg-8.7.1", limit=128)
        capped = wanted_keys(session, now=_NOON, profile="sdg-8.7.1", limit=2)
        late = wanted_keys(session, now=_NOON.replace(hour=23, minute=30),
                           profile="sdg-8.7.1", limit=128)  # fmt: skip
    period, tomorrow = default_period(_DAY), default_period(_DAY + timedelta(days=1))
    # The monitor and the viewer share district A; the administrator has the country.
    areas = (site.ids["country"], site.ids["area_a"], site.ids["area_b"])
    assert keys == [(area_id, period.start, period.end, "sdg-8.7.1") for area_id in areas]
    assert capped == keys[:2]
    # In the day's last hour, tomorrow's periods are prepared too.
    assert late == keys + [
        (area_id, tomorrow.start, tomorrow.end, "sdg-8.7.1") for area_id in areas
    ]


def test_a_round_computes_what_is_due_and_nothing_when_all_is_fresh(site: Site) -> None:
    store = FiguresStore(ttl=600)
    assert _refresher(site, store).run_once() == 3
    assert _refresher(site, store).run_once() == 0
    period = default_period(_DAY)
    key = (site.ids["country"], period.start, period.end, "sdg-8.7.1")
    # A key a view computed after the round listed it is not computed again.
    fresh = FiguresStore(ttl=600)
    due = fresh.due([key])
    fresh.refresh(key, lambda: store.get(key, _never))
    assert due == [key]
    assert fresh.refresh(key, _never) is store.get(key, _never)
    with Session(site.engine) as session:
        country = session.get(Area, site.ids["country"])
        assert country is not None
        expected = compute_figures(session, area_path=country.path, period=period,
                                   minimum_age=15)  # fmt: skip
    kept = store.get(key, _never)
    assert (kept.identified, kept.outcomes, kept.by_area) == (
        expected.identified, expected.outcomes, expected.by_area,
    )  # fmt: skip


def test_a_failing_area_is_logged_and_the_round_goes_on(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = refresher.figures_for

    def failing_for_b(session: Session, area_path: str, key: Any) -> Any:
        if key[0] == site.ids["area_b"]:
            raise RuntimeError("disk full")
        return real(session, area_path, key)

    monkeypatch.setattr(refresher, "figures_for", failing_for_b)
    store = FiguresStore(ttl=600)
    with caplog.at_level(logging.ERROR, logger="ipec.web.pages.refresher"):
        assert _refresher(site, store).run_once() == 2
    assert f"area {site.ids['area_b']} could not be computed" in caplog.text
    period = default_period(_DAY)
    assert store.due([(site.ids["area_b"], period.start, period.end, "sdg-8.7.1")])


def test_the_server_computes_the_dashboards_before_they_are_viewed(
    tmp_path: Path, computed: list[tuple[str, Period]]
) -> None:
    engine, ids, url = _world_database(tmp_path / "refreshed.db")
    app = create_app(Settings(database_url=url, secret_key=SECRET,
                              dashboard_refresh_seconds=0.05))  # fmt: skip
    assert app.state.figures_refresher is None  # before the application starts
    with TestClient(app, base_url="https://testserver") as client:
        running: FiguresRefresher = app.state.figures_refresher
        assert running.round_finished.wait(30)
        site = Site(client, ids, engine)
        site.sign_in("admin")
        for area in ("", f"?area_id={ids['area_a']}", f"?area_id={ids['area_b']}"):
            assert site.client.get(f"/dashboard{area}").status_code == 200
        assert computed == []
        # Another period is not prepared: the view computes it.
        site.client.get("/dashboard?from=2025-01-01&to=2025-06-30")
        assert len(computed) == 1
    assert not app.state.dashboard_figures.refreshed_in_background
    assert app.state.figures_refresher is None
    app.state.engine.dispose()
    engine.dispose()


def test_no_refresher_runs_when_the_figures_are_not_kept(tmp_path: Path) -> None:
    engine, _ids, url = _world_database(tmp_path / "unkept.db")
    app = create_app(Settings(database_url=url, secret_key=SECRET,
                              dashboard_figures_seconds=0))  # fmt: skip
    with TestClient(app, base_url="https://testserver"):
        assert app.state.figures_refresher is None
    app.state.engine.dispose()
    engine.dispose()

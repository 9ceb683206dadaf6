"""Server time of every page, signed in as each role, on a large monitoring database.

Run: python benchmarks/pages_render.py --database-url URL [--runs 30] [--users supervisor,admin]
[--pages /dashboard,/cases]

The database is one built by ``ipec demo --no-serve --children 1000000 --visits-per-child 3``
(demo accounts, password from ``ipec.demo``). Every HTML page of the application
(each GET route outside /api and /static) is requested ``--runs`` times in this process
through the ASGI interface, so the time is the server's own (rendering, queries, the access
check and its audit row) plus well under a millisecond of in-process transport. Path
parameters are filled with records in the user's scope: the first case of their list. The
peer of a page is the JSON route serving the same records, timed the same way. The first
request of each page is timed apart ("first"). By default the application runs as deployed:
its background thread computes the dashboards users open (their own area and the areas under
it, for the default period) and the benchmark waits for its first round (timed, printed)
before any request. ``--cold`` runs no background thread and empties the dashboard's figures
before each page, so that "first" is the view of an area and period nobody opened before.
Goal: every page at p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import time

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ipec.config import Settings
from ipec.demo import DEMO_PASSWORD
from ipec.web import create_app
from ipec.web.pages.routes import PAGE_ROUTERS

#: A page's JSON peer (the same records through the API), where there is one.
_PEERS = {
    "/cases": "/api/v1/cases?open_only=true&per_page=25",
    "/children/{child_id}": "/api/v1/cases/{case_id}",
    "/visits/week": "/api/v1/follow-ups",
    "/partners": "/api/v1/partners",
    "/dashboard": "/api/v1/metrics/effectiveness",
}
#: How long to wait for the background thread's first round (a country takes about a minute).
_ROUND_WAIT_SECONDS = 600
_SKIP = {"/", "/login", "/logout", "/language/{code}"}
_PARAM = re.compile(r"{(\w+)}")


def _pages() -> list[str]:
    """Every GET route of the pages, as written."""
    paths = {
        route.path
        for router in PAGE_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods and route.path not in _SKIP
    }
    return sorted(paths)


def _sample_ids(client: TestClient) -> dict[str, int]:
    """Ids of records in the signed-in user's scope, to fill path parameters."""
    first = client.get("/api/v1/cases", params={"per_page": 1}).json()["items"][0]
    child = first["child"]
    return {"case_id": first["case"]["id"], "child_id": child["id"],
            "household_id": child["household_id"], "area_id": first["area_id"]}  # fmt: skip


def _time(client: TestClient, path: str, runs: int) -> tuple[float, list[float], int]:
    """Milliseconds of the first request, of each request after it, and the last status."""
    start = time.perf_counter()
    status = client.get(path).status_code
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status = client.get(path).status_code
        times.append((time.perf_counter() - start) * 1000)
    return first, times, status


def _wait_for_figures(app: FastAPI) -> None:
    """Wait for the background thread's first round of dashboard figures, if it runs."""
    refresher = app.state.figures_refresher
    if refresher is None or refresher.round_finished.is_set():
        return
    start = time.perf_counter()
    if not refresher.round_finished.wait(_ROUND_WAIT_SECONDS):
        raise SystemExit(f"the background figures were not ready in {_ROUND_WAIT_SECONDS} s")
    print(f"background figures ready after {time.perf_counter() - start:.1f} s")


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--users", default="supervisor,admin")
    parser.add_argument("--pages", help="only these pages, as written (default: every page)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no background figures; each page's first view computes them",
    )
    args = parser.parse_args()
    chosen = set(args.pages.split(",")) if args.pages else None
    app = create_app(Settings(database_url=args.database_url, secret_key=secrets.token_hex(32),
                              dashboard_refresh_seconds=0 if args.cold else 30))  # fmt: skip
    print(f"{'user':<11} {'page':<34} {'status':>6} {'first ms':>9} {'p50 ms':>8} "
          f"{'p95 ms':>8} {'peer p95':>9} {'ratio':>6}")  # fmt: skip
    worst = 0.0
    for user in args.users.split(","):
        with TestClient(app, base_url="https://localhost") as client:
            _wait_for_figures(app)
            signed = client.post("/api/v1/session", json={"username": user,
                                 "password": DEMO_PASSWORD})  # fmt: skip
            signed.raise_for_status()
            ids = _sample_ids(client)
            for page in _pages():
                if chosen is not None and page not in chosen:
                    continue
                if any(name not in ids for name in _PARAM.findall(page)):
                    continue
                if args.cold:
                    app.state.dashboard_figures.clear()
                first, times, status = _time(client, page.format(**ids), args.runs)
                peer = _PEERS.get(page)
                peer_p95 = _p95(_time(client, peer.format(**ids), args.runs)[1]) if peer else None
                p95 = _p95(times)
                worst = max(worst, p95)
                ratio = f"{p95 / peer_p95:6.2f}" if peer_p95 else "     -"
                peer_text = f"{peer_p95:9.1f}" if peer_p95 else "        -"
                p50 = statistics.median(times)
                print(f"{user:<11} {page:<34} {status:>6} {first:9.1f} {p50:8.1f} "
                      f"{p95:8.1f} {peer_text} {ratio}")  # fmt: skip
    print(f"worst page p95: {worst:.1f} ms (goal <= 200 ms)")
    app.state.engine.dispose()


if __name__ == "__main__":
    main()

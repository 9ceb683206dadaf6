"""Signed-in latency while bogus sign-ins flood the server (issue 21's load bar).

Run: python benchmarks/signin_flood.py [--clients 20] [--attempts 60] [--rounds 3]
                                       [--spread] [--database-url URL]

It makes a small SQLite database (one area, one signed-in user with an API token) unless
``--database-url`` names one, starts ``ipec serve`` (one worker), and measures
``GET /api/v1/me`` with the token (a token look-up: one database turn), one request after
another:

- ``quiet``: for 3 seconds with nothing else going on;
- ``flood``: while ``--clients`` threads send ``--attempts`` sign-ins in all for invented
  usernames (each an Argon2 check on the server), repeated ``--rounds`` times.

Every flood attempt comes from 127.0.0.1, so the per-address limit (10 a minute) refuses most
of them; ``--spread`` raises that limit to 1000 (as though the clients had an address each),
so every attempt reaches the password check and the figure shows what keeping Argon2 out of
the database turn buys. It prints the signed-in latency percentiles and the flood's answers.

To compare with the code before the change, run it with ``PYTHONPATH`` pointing at an older
checkout's ``src`` (``git archive <commit> src | tar -x -C /tmp/before``).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user, issue_token
from ipec.db import make_engine, upgrade
from ipec.monitoring.service import create_area


def _database(url: str) -> str:
    """A database with one signed-in user; returns that user's API token."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        area = create_area(session, name="Country", level="country")
        user = create_user(session, username="bench", display_name="Bench",
                           password="a long enough password", role=Role.ADMIN,
                           area_id=area.id)  # fmt: skip
        token = issue_token(session, user=user, label="signin flood benchmark")
    engine.dispose()
    return token


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, port: int, spread: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IPEC_DATABASE_URL": url, "IPEC_DEMO": "1",
           "IPEC_DASHBOARD_REFRESH_SECONDS": "0"}  # fmt: skip
    if spread:
        env["IPEC_SIGN_IN_PER_ADDRESS_PER_MINUTE"] = "1000"
    server = subprocess.Popen([sys.executable, "-m", "ipec", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def _signed_in(base: str, token: str, stop: threading.Event) -> list[float]:
    """Latencies (ms) of signed-in requests, one after another, until ``stop``."""
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            began = time.perf_counter()
            answer = client.get("/api/v1/me", timeout=60)
            times.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"signed-in request answered {answer.status_code}")
    return times


def _flood(base: str, clients: int, attempts: int, round_number: int) -> Counter[int]:
    """``attempts`` sign-ins for invented names from ``clients`` threads; their statuses."""

    def attempt(number: int) -> int:
        body = {"username": f"nobody-{round_number}-{number}", "password": "guess 123456"}
        return httpx.post(f"{base}/api/v1/session", json=body, timeout=120).status_code

    with ThreadPoolExecutor(clients) as pool:
        return Counter(pool.map(attempt, range(attempts)))


def _percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"n={len(ordered)}  p50={statistics.median(ordered):.1f} ms  p95={p95:.1f} ms  "
            f"max={ordered[-1]:.1f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spread", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ipec-signin-")
    url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
    token = _database(url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(url, port, args.spread)
    try:
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            quiet = pool.submit(_signed_in, base, token, stop)
            time.sleep(3)
            stop.set()
            print(f"quiet: {_percentiles(quiet.result())}")
        statuses: Counter[int] = Counter()
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            during = pool.submit(_signed_in, base, token, stop)
            began = time.perf_counter()
            for number in range(args.rounds):
                statuses += _flood(base, args.clients, args.attempts, number)
            flood_seconds = time.perf_counter() - began
            stop.set()
            print(f"flood: {_percentiles(during.result())}")
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        print(f"flood answers ({args.rounds} x {args.attempts} sign-ins from {args.clients} "
              f"clients, {flood_seconds:.1f} s): {answers}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

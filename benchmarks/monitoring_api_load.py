"""API throughput and latency under 50 concurrent clients on loopback, measured with wrk.

Run: python benchmarks/monitoring_api_load.py [--database-url URL | --households 20000]
                                              [--connections 50] [--seconds 20] [--workers 2]

Needs the ``wrk`` load generator on PATH (Debian: ``apt-get install wrk``). Without
``--database-url`` it builds a demo SQLite database of ``--households`` households with
``ipec demo --no-serve`` (reused on later runs). It starts ``ipec serve`` with ``--workers``
processes, signs in the demo supervisor (one district) through an API token, and runs wrk
against four workloads, in this order:

- ``health``: ``GET /health``, no database: the ceiling of the server stack (the peer);
- ``case list``: the district's case list in priority order, filtered by status and sex,
  a random page among the first 20 (50 per page);
- ``child``: a random child of the district (read, access check and audit row);
- ``visit``: record a visit for a random child of the district (classify, write, audit).

It prints requests per second, latency percentiles, errors (non-2xx answers and requests
wrk gave up on after its 2 s timeout), and each workload's throughput as a share of the
ceiling.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import issue_token, principal_of
from ipec.auth.access import children_in_scope
from ipec.auth.models import User
from ipec.db import make_engine
from ipec.monitoring import Child

_LUA = """
math.randomseed(os.time())
local token = "{token}"
local children = {{{children}}}
local mode = "{mode}"
request = function()
  local headers = {{["Authorization"] = "Bearer " .. token}}
  if mode == "health" then
    return wrk.format("GET", "/health")
  elseif mode == "case list" then
    local page = math.random(1, 20)
    return wrk.format("GET", "/api/v1/cases?area_id={area}&open_only=true&sex=female&page="
      .. page, headers)
  elseif mode == "child" then
    local id = children[math.random(1, #children)]
    return wrk.format("GET", "/api/v1/children/" .. id, headers)
  else
    local id = children[math.random(1, #children)]
    headers["Content-Type"] = "application/json"
    local body = '{{"visit_date": "{today}", "monitor": "load", "consent": true, '
      .. '"record": {{"econ_any": true, "econ_hours": ' .. math.random(0, 40) .. '}}}}'
    return wrk.format("POST", "/api/v1/children/" .. id .. "/visits", headers, body)
  end
end
"""

_WORKLOADS = ("health", "case list", "child", "visit")


def _database(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    path = Path(tempfile.gettempdir()) / f"ipec-load-{args.households}.db"
    if not path.exists():
        print(f"building a demo database of {args.households:,} households at {path}")
        subprocess.run([sys.executable, "-m", "ipec", "demo", "--no-serve", "--database",
                        str(path), "--households", str(args.households)], check=True)  # fmt: skip
    return f"sqlite:///{path}"


def _supervisor(url: str) -> tuple[str, int, list[int]]:
    """A token for the demo supervisor, their district, and up to 2,000 of its children."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        user = session.scalars(select(User).where(User.username == "supervisor")).one()
        who = principal_of(session, user)
        children = list(session.scalars(children_in_scope(who).with_only_columns(Child.id)
                                        .limit(2_000)))  # fmt: skip
        token = issue_token(session, user=user, label="load benchmark")
        area = user.area_id
    engine.dispose()
    return token, area, children


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IPEC_DATABASE_URL": url, "IPEC_DEMO": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "ipec", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def _wrk(port: int, script: Path, connections: int, seconds: int) -> dict[str, float]:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    out = done.stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for percent in ("50", "90", "99"):
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)", out, re.MULTILINE)
        assert found, out
        result[f"p{percent}"] = float(found.group(1)) * units[found.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    result["errors"] += sum(float(n) for n in sockets.groups()) if sockets else 0.0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs the wrk load generator on PATH (apt-get install wrk)")
    url = _database(args)
    token, area, children = _supervisor(url)
    server = _serve(url, args.port, args.workers)
    print(f"{args.connections} connections, {args.seconds} s each, {args.workers} workers, "
          f"{url.split('://')[0]}")  # fmt: skip
    print(f"{'workload':<10} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7} {'of ceiling':>10}")  # fmt: skip
    ceiling = None
    try:
        with tempfile.TemporaryDirectory() as folder:
            for mode in _WORKLOADS:
                script = Path(folder) / "load.lua"
                script.write_text(_LUA.format(token=token, mode=mode, area=area,
                                              children=",".join(map(str, children)),
                                              today=time.strftime("%Y-%m-%d")))  # fmt: skip
                result = _wrk(args.port, script, args.connections, args.seconds)
                ceiling = ceiling or result["rps"]
                print(f"{mode:<10} {result['rps']:>9.0f} {result['p50']:>8.1f} "
                      f"{result['p90']:>8.1f} {result['p99']:>8.1f} {result['errors']:>7.0f} "
                      f"{result['rps'] / ceiling:>10.1%}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

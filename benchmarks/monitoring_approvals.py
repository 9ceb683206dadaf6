"""Time a supervisor's approval queue (``ipec.monitoring.approvals.ApprovalQueue``) and the
dashboard's count of what awaits approval.

Run: python benchmarks/monitoring_approvals.py URL [--runs 20] [--every 20]

The database is one built by ``ipec demo --no-serve --children N --visits-per-child 3``
(SQLite or PostgreSQL). The demo asks for no approval, so the script first writes, once
(committed; skipped when requests exist already), a request awaiting a decision for one case
in ``--every`` (20) of the whole country's open cases (by id), a plan's or a closure's in
turn, with a request time spread over the last year: the queue of every district holds its
share. Then each reading is one page of the demo supervisor's queue (25 requests, 26 rows
fetched, as the page does: the requests, their cases, children and areas' names), and the
count of what awaits in the supervisor's district (the dashboard's figure), and the same for
the whole programme (an administrator without an area). Each runs ``--runs`` times, each in
its own session on one pooled engine (as requests are); the median and the 95th percentile
of the wall-clock times are printed in milliseconds, with the rows found. The first run is
included.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.db import make_engine
from ipec.monitoring import Area
from ipec.monitoring.approvals import ApprovalQueue, pending_count
from ipec.monitoring.models import Approval, ApprovalKind, ApprovalStatus, Case, CaseStatus
from ipec.monitoring.scope import WHOLE_PROGRAMME


def _seed(session: Session, every: int) -> int:
    """The requests the demo does not make (see the module's docstring); how many exist."""
    existing = session.scalar(select(func.count()).select_from(Approval)) or 0
    if existing:
        return int(existing)
    open_cases = session.execute(
        select(Case.id, Case.area_id).where(Case.status != CaseStatus.CLOSED).order_by(Case.id)
    ).all()
    start = datetime.now(UTC) - timedelta(days=365)
    rows = [
        {"case_id": case_id, "area_id": area_id,
         "kind": (ApprovalKind.PLAN if n % 2 else ApprovalKind.CLOSURE).value,
         "status": ApprovalStatus.REQUESTED.value, "requested_by": "benchmark",
         "requested_at": start + timedelta(minutes=n * 7 % 525_600), "note": "benchmark",
         "override": False}
        for n, (case_id, area_id) in enumerate(open_cases[::every])
    ]  # fmt: skip
    for first in range(0, len(rows), 10_000):
        session.execute(insert(Approval), rows[first : first + 10_000])
    session.execute(text("ANALYZE approvals"))  # as the database's own statistics would be
    return len(rows)


def _time(engine: Engine, runs: int, read: Callable[[Session], int]) -> tuple[float, float, int]:
    """Median and 95th percentile in ms of ``runs`` readings, and what the last found."""
    times, found = [], 0
    for _ in range(runs):
        with Session(engine) as session:
            began = time.perf_counter()
            found = read(session)
            times.append((time.perf_counter() - began) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(times), p95, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--every", type=int, default=20)
    args = parser.parse_args()
    engine = make_engine(args.url)
    with Session(engine) as session, session.begin():
        district = session.scalar(
            select(Area).join(User, User.area_id == Area.id).where(User.username == "supervisor")
        )
        assert district is not None, "no demo supervisor: not a demo database"
        total = _seed(session, args.every)
        scope = district.path
    print(f"{total} requests awaiting a decision; district {scope}; {args.runs} runs each")
    readings = [
        ("queue page, the supervisor's district",
         lambda s: len(ApprovalQueue(per_page=25).page_in(s, scope).rows)),
        ("count, the supervisor's district", lambda s: pending_count(s, scope)),
        ("queue page, the whole programme",
         lambda s: len(ApprovalQueue(per_page=25).page_in(s, WHOLE_PROGRAMME).rows)),
        ("count, the whole programme", lambda s: pending_count(s, WHOLE_PROGRAMME)),
    ]  # fmt: skip
    for name, read in readings:
        median, p95, found = _time(engine, args.runs, read)
        print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms ({found})")


if __name__ == "__main__":
    main()

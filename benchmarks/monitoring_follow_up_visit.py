"""Time recording a follow-up visit, with the schedule's recomputation
(``ipec.monitoring.service.record_visit_and_follow_up``: the visit classified and stored, the
follow-up marked done, the next one scheduled or the later ones moved:
``ipec.monitoring.schedule.after_done``).

Run: python benchmarks/monitoring_follow_up_visit.py URL [--runs 50] [--today 2026-12-07]

The database is one built by ``ipec demo --no-serve --children 1000000 --visits-per-child 3``
(SQLite or PostgreSQL). Each run takes another follow-up not done of an open case of a child
on the register (the first ``--runs`` by id, due up to today: many done late, as their visit
is today), records the visit that does it (the child out of child labour) in its own session
and transaction, as a request does, flushes it (the time stops there: the commit is not
timed) and rolls it back, so the database is left as it was. The median and the 95th
percentile of the wall-clock times are printed in milliseconds, with how many runs
scheduled a next follow-up.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.db import make_engine
from ipec.monitoring.models import Case, CaseStatus, Child, FollowUp
from ipec.monitoring.service import record_visit_and_follow_up
from ipec.standards import load_profile

#: The demo's profile, and a record of a child out of child labour under it.
PROFILE = "cocoa-ci-2017"
CLEAN = {"econ_any": False, "econ_hours": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    engine = make_engine(args.url)
    profile = load_profile(PROFILE)
    with Session(engine) as session:
        picked = session.execute(
            select(FollowUp.id, Case.child_id)
            .join(Case, Case.id == FollowUp.case_id)
            .join(Child, Child.id == Case.child_id)
            .where(FollowUp.visit_id.is_(None), FollowUp.due_on <= args.today,
                   Case.status != CaseStatus.CLOSED, Child.active.is_(True))
            .order_by(FollowUp.id)
            .limit(args.runs)
        ).all()  # fmt: skip
    assert len(picked) == args.runs, "not enough follow-ups to do: not a demo database"
    times, added = [], 0
    for follow_up_id, child_id in picked:
        with Session(engine) as session:
            case_id = session.scalar(select(FollowUp.case_id).where(FollowUp.id == follow_up_id))
            of_case = select(func.count()).where(FollowUp.case_id == case_id)
            before = session.scalar(of_case)
            session.rollback()
            began = time.perf_counter()
            record_visit_and_follow_up(
                session, child_id=child_id, follow_up_id=follow_up_id,
                visit_date=args.today, monitor="benchmark", consent=True, record=CLEAN,
                profile=profile, actor="benchmark", today=args.today,
            )  # fmt: skip
            session.flush()
            times.append((time.perf_counter() - began) * 1000)
            added += int(session.scalar(of_case) != before)
            session.rollback()  # the database is left as it was
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    print(f"{engine.url.get_backend_name()}, today {args.today}, {args.runs} follow-up visits "
          f"({added} scheduled a next one): p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

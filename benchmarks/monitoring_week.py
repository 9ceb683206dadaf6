"""Time a monitor's week (``ipec.monitoring.week.WeekList``) and a supervisor's team's week,
and the same users' calendars of the month (``CalendarList``).

Run: python benchmarks/monitoring_week.py URL [--runs 20] [--today 2026-12-07]

The database is one built by ``ipec demo --no-serve --children 1000000 --visits-per-child 3``
(SQLite or PostgreSQL). The demo assigns nobody, so the script first assigns, once (committed,
audited as the user "benchmark"; skipped when the demo supervisor's district has a monitor
already): the demo supervisor is the monitor of the district, the demo monitor of its first
community (by id), and 50 follow-ups of the district's other communities are the monitor's
one by one. Then each week is one page (100 children, 101 rows fetched as the pages do),
found as the page finds it (the user's areas, the rows, who each row is assigned to), run
``--runs`` times, each in its own session on one pooled engine (as requests are); the median
and the 95th percentile of the wall-clock times are printed in milliseconds, with the rows
of the page. The first run is included. The calendars are the month of ``--today``, every
follow-up of it (up to 1000), found as the calendar page finds them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.db import make_engine
from ipec.monitoring import Area
from ipec.monitoring.models import AreaMonitor, FollowUp
from ipec.monitoring.service import assign_area_monitor, assign_follow_up
from ipec.monitoring.week import CalendarList, WeekFilter, WeekList, month_span


def _assign(session: Session, district: Area, monitor: int, supervisor: int, today: date) -> None:
    """The assignments the demo does not make (see the module's docstring)."""
    if session.get(AreaMonitor, district.id) is not None:
        return
    communities = list(session.scalars(
        select(Area).where(Area.parent_id == district.id).order_by(Area.id)
    ))  # fmt: skip
    assign_area_monitor(session, area_id=district.id, user_id=supervisor, actor="benchmark")
    assign_area_monitor(session, area_id=communities[0].id, user_id=monitor, actor="benchmark")
    others = [area.id for area in communities[1:]]
    picked = session.scalars(
        select(FollowUp.id)
        .where(FollowUp.area_id.in_(others), FollowUp.visit_id.is_(None), FollowUp.due_on >= today)
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(50)
    ).all()
    for follow_up in picked:
        assign_follow_up(session, follow_up_id=follow_up, user_id=monitor, actor="benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    engine = make_engine(args.url)
    with Session(engine) as session, session.begin():
        demo = select(User.username, User.id).where(User.username.in_(["monitor", "supervisor"]))
        users = {row.username: row.id for row in session.execute(demo)}
        district = session.scalar(
            select(Area).join(User, User.area_id == Area.id).where(User.username == "supervisor")
        )
        assert district is not None, "no demo supervisor: not a demo database"
        assert len(users) == 2, "no demo monitor: not a demo database"
        _assign(session, district, users["monitor"], users["supervisor"], args.today)
        scope = district.path
    weeks = [
        ("monitor: a community, 50 of their own", WeekFilter(users["monitor"])),
        ("supervisor: a district less a community", WeekFilter(users["supervisor"])),
        ("supervisor: the team's, the district", WeekFilter(None)),
    ]
    first, last = month_span(None, args.today)
    listings = [(f"week, {name}", WeekList(filters, args.today)) for name, filters in weeks]
    listings += [(f"calendar, {name}", CalendarList(filters, first, last))
                 for name, filters in weeks]  # fmt: skip
    print(f"district {scope}, today {args.today}, {args.runs} runs each")
    for name, listing in listings:
        times, rows = [], 0
        for _ in range(args.runs):
            with Session(engine) as session:
                began = time.perf_counter()
                found = listing.page_in(session, scope)
                times.append((time.perf_counter() - began) * 1000)
                rows = len(found.rows)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        print(f"{name:52s} {rows:4d} rows   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms", flush=True)


if __name__ == "__main__":
    main()

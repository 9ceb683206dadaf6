"""Time a partner user's pages: the list of the referrals sent to its partner (a page of 25
with the minimal view of each), one referral, and a referral's sharing check.

Run: python benchmarks/monitoring_partner_referrals.py URL [--runs 20] [--today 2026-12-01]

The database is one built by ``ipec demo --no-serve --children 1000000 --visits-per-child 3``
(SQLite or PostgreSQL), whose ``partner`` account is a user of the Social Welfare Department.
Each reading is done as the page does it (through the gate, audit row included: each run's
session is rolled back, so nothing is kept), ``--runs`` times, each in its own session on one
pooled engine; the median and the 95th percentile of the wall-clock times are printed in
milliseconds, with the referrals the partner has. The first run is included.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ipec.auth import Principal, partner_referral, principal_of, read_partner_referrals
from ipec.auth.models import User
from ipec.db import make_engine
from ipec.monitoring.models import Case, Referral
from ipec.monitoring.referrals import partner_view

_PAGE = 25


def _timed(engine: Engine, runs: int, work: Callable[[Session], int]) -> tuple[float, float, int]:
    times, found = [], 0
    for _ in range(runs):
        with Session(engine) as session:
            started = time.perf_counter()
            found = work(session)
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    engine = make_engine(args.url)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == "partner"))
        assert user is not None, "no demo partner user: not a demo database of this version"
        partner: Principal = principal_of(session, user)
        total = session.scalar(
            select(func.count()).select_from(Referral).where(
                Referral.partner_id == partner.partner_id)
        )  # fmt: skip
        newest = session.scalar(
            select(Referral.id).where(Referral.partner_id == partner.partner_id)
            .order_by(Referral.sent_on.desc(), Referral.id.desc()).limit(1)
        )  # fmt: skip
        assert newest is not None, "the demo partner has no referral"

    def page(session: Session) -> int:
        rows = read_partner_referrals(session, partner, per_page=_PAGE)
        views = [partner_view(session, row.Referral, row.child_id, today=args.today)
                 for row in rows[:_PAGE]]  # fmt: skip
        return len(views)

    def one(session: Session) -> int:
        referral = partner_referral(session, partner, newest)
        case = session.get(Case, referral.case_id)
        assert case is not None
        return int(partner_view(session, referral, case.child_id, today=args.today).shared)

    print(f"{args.url}: partner {partner.partner_id} has {total:,} referrals; {args.runs} runs")
    for name, work in (("the list (first page, 25 views)", page), ("one referral", one)):
        median, p95, found = _timed(engine, args.runs, work)
        print(f"{name}: p50 {median:.1f} ms, p95 {p95:.1f} ms ({found} rows)")
    engine.dispose()


if __name__ == "__main__":
    main()

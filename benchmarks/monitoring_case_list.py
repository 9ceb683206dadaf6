"""Time one page of the case list (``case_page_query``) for a district, a region, the country.

Run: python benchmarks/monitoring_case_list.py URL [--runs 20] [--today 2026-11-29]

The database is one built by ``ipec demo --no-serve --children 1000000 --visits-per-child 3``
(SQLite or PostgreSQL). The district is the demo supervisor's; the region is the first area
of level "region" by id; the country is the root "/1/" (an administrator's list). Each list
is one page of 50 cases (51 rows fetched, as the API does to know whether more follow), run
``--runs`` times, each in its own session on one pooled engine (as API requests are); the
median and the 95th percentile of the wall-clock times are printed in milliseconds. The
first run of each list is included. The ids are found as ``ipec.monitoring.queries.CaseList``
finds them (priority groups merged for a wide subtree, else sorted: ``wide_subtree``).
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
from ipec.monitoring import Area, CaseStatus, Sex
from ipec.monitoring.queries import CaseFilter, case_page_query, wide_subtree

PER_PAGE = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    engine = make_engine(args.url)
    with Session(engine) as session:
        district = session.scalar(
            select(Area.path)
            .join(User, User.area_id == Area.id)
            .where(User.username == "supervisor")
        )
        region = session.scalars(
            select(Area.path).where(Area.level == "region").order_by(Area.id)
        ).first()
    assert district is not None, "no demo supervisor: not a demo database"
    assert region is not None, "the database has no region"
    girls = CaseFilter(open_only=True, sex=Sex.FEMALE)
    lists = [
        ("district, open, girls, page 1", district, girls, 1),
        ("district, open, girls, page 20", district, girls, 20),
        ("district, in remediation, page 1", district,
         CaseFilter(status=CaseStatus.IN_REMEDIATION), 1),
        ("district, overdue, page 1", district, CaseFilter(overdue=True), 1),
        ("region, open, page 1", region, CaseFilter(open_only=True), 1),
        ("country, open, page 1", "/1/", CaseFilter(open_only=True), 1),
        ("country, open, page 20", "/1/", CaseFilter(open_only=True), 20),
        ("country, overdue, page 1", "/1/", CaseFilter(overdue=True), 1),
    ]  # fmt: skip

    print(f"district {district}, region {region}, today {args.today}, {args.runs} runs each")
    for name, path, filters, page in lists:
        offset = (page - 1) * PER_PAGE
        with Session(engine) as session:
            merge_groups = wide_subtree(session, path)  # as CaseList.page_in chooses
        query = case_page_query(path, filters, args.today, limit=PER_PAGE + 1, offset=offset,
                                merge_groups=merge_groups)  # fmt: skip
        times = []
        for _ in range(args.runs):
            with Session(engine) as session:
                began = time.perf_counter()
                session.execute(query).all()
                times.append((time.perf_counter() - began) * 1000)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        print(f"{name:34s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms", flush=True)


if __name__ == "__main__":
    main()

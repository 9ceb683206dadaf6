"""Time ``ipec areas import`` of a large hierarchy: reading the file, the first import, and
importing the same file again (nothing to change), on SQLite and, when given, PostgreSQL.

Run: python benchmarks/areas_import.py [--areas 100000] [--postgres URL]

The hierarchy has four levels (a country, 20 regions, 400 districts, communities for the
rest), written as CSV with every community before its district. ``--postgres`` is a server
URL whose role may create databases (``postgresql+psycopg://user:password@host/postgres``);
a database is made for the run and dropped after.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from ipec.db import make_engine, upgrade
from ipec.monitoring.areas import import_areas, read_area_file


def _write(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "name", "level", "parent_code"])
        districts = [(f"R{r}D{d}", f"R{r}") for r in range(20) for d in range(20)]
        for n in range(count - 1 - 20 - len(districts)):
            district = districts[n % len(districts)][0]
            out.writerow([f"{district}C{n}", f"Community {n}", "community", district])
        for code, region in districts:
            out.writerow([code, f"District {code}", "district", region])
        for r in range(20):
            out.writerow([f"R{r}", f"Region {r}", "region", "C"])
        out.writerow(["C", "Country", "country", ""])


def _time(url: str, path: Path) -> None:
    engine = make_engine(url, write_transactions=True)
    upgrade(engine)
    began = time.perf_counter()
    area_file = read_area_file(path)
    print(f"  read the file          {time.perf_counter() - began:6.2f} s", flush=True)
    for label in ("first import", "the same file again"):
        began = time.perf_counter()
        with Session(engine) as session, session.begin():
            done = import_areas(session, area_file, actor="benchmark")
        print(f"  {label:22s} {time.perf_counter() - began:6.2f} s  ({done.created} new, "
              f"{done.unchanged} unchanged)", flush=True)  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (optional)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "areas.csv"
        _write(path, args.areas)
        print(f"SQLite, {args.areas:,} areas")
        _time(f"sqlite:///{Path(folder) / 'areas.db'}", path)
        if args.postgres:
            name = f"ipec_bench_{uuid.uuid4().hex[:8]}"
            server = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                print(f"PostgreSQL, {args.areas:,} areas")
                url = make_url(args.postgres).set(database=name)
                _time(url.render_as_string(hide_password=False), path)
            finally:
                with server.connect() as connection:
                    connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                server.dispose()


if __name__ == "__main__":
    main()

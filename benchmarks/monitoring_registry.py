"""Time the register at a million children: search by name (letters, sound, pseudonym,
household head), the lists without a search, and a household's page.

Run: python benchmarks/monitoring_registry.py URL [--add-schema] [--prepare] [--runs 20]

The database is one built by ``ipec demo --no-serve --children 1000000 --visits-per-child
3`` (SQLite or PostgreSQL). The demo names its people "Child 123" and "Household 45", which
no search of names can be timed on: ``--prepare`` first gives them names drawn from West
African and French first names (by sex) and family names, as a register holds (a child has
its household's family name; the head has a first name and the family name; three households
in five have a cooperative as supply unit), in one UPDATE per table, then computes the
search keys again (``refresh_name_keys``) and commits. Run it once per database.
``--add-schema`` first brings a database built by an older ``ipec demo`` up to the models by
adding what it lacks (tables, columns, indexes: Alembic's comparison of the database with
the models, additive operations only; a changed index of the same name is left as it was)
and marking it as of the current revision, so that the application serves it: a copy of an
older million-child database then serves (its facts, computed by the older seeder, are
kept). Never on a database in use: only on a copy made for the benchmark.

Each list is one page of 50 (51 ids fetched, as the API does to know whether more follow),
run ``--runs`` times, each in its own session on one pooled engine, as the API runs it:
``ipec.auth.read_list`` with the listing (the plan's choice, the page's ids, their details,
the audit row), rolled back. The scopes are the demo supervisor's district, the first region
and the country (an administrator). The searches are for names of a child of the district
(its first name and family name, the family name alone, the family name spelled by sound, a
prefix), a pseudonym and a household head. The household page is requested through the
application (signed in as the supervisor and as the administrator, in-process, as
``benchmarks/pages_render.py`` does), with its JSON peer. The median and the 95th percentile
of the wall-clock times are printed in milliseconds. Goals: a search p95 <= 100 ms, the
household page p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from ipec.auth import principal_of, read_list
from ipec.auth.models import User
from ipec.config import Settings
from ipec.db import make_engine
from ipec.db.bulk import vacuum
from ipec.demo import DEMO_PASSWORD
from ipec.monitoring import Area, Child, Household, Sex
from ipec.monitoring.registry import ChildFilter, ChildList, HouseholdFilter, HouseholdList
from ipec.monitoring.search_keys import refresh_name_keys
from ipec.web import create_app

PER_PAGE = 50


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: First names by sex and family names, Ivorian, Ghanaian, Burkinabe, Malian and French.
GIRLS = _words(
    "Aya Adjoua Akissi Amenan Affoué Ahou Amoin Afoua Akua Ama Abena Efua Adwoa Yaa Fatoumata "
    "Aminata Mariam Awa Kadiatou Salimata Rokia Djeneba Assita Bintou Aïcha Marie Christelle "
    "Chantal Nadège Estelle Grâce Élodie Sandrine Pélagie Clarisse Léa Inès Rachelle Josiane"
)
BOYS = _words(
    "Kouamé Kouassi Kouadio Koffi Kouakou Yao Konan Kwame Kwaku Kofi Kwabena Kwasi Yaw Mamadou "
    "Moussa Ibrahim Adama Seydou Souleymane Issouf Boubacar Abdoulaye Drissa Lassina Jean "
    "Pierre Paul Christophe Hervé Serge Didier Olivier Arsène Wilfried Cédric Franck "
    "Jean-Baptiste Désiré Modeste Théodore"
)
FAMILIES = _words(
    "Kouassi Kouamé Koffi Konan Yao N'Guessan Kouadio Kouakou Brou Aka Ahoussou Assi Ehui "
    "Gbagbo Gnagne Koné Traoré Ouattara Coulibaly Diabaté Bamba Touré Diallo Sanogo Cissé "
    "Doumbia Fofana Kamara Keïta Sylla Soro Silué Tuo Yéo Zadi Zoro Dago Gnahoré Bleu Lago "
    "Mensah Owusu Boateng Asante Appiah Osei Agyeman Ofori Darko Tetteh Ouédraogo Sawadogo "
    "Compaoré Kaboré Zongo Nikiéma Diarra Dembélé Sangaré Kouyaté Martin Bernard Dubois "
    "Lefèbvre Moreau Fournier Girard Bonnet Lambert Fontaine"
)
COOPS = _words(
    "Kapatchiva Ecookim Yeyasso Coopaga Cagnd Sococan Coopemak Scoopaku Ecam Kayaba Bénéfice "
    "Espoir Union Progrès"
)


def _values(rows: list[tuple[Any, ...]]) -> str:
    quoted = (", ".join("'" + str(v).replace("'", "''") + "'" if isinstance(v, str) else str(v)
                        for v in row) for row in rows)  # fmt: skip
    return ", ".join(f"({row})" for row in quoted)


def prepare(engine: Engine) -> None:
    """Name the demo's people (see the module's notes) and compute the search keys again."""
    firsts = [(i, "female", name) for i, name in enumerate(GIRLS)]
    firsts += [(i, "male", name) for i, name in enumerate(BOYS)]
    began = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text("CREATE TEMPORARY TABLE bench_first (i INTEGER, sex VARCHAR(6), "
                                "name VARCHAR(40))"))  # fmt: skip
        connection.execute(text(f"INSERT INTO bench_first VALUES {_values(firsts)}"))
        connection.execute(text("CREATE TEMPORARY TABLE bench_family (i INTEGER, name "
                                "VARCHAR(40))"))  # fmt: skip
        families = list(enumerate(FAMILIES))
        connection.execute(text(f"INSERT INTO bench_family VALUES {_values(families)}"))
        connection.execute(text("CREATE TEMPORARY TABLE bench_coop (i INTEGER, name "
                                "VARCHAR(40))"))  # fmt: skip
        connection.execute(text(f"INSERT INTO bench_coop VALUES {_values(list(enumerate(COOPS)))}"))
        family = f"(SELECT name FROM bench_family WHERE i = (households.id * 13) % {len(FAMILIES)})"
        connection.execute(text(
            f"UPDATE households SET head_name = (SELECT name FROM bench_first WHERE sex = "
            f"'male' AND i = (households.id * 7) % {len(BOYS)}) || ' ' || {family}, "
            f"supply_unit = CASE WHEN households.id % 5 < 3 THEN 'Coop ' || (SELECT name "
            f"FROM bench_coop WHERE i = households.id % {len(COOPS)}) END"
        ))  # fmt: skip
        child_family = family.replace("households.id", "children.household_id")
        connection.execute(text(
            f"UPDATE children SET name = (SELECT name FROM bench_first WHERE sex = "
            f"children.sex AND i = (children.id * 31) % (CASE WHEN children.sex = 'female' "
            f"THEN {len(GIRLS)} ELSE {len(BOYS)} END)) || ' ' || {child_family}"
        ))  # fmt: skip
        print(f"named the people in {time.perf_counter() - began:.1f} s", flush=True)
        began = time.perf_counter()
        refresh_name_keys(connection)
    vacuum(engine, ["households", "children", "name_keys"])
    print(f"search keys computed in {time.perf_counter() - began:.1f} s", flush=True)


def add_schema(engine: Engine) -> None:
    """Add the tables, columns and indexes of the models that the database lacks."""
    from alembic.autogenerate import produce_migrations
    from alembic.migration import MigrationContext
    from alembic.operations import Operations, ops
    from alembic.script import ScriptDirectory

    from ipec.auth import models as _auth_models  # noqa: F401  (registers the tables)
    from ipec.db.base import Base
    from ipec.db.migrate import alembic_config

    with engine.begin() as connection:
        context = MigrationContext.configure(connection)
        script = produce_migrations(context, Base.metadata)
        indexes = text(
            "SELECT indexname FROM pg_indexes" if engine.dialect.name == "postgresql"
            else "SELECT name FROM sqlite_master WHERE type = 'index'"
        )  # fmt: skip
        operations = Operations(context)
        wanted = (ops.CreateTableOp, ops.AddColumnOp, ops.CreateIndexOp)
        pending: list[Any] = list(script.upgrade_ops.ops)  # type: ignore[union-attr]
        while pending:
            step = pending.pop(0)
            if isinstance(step, ops.ModifyTableOps):
                pending[:0] = step.ops
            elif isinstance(step, wanted):
                # an added column may have brought its index already
                existing = {name for (name,) in connection.execute(indexes)}
                if isinstance(step, ops.CreateIndexOp) and step.index_name in existing:
                    continue
                operations.invoke(step)
                name = getattr(step, "index_name", "") or getattr(step, "column", "")
                print(f"added {type(step).__name__}: {getattr(step, 'table_name', '')} {name}")
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


def _timed(run: Callable[[], Any], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20, method="inclusive")[18]


def _lists(engine: Engine, runs: int) -> float:
    """Time every list; the worst search p95."""
    with Session(engine) as session:
        users = {name: session.scalars(select(User).where(User.username == name)).one()
                 for name in ("supervisor", "admin")}  # fmt: skip
        who = {name: principal_of(session, user) for name, user in users.items()}
        region = session.scalars(select(Area.path).where(Area.level == "region")
                                 .order_by(Area.id)).first()  # fmt: skip
        district = who["supervisor"].scope_path
        sample = session.execute(
            select(Child.name, Child.pseudonym, Household.head_name)
            .join(Household, Household.id == Child.household_id)
            .join(Area, Area.id == Household.area_id)
            .where(Area.path.startswith(district)).order_by(Child.id).limit(1)
        ).one()  # fmt: skip
    first, family = sample.name.split(" ", 1)
    sound = {
        "Kouassi": "Kwasi",
        "Kouamé": "Kwame",
        "Koffi": "Kofi",
        "Kouadio": "Kwadwo",
        "Ouattara": "Wattara",
        "Coulibaly": "Koulibaly",
    }.get(family, family.upper())
    searches = [
        ("first and family name", f"{first} {family}"),
        ("family name", family),
        ("family name by sound", sound),
        ("prefix of the family name", family[:4]),
        ("pseudonym", sample.pseudonym.lower()),
        ("household head", sample.head_name),
    ]
    scopes = [("district", "supervisor", None), ("region", "admin", region),
              ("country", "admin", None)]  # fmt: skip
    print(f"district {district}, region {region}; child {sample.name!r}, head "
          f"{sample.head_name!r}; {runs} runs each")  # fmt: skip
    today = datetime.now(UTC).date()
    worst = 0.0

    def run(user: str, listing: Any) -> Callable[[], Any]:
        def once() -> Any:
            with Session(engine) as session:
                found = read_list(session, who[user], listing)
                session.rollback()
                return found

        return once

    cases: list[tuple[str, str, Any, bool]] = []
    for scope, user, path in scopes:
        for label, term in searches:
            cases.append((f"{scope}: children, {label}", user,
                          ChildList(ChildFilter(search=term, area_path=path), today,
                                    per_page=PER_PAGE), True))  # fmt: skip
        cases.append((f"{scope}: households, head", user,
                      HouseholdList(HouseholdFilter(search=sample.head_name, area_path=path),
                                    today, per_page=PER_PAGE), True))  # fmt: skip
        for label, filters in (
            ("children, page 1", ChildFilter(area_path=path)),
            ("children, open case", ChildFilter(area_path=path, open_case=True)),
            ("children, not visited 6 months", ChildFilter(area_path=path, not_visited_months=6)),
            ("children, girls 12-14", ChildFilter(area_path=path, sex=Sex.FEMALE, min_age=12,
                                                  max_age=14)),
        ):  # fmt: skip
            cases.append((f"{scope}: {label}", user,
                          ChildList(filters, today, per_page=PER_PAGE), False))  # fmt: skip
        cases.append((f"{scope}: children, page 20", user,
                      ChildList(ChildFilter(area_path=path), today, page=20, per_page=PER_PAGE),
                      False))  # fmt: skip
        cases.append((f"{scope}: households, page 1", user,
                      HouseholdList(HouseholdFilter(area_path=path), today, per_page=PER_PAGE),
                      False))  # fmt: skip
        cases.append((f"{scope}: households, open case", user,
                      HouseholdList(HouseholdFilter(area_path=path, open_case=True), today,
                                    per_page=PER_PAGE), False))  # fmt: skip
    for name, user, listing, search in cases:
        p50, p95 = _timed(run(user, listing), runs)
        if search:
            worst = max(worst, p95)
        print(f"{name:52s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms", flush=True)
    return worst


def _household_page(url: str, runs: int) -> float:
    """Time a household's page and its JSON peer for the supervisor and the administrator;
    the worst p95 of the page."""
    app = create_app(Settings(database_url=url, secret_key=secrets.token_hex(32),
                              dashboard_refresh_seconds=0))  # fmt: skip
    worst = 0.0
    for user in ("supervisor", "admin"):
        with TestClient(app, base_url="https://localhost") as client:
            client.post("/api/v1/session", json={"username": user, "password": DEMO_PASSWORD}
                        ).raise_for_status()  # fmt: skip
            first = client.get("/api/v1/cases", params={"per_page": 1}).json()["items"][0]
            household = first["child"]["household_id"]
            for path in (f"/households/{household}", f"/api/v1/households/{household}",
                         "/children?q=kwasi"):  # fmt: skip
                assert client.get(path).status_code == 200, path
                p50, p95 = _timed(lambda path=path: client.get(path), runs)  # type: ignore[misc]
                if path.startswith("/households"):
                    worst = max(worst, p95)
                print(f"{user}: {path:42s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms", flush=True)
    app.state.engine.dispose()
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--add-schema",
        action="store_true",
        help="add the tables, columns and indexes an older demo database lacks",
    )
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="name the demo's people and compute the search keys first",
    )
    args = parser.parse_args()
    engine = make_engine(args.url)
    if args.add_schema:
        add_schema(engine)
    if args.prepare:
        prepare(engine)
    searches = _lists(engine, args.runs)
    engine.dispose()
    page = _household_page(args.url, args.runs)
    print(f"worst search p95: {searches:.1f} ms (goal <= 100 ms); household page p95: "
          f"{page:.1f} ms (goal <= 200 ms)")  # fmt: skip


if __name__ == "__main__":
    main()

"""Writing the country: chunk after chunk in bulk, then what is derived from the records.

Columns are generated with NumPy and Polars a chunk of households at a time (so memory does
not grow with the country) and written by :mod:`ipec.db.bulk` (SQLite ``executemany``,
PostgreSQL ``COPY``), never row by row through the ORM. What the ORM would derive on each
write is derived set-wise by its owners: the copies of other records' columns as the rows
go in (:func:`ipec.monitoring.copies.insert_with_copies`), each child's and case's facts by
:mod:`ipec.monitoring.readmodel` once every record is in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.db.bulk import BulkWriter, Through, analyze, bulk_load, vacuum
from ipec.demo.boundaries import with_boundaries
from ipec.demo.chunk import COUNTED, Country, Frames, chunk
from ipec.demo.country import PARTNERS, Ids, areas, partners
from ipec.demo.size import DemoSize
from ipec.demo.verdicts import Verdicts
from ipec.demo.work import Work
from ipec.errors import DataError
from ipec.monitoring.copies import insert_with_copies
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule
from ipec.monitoring.models import Area, Case, FollowUp, Partner, Visit
from ipec.monitoring.readmodel import refresh_case_facts, refresh_child_facts
from ipec.monitoring.search_keys import refresh_name_keys
from ipec.monitoring.service import assign_area_monitor
from ipec.standards import Profile

__all__ = [
    "CHUNK_HOUSEHOLDS",
    "DEMO_PARTNER",
    "DEMO_PASSWORD",
    "DEMO_SIZE",
    "Progress",
    "seed_database",
    "seed_demo",
]

DEMO_PASSWORD = "demo-password-2026"
#: The partner whose user (``partner``) the demo makes: most referrals go to it.
DEMO_PARTNER = "Social Welfare Department"
#: Households generated and written per chunk: about 50,000 children and their visits,
#: which bounds memory whatever the size of the country.
CHUNK_HOUSEHOLDS = 20_000
#: Called after each chunk with (households written, households in all).
Progress = Callable[[int, int], None]

#: The documented demo's size.
DEMO_SIZE = DemoSize()
#: The tables the seeder writes in bulk, parents first.
_TABLES = ("areas", "partners", "households", "children", "visits", "cases", "case_events",
           "services", "referrals", "follow_ups")  # fmt: skip
#: The tables whose rows copy other records' columns (``ipec.monitoring.copies``).
_COPYING: dict[str, type[Visit | Case | FollowUp]] = {
    "visits": Visit,
    "cases": Case,
    "follow_ups": FollowUp,
}
#: What is computed from the records once they are written (facts, search keys of names).
_FACTS = ("child_facts", "case_facts", "name_keys")


def _write_chunks(
    country: Country, writer: BulkWriter, step: int, progress: Progress | None
) -> None:
    """Generate chunk after chunk while a second thread writes the previous one: Polars,
    NumPy and the database (a server process, or SQLite between rows) work without the
    interpreter lock, so on two cores generating and writing overlap. At most two chunks
    are in memory; a failed write stops the loop and is raised here."""
    total = country.size.households
    sizes = [min(step, total - start) for start in range(0, total, step)]
    written = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ipec-seed") as pool:
        pending: Future[None] | None = None
        for number, households in enumerate(sizes):
            frames = chunk(country, households, number)
            if pending is not None:
                pending.result()
                written += sizes[number - 1]
                if progress is not None:
                    progress(written, total)
            pending = pool.submit(_write, writer, frames)
        if pending is not None:
            pending.result()
            if progress is not None:
                progress(total, total)


def _write(writer: BulkWriter, frames: Frames) -> None:
    for table, frame in frames:
        writer.write(table, frame, through=_through(table))


def _through(table: str) -> Through | None:
    """How the rows of ``table`` get their copies of other records' columns, if it has any."""
    model = _COPYING.get(table)
    if model is None:
        return None

    def move(connection: Connection, staged: str, columns: Sequence[str]) -> None:
        insert_with_copies(connection, model, staged=staged, columns=columns)

    return move


def _empty(session: Session) -> None:
    """Refuse a database with areas (every household, child and user hangs off one) or
    partners (their names would clash)."""
    for model, what in ((Area, "areas"), (Partner, "partners")):
        if session.scalar(select(func.count()).select_from(model)):
            raise DataError(
                f"the database already has {what}: the demo fills an empty database",
                hint="use a new database (ipec db upgrade on an empty one)",
            )


def seed_demo(
    session: Session,
    profile: Profile,
    *,
    size: DemoSize = DEMO_SIZE,
    today: date,
    progress: Progress | None = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
    rule: FollowUpRule = DEFAULT_RULE,
) -> dict[str, int]:
    """Fill an empty, migrated database with the synthetic country as it stands on
    ``today`` (two years of history), in the session's transaction (the caller commits);
    returns the count of each kind of record."""
    _empty(session)
    connection = session.connection()
    with bulk_load(connection, _TABLES) as writer:
        ids = Ids({table: writer.next_id(table) for table in _TABLES})
        made = areas(size, ids)
        writer.write("areas", with_boundaries(made.frame, size))
        partner_rows, partner_ids = partners(ids)
        writer.write("partners", partner_rows)
        country = Country(
            size=size, profile=profile, today=today, ids=ids, areas=made,
            partners=partner_ids, work=Work(profile), verdicts=Verdicts(profile),
            counts=dict.fromkeys(COUNTED, 0), rule=rule,
        )  # fmt: skip
        _write_chunks(country, writer, max(1, chunk_households), progress)
    # Every child's and case's facts in one statement each, once the records are indexed;
    # then the planner's statistics of their tables and indexes.
    refresh_child_facts(connection)
    refresh_case_facts(connection)
    refresh_name_keys(connection)
    analyze(connection, _FACTS)
    accounts = [
        ("admin", Role.ADMIN, made.country),
        ("manager", Role.PROGRAMME_MANAGER, made.country),
        ("supervisor", Role.SUPERVISOR, made.districts[0]),
        ("monitor", Role.MONITOR, made.districts[0]),
        ("viewer", Role.VIEWER, made.country),
    ]
    users = {
        name: create_user(
            session,
            username=name,
            display_name=name.capitalize(),
            password=DEMO_PASSWORD,
            role=role,
            area_id=area,
        )
        for name, role, area in accounts
    }
    # A partner user of the social services, who answer the referrals sent to them.
    users["partner"] = create_user(session, username="partner", display_name="Social welfare",
                                   password=DEMO_PASSWORD, role=Role.PARTNER, area_id=None,
                                   partner_id=partner_ids[DEMO_PARTNER])  # fmt: skip
    session.flush()
    # The demo monitor's week is its district's follow-ups, as a supervisor would assign them.
    assign_area_monitor(session, area_id=made.districts[0], user_id=users["monitor"].id,
                        actor="supervisor")  # fmt: skip
    return {"areas": made.frame.height, "partners": len(PARTNERS), **country.counts}


def seed_database(
    engine: Engine,
    profile: Profile,
    *,
    size: DemoSize = DEMO_SIZE,
    today: date,
    progress: Progress | None = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
    rule: FollowUpRule = DEFAULT_RULE,
) -> dict[str, int]:
    """Seed an empty, migrated database in one transaction (all of it or nothing), then
    leave it ready for queries (on PostgreSQL, the tables are vacuumed after the commit)."""
    with Session(engine) as session, session.begin():
        counts = seed_demo(session, profile, size=size, today=today, progress=progress,
                           chunk_households=chunk_households, rule=rule)  # fmt: skip
    vacuum(engine, (*_TABLES, *_FACTS))
    return counts

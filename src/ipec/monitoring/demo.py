"""A synthetic country for demonstrations and load tests: areas, partners, households,
children, visits (classified in bulk by ``ipec.classify``), cases, services, referrals,
follow-ups and demo accounts. Nothing here is real data.

One seeder serves every size, from the 50,000-child demo to a million children: columns are
generated with NumPy and Polars a chunk of households at a time (so memory does not grow
with the country) and written by :mod:`ipec.db.bulk` (SQLite ``executemany``, PostgreSQL
``COPY``), never row by row through the ORM.

The rows follow the service rules: visits fall after birth and not after ``today``; the age
at a visit is the age on that date; a case exists only for a child found in child labour at
a visit and opens on the first such visit; services start no earlier than the case opened;
follow-ups are due per :func:`ipec.monitoring.followup.due_dates` from the start of
remediation up to closure (or ``today``); every worst-form case has a live referral.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.classify import REASON_COLUMNS, Reason, classify, reason_column
from ipec.classify.explain import explain_row
from ipec.classify.record import HAZARD_COLUMNS
from ipec.db.bulk import BulkWriter, analyze, bulk_load, vacuum
from ipec.errors import DataError
from ipec.monitoring.followup import due_dates
from ipec.monitoring.models import (
    Area,
    CaseKind,
    CaseStatus,
    Partner,
    PartnerKind,
    ReferralStatus,
    ServiceType,
    Sex,
)
from ipec.monitoring.readmodel import refresh_case_facts, refresh_child_facts
from ipec.standards import Profile

__all__ = ["DEMO_PASSWORD", "DemoSize", "Progress", "seed_database", "seed_demo"]

DEMO_PASSWORD = "demo-password-2026"
#: Households generated and written per chunk: about 50,000 children and their visits,
#: which bounds memory whatever the size of the country.
CHUNK_HOUSEHOLDS = 20_000
#: Called after each chunk with (households written, households in all).
Progress = Callable[[int, int], None]
#: One chunk's rows: (table, frame) in the order they are written, parents first.
_Frames = list[tuple[str, pl.DataFrame]]

_HAZARD_NAMES = ("heavy_loads", "dangerous_tools", "dust_fumes", "heights", "chemicals")
_PARTNERS = (
    ("Labour Inspectorate", PartnerKind.GOVERNMENT),
    ("Social Welfare Department", PartnerKind.GOVERNMENT),
    ("Children First NGO", PartnerKind.NGO),
    ("Cocoa Cooperative Union", PartnerKind.COMPANY),
    ("Teachers' Union", PartnerKind.WORKERS),
)
#: Case statuses drawn for new cases, with their shares (before the date rules adjust them).
_STATUSES = (
    (CaseStatus.IDENTIFIED, 0.15),
    (CaseStatus.ACTION_PLANNED, 0.10),
    (CaseStatus.IN_REMEDIATION, 0.30),
    (CaseStatus.UNDER_FOLLOW_UP, 0.25),
    (CaseStatus.CLOSED, 0.20),
)
_REMEDIATED = (CaseStatus.IN_REMEDIATION, CaseStatus.UNDER_FOLLOW_UP, CaseStatus.CLOSED)
#: Distinct service types per remediated case: 1 to 5, with these shares.
_SERVICE_COUNT_SHARES = (0.35, 0.30, 0.20, 0.10, 0.05)
#: Every field of a classified row that ``explain_row`` reads: the explanation is a function
#: of these values alone, so it is computed once per distinct combination.
_EXPLAIN_READS = (
    "in_scope",
    "age",
    "economic_hours",
    "in_economic_activity",
    "in_chores",
    "chores_hours_total",
    "child_labour",
    "safeguards",
    "isic",
    "isco",
    *REASON_COLUMNS,
    *HAZARD_COLUMNS,
)
_FOLLOW_UP_MATCH = timedelta(days=30)
#: The tables the seeder writes in bulk, parents first.
_TABLES = ("areas", "partners", "households", "children", "visits", "cases", "services",
           "referrals", "follow_ups")  # fmt: skip
#: The facts the seeder computes from the records once they are written.
_FACTS = ("child_facts", "case_facts")


@dataclass(frozen=True, slots=True)
class DemoSize:
    """How big the synthetic country is (the default is the documented demo: about 50,000
    children and 100,000 visits over two years).

    ``DemoSize(households=400_000, visits_per_child=3)`` gives about a million children and
    three million visits. The same size (seed included) always gives the same data.
    """

    regions: int = 5
    districts_per_region: int = 10
    communities_per_district: int = 10
    households: int = 20_000
    children_per_household: float = 2.5
    visits_per_child: int = 2
    seed: int = 2026

    def __post_init__(self) -> None:
        if min(self.regions, self.districts_per_region, self.communities_per_district) < 1:
            raise DataError("a demo needs at least one region, district and community each")
        if self.households < 1:
            raise DataError("a demo needs at least one household")
        if not 1 <= self.children_per_household <= 20:
            raise DataError("children per household must be between 1 and 20")
        if not 1 <= self.visits_per_child <= 12:
            raise DataError("visits per child must be between 1 and 12 (two years of visits)")

    @classmethod
    def for_children(cls, children: int, **options: Any) -> DemoSize:
        """The size with about ``children`` children (households at the mean per household)."""
        size = cls(**options)
        return replace(size, households=max(1, round(children / size.children_per_household)))


@dataclass(slots=True)
class _Ids:
    """The next free id of each table: the seeder gives ids itself, so parents and their
    children are written in one pass without reading ids back."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str, count: int) -> np.ndarray[Any, np.dtype[np.int64]]:
        first = self.next[table]
        self.next[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)


@dataclass(slots=True)
class _Verdicts:
    """The reasons (JSON text) and explanation of each classified row, exactly as a visit
    recorded one by one stores them (``json.dumps`` of the reason codes; ``explain_row``
    in sentences), computed once per distinct combination of the fields ``explain_row``
    reads (about 150,000 combinations for three million visits), then joined back."""

    profile: Profile
    known: pl.DataFrame | None = None

    def texts(self, verdicts: pl.DataFrame) -> pl.DataFrame:
        """Columns ``reasons`` and ``explanation``, row for row with ``verdicts``."""
        keys = [name for name in _EXPLAIN_READS if name in verdicts.columns]
        distinct = verdicts.select(keys).unique()
        if self.known is not None:
            distinct = distinct.join(self.known, on=keys, how="anti", nulls_equal=True)
        reasons, explanations = [], []
        for row in distinct.iter_rows(named=True):
            reasons.append(json.dumps([r.value for r in Reason if row[reason_column(r)]]))
            findings = explain_row(row, self.profile)
            explanations.append(" ".join(f.text[0].upper() + f.text[1:] + "." for f in findings))
        fresh = distinct.with_columns(
            pl.Series("reasons", reasons, dtype=pl.String),
            pl.Series("explanation", explanations, dtype=pl.String),
        )
        self.known = fresh if self.known is None else pl.concat([self.known, fresh])
        found = verdicts.select(keys).join(
            self.known, on=keys, how="left", nulls_equal=True, maintain_order="left"
        )
        return found.select("reasons", "explanation")


def _days(day: date, offsets: np.ndarray[Any, Any]) -> pl.Series:
    """``day`` plus each offset in days, as a Polars Date column."""
    return pl.Series(np.datetime64(day, "D") + offsets.astype("timedelta64[D]"))


def _age_at(visit: pl.Expr, birth: pl.Expr) -> pl.Expr:
    """Completed years on the visit date (the service's rule, vectorised)."""

    def month_day(day: pl.Expr) -> pl.Expr:
        # Polars gives months and days as Int8: widen before multiplying.
        return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)

    before_birthday = month_day(visit) < month_day(birth)
    years = visit.dt.year().cast(pl.Int64) - birth.dt.year().cast(pl.Int64)
    return years - before_birthday.cast(pl.Int64)


def _records(rng: np.random.Generator, ages: np.ndarray[Any, Any]) -> pl.DataFrame:
    """Canonical child records with plausible work, chores and hazards."""
    n = ages.size
    working = rng.random(n) < 0.15 + 0.02 * np.clip(ages - 5, 0, None)
    hours = np.where(working, np.minimum(np.round(rng.gamma(1.7, 9.0, n)), 70), np.nan)
    chores = rng.random(n) < 0.7
    columns: dict[str, Any] = {
        "age": ages,
        "econ_any": working,
        "econ_hours": pl.Series(hours).fill_nan(None),
        "chores_any": chores,
        "chores_hours": pl.Series(np.where(chores, np.round(rng.gamma(2, 6, n)), np.nan)).fill_nan(
            None
        ),
        "wfcl_other": working & (rng.random(n) < 0.01),
    }
    for name in _HAZARD_NAMES:
        columns[f"haz_{name}"] = working & (rng.random(n) < 0.1)
    return pl.DataFrame(columns)


def _areas(size: DemoSize, ids: _Ids) -> tuple[pl.DataFrame, int, list[int]]:
    """The hierarchy: country > regions > districts > communities, with materialised paths."""
    rows: list[tuple[int, int | None, str, str, str]] = []

    def add(name: str, level: str, parent: tuple[int, str] | None) -> tuple[int, str]:
        area_id = int(ids.take("areas", 1)[0])
        path = f"{parent[1] if parent else '/'}{area_id}/"
        rows.append((area_id, parent[0] if parent else None, name, level, path))
        return area_id, path

    country = add("Demoland", "country", None)
    districts: list[int] = []
    for r in range(size.regions):
        region = add(f"Region {r + 1}", "region", country)
        for d in range(size.districts_per_region):
            district = add(f"District {r + 1}.{d + 1}", "district", region)
            districts.append(district[0])
            for c in range(size.communities_per_district):
                add(f"Community {r + 1}.{d + 1}.{c + 1}", "community", district)
    frame = pl.DataFrame(
        rows,
        schema={"id": pl.Int64, "parent_id": pl.Int64, "name": pl.String, "level": pl.String,
                "path": pl.String},
        orient="row",
    )  # fmt: skip
    return frame, country[0], districts


def _visit_gap(visits_per_child: int) -> int:
    """Days between a child's visits: about six months, all within the last two years."""
    return min(180, 364 // max(visits_per_child - 1, 1))


@dataclass(slots=True)
class _Country:
    """What every chunk needs: the size, the profile, ids, communities and partners."""

    size: DemoSize
    profile: Profile
    today: date
    ids: _Ids
    communities: np.ndarray[Any, np.dtype[np.int64]]
    partners: dict[str, int]
    verdicts: _Verdicts
    counts: dict[str, int]


def _chunk(country: _Country, households: int, seed: int) -> _Frames:
    """``households`` households with their children, visits, cases, services, referrals and
    follow-ups: the frames to write, parents first."""
    out: _Frames = []
    rng = np.random.default_rng([country.size.seed, seed])
    size, today, ids = country.size, country.today, country.ids
    household_ids = ids.take("households", households)
    household_areas = rng.choice(country.communities, households)
    frame = pl.DataFrame({"id": household_ids, "area_id": household_areas}).with_columns(
        head_name=pl.format("Household {}", "id"), version=pl.lit(1)
    )
    out.append(("households", frame))

    per_house = rng.poisson(size.children_per_household - 1, households) + 1
    owners = np.repeat(household_ids, per_house)
    child_areas = np.repeat(household_areas, per_house)
    n_children = owners.size
    child_ids = ids.take("children", n_children)
    birth = _days(today, -rng.integers(5 * 365, 17 * 365, n_children))
    sexes = np.array([Sex.MALE.value, Sex.FEMALE.value])[rng.integers(0, 2, n_children)]
    children = pl.DataFrame(
        {"id": child_ids, "household_id": owners, "sex": sexes, "birth_date": birth}
    ).with_columns(
        pseudonym=pl.concat_str(pl.lit("D-"), pl.col("id").cast(pl.String).str.zfill(7)),
        name=pl.format("Child {}", "id"),
        version=pl.lit(1),
    )
    out.append(("children", children))

    visits = _visits(country, out, rng, children, child_areas)
    cases = _cases(country, out, rng, visits, children)
    _services_referrals_follow_ups(country, out, rng, cases, visits)
    country.counts["households"] += households
    country.counts["children"] += n_children
    return out


def _visits(
    country: _Country,
    out: _Frames,
    rng: np.random.Generator,
    children: pl.DataFrame,
    areas: np.ndarray[Any, np.dtype[np.int64]],
) -> pl.DataFrame:
    """Each child's visits over the last two years, classified under the profile (``areas``:
    each child's household's area, in the order of ``children``)."""
    k = country.size.visits_per_child
    n_children = children.height
    child_index = np.repeat(np.arange(n_children), k)
    number = np.tile(np.arange(k), n_children)
    n_visits = child_index.size
    gap = _visit_gap(k)
    first = rng.integers(365, 730, n_children)
    jitter = np.where(number > 0, rng.integers(0, max(gap // 6, 1), n_visits), 0)
    offset = -first[child_index] + number * gap - jitter
    frame = pl.DataFrame(
        {
            "id": country.ids.take("visits", n_visits),
            "child_id": children["id"].to_numpy()[child_index],
            "area_id": areas[child_index],
            "visit_date": _days(country.today, offset),
            "birth": children["birth_date"].to_numpy()[child_index],
        }
    ).with_columns(age=_age_at(pl.col("visit_date"), pl.col("birth")))
    records = _records(rng, frame["age"].to_numpy())
    # At later visits many children have stopped working (what remediation aims for).
    stopped = pl.Series((number > 0) & (rng.random(n_visits) < 0.6))
    work_columns = ["econ_any", "wfcl_other", *(f"haz_{name}" for name in _HAZARD_NAMES)]
    records = records.with_columns(
        *(pl.when(stopped).then(False).otherwise(pl.col(c)).alias(c) for c in work_columns),
        pl.when(stopped).then(None).otherwise(pl.col("econ_hours")).alias("econ_hours"),
    )
    verdicts = classify(records, country.profile)
    texts = country.verdicts.texts(verdicts)
    profile = country.profile
    table = frame.select(
        "id",
        "child_id",
        "area_id",
        "visit_date",
        "age",
        monitor=pl.format("monitor-{}", (pl.col("id") - 1) % 50 + 1),
        consent=pl.lit(True),
        record=records.select(pl.struct(pl.all()).struct.json_encode()).to_series(),
        profile_id=pl.lit(profile.id),
        profile_version=pl.lit(profile.version),
        status=verdicts["work_status"].cast(pl.String),
        reasons=texts["reasons"],
        explanation=texts["explanation"],
        child_labour=verdicts["child_labour"],
        hazardous_work=verdicts["hazardous_work"],
    )
    out.append(("visits", table))
    country.counts["visits"] += n_visits
    return table.select(
        "id", "child_id", "area_id", "visit_date", "child_labour", "hazardous_work",
        worst=verdicts[reason_column(Reason.WFCL_OTHER)],
    )  # fmt: skip


def _cases(
    country: _Country,
    out: _Frames,
    rng: np.random.Generator,
    visits: pl.DataFrame,
    children: pl.DataFrame,
) -> pl.DataFrame:
    """One case per child found in child labour, opened on the first such visit (with the
    child's sex and birth date copied from ``children``).

    The status is drawn, then made possible: no remediation before it can have started,
    closure only after a visit found the child out of child labour at least 90 days after
    remediation started (the case closes that day).
    """
    today = country.today
    per_child = (
        visits.sort("visit_date")
        .group_by("child_id", maintain_order=True)
        .agg(
            area_id=pl.col("area_id").first(),
            opened_on=pl.col("visit_date").filter(pl.col("child_labour")).first(),
            worst_forms=pl.col("worst").any(),
            hazardous=pl.col("hazardous_work").any(),
            last_visit=pl.col("visit_date").last(),
            last_in_labour=pl.col("child_labour").last(),
        )
        .filter(pl.col("opened_on").is_not_null())
        .join(
            children.select(pl.col("id").alias("child_id"), "sex", "birth_date"),
            on="child_id",
            how="left",
        )
        .sort("child_id")
    )
    n = per_child.height
    drawn = rng.choice(len(_STATUSES), n, p=[share for _, share in _STATUSES])
    start_offset = 14 + rng.integers(0, 30, n)
    codes = {status: i for i, (status, _) in enumerate(_STATUSES)}
    frame = per_child.with_columns(
        id=pl.Series(country.ids.take("cases", n)),
        drawn=pl.Series(drawn),
        remediation_start=pl.col("opened_on") + pl.duration(days=pl.lit(pl.Series(start_offset))),
    )
    started = pl.col("remediation_start") <= pl.lit(today)
    closable = ~pl.col("last_in_labour") & (
        pl.col("last_visit") >= pl.col("remediation_start") + pl.duration(days=90)
    )
    drawn_code = pl.col("drawn")
    status_code = (
        pl.when(~started & (drawn_code > codes[CaseStatus.ACTION_PLANNED]))
        .then(codes[CaseStatus.ACTION_PLANNED])
        .when((drawn_code == codes[CaseStatus.CLOSED]) & ~closable)
        .then(codes[CaseStatus.UNDER_FOLLOW_UP])
        .otherwise(drawn_code)
    )
    names = pl.Series([status.value for status, _ in _STATUSES])
    frame = frame.with_columns(status=status_code).with_columns(
        status=pl.col("status").replace_strict(list(range(len(names))), names),
        closed_on=pl.when(pl.col("status") == codes[CaseStatus.CLOSED]).then(pl.col("last_visit")),
    )
    table = frame.select(
        "id", "child_id", "area_id", kind=pl.lit(CaseKind.CHILD_LABOUR.value), status="status",
        worst_forms="worst_forms", hazardous="hazardous", opened_on="opened_on",
        closed_on="closed_on", version=pl.lit(1), child_sex="sex", child_birth_date="birth_date",
    )  # fmt: skip
    out.append(("cases", table))
    country.counts["cases"] += n
    return frame.select(
        "id", "child_id", "area_id", "status", "worst_forms", "opened_on", "remediation_start",
        "closed_on",
    )  # fmt: skip


def _services_referrals_follow_ups(
    country: _Country,
    out: _Frames,
    rng: np.random.Generator,
    cases: pl.DataFrame,
    visits: pl.DataFrame,
) -> None:
    """Services and follow-ups for cases in remediation or beyond; referrals for every
    worst-form case and a fifth of the others."""
    today, partners = country.today, country.partners
    remediated = cases.filter(pl.col("status").is_in([s.value for s in _REMEDIATED])).with_columns(
        until=pl.coalesce("closed_on", pl.lit(today))
    )
    n = remediated.height
    # Distinct service types per case: the first k of a random permutation of all types.
    types = np.array([t.value for t in ServiceType])
    shares = _SERVICE_COUNT_SHARES
    per_case = rng.choice(np.arange(1, len(shares) + 1), n, p=shares)
    permutation = np.argsort(rng.random((n, types.size)), axis=1)
    case_index = np.repeat(np.arange(n), per_case)
    slot = np.arange(case_index.size) - np.repeat(np.cumsum(per_case) - per_case, per_case)
    later = np.where(slot > 0, rng.integers(0, 90, case_index.size), 0)
    providers = np.array([partners[name] for name, _ in _PARTNERS[1:]])
    services = pl.DataFrame(
        {
            "case_id": remediated["id"].to_numpy()[case_index],
            "type": types[permutation[case_index, slot]],
            "partner_id": providers[rng.integers(0, providers.size, case_index.size)],
            "start": remediated["remediation_start"].to_numpy()[case_index],
            "until": remediated["until"].to_numpy()[case_index],
            "later": later,
        }
    ).select(
        pl.Series("id", country.ids.take("services", case_index.size)),
        "case_id",
        "type",
        "partner_id",
        started_on=pl.min_horizontal(pl.col("start") + pl.duration(days="later"), "until"),
    )
    out.append(("services", services))
    country.counts["services"] += services.height

    worst = cases["worst_forms"].to_numpy()
    referred = cases.filter(pl.Series(worst | (rng.random(cases.height) < 0.2)))
    m = referred.height
    is_worst = referred["worst_forms"].to_numpy()
    live = np.array([s.value for s in (ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                                        ReferralStatus.DONE)])  # fmt: skip
    other = np.array([*live, ReferralStatus.REJECTED.value])
    status = np.where(
        is_worst,
        live[rng.choice(3, m, p=[0.2, 0.6, 0.2])],
        other[rng.choice(4, m, p=[0.3, 0.4, 0.15, 0.15])],
    )
    referrals = referred.select(
        pl.Series("id", country.ids.take("referrals", m)),
        case_id="id",
        partner_id=pl.Series(
            np.where(
                is_worst, partners["Labour Inspectorate"], partners["Social Welfare Department"]
            )
        ),
        consent=pl.Series(~is_worst | (rng.random(m) < 0.8)),
        status=pl.Series(status.astype(str)),
        reason=pl.Series(np.where(is_worst, "worst form of child labour", "support")),
        sent_on=pl.min_horizontal(
            pl.col("opened_on") + pl.duration(days=pl.lit(pl.Series(rng.integers(0, 4, m)))),
            pl.lit(today),
        ),
    )
    out.append(("referrals", referrals))
    country.counts["referrals"] += m

    follow_ups = _follow_ups(remediated, visits)
    ids = pl.Series("id", country.ids.take("follow_ups", follow_ups.height))
    out.append(("follow_ups", follow_ups.select(ids, "case_id", "area_id", "due_on", "visit_id")))
    country.counts["follow_ups"] += follow_ups.height


def _follow_ups(remediated: pl.DataFrame, visits: pl.DataFrame) -> pl.DataFrame:
    """The follow-ups ``due_dates`` gives each case (one call per distinct start and end),
    each marked done by the child's visit within 30 days of its due date, if any."""
    spans = remediated.select("remediation_start", "until").unique()
    dates = [due_dates(start, until) for start, until in spans.iter_rows()]
    schedule = spans.with_columns(due_on=pl.Series(dates, dtype=pl.List(pl.Date))).explode("due_on")
    due = (
        remediated.select(
            pl.col("id").alias("case_id"), "area_id", "child_id", "remediation_start", "until"
        )
        .join(schedule, on=["remediation_start", "until"], how="inner")
        .drop_nulls("due_on")
        .sort("due_on")
    )
    seen = visits.select(pl.col("id").alias("visit_id"), "child_id", "visit_date").sort(
        "visit_date"
    )
    matched = due.join_asof(
        seen,
        left_on="due_on",
        right_on="visit_date",
        by="child_id",
        strategy="nearest",
        tolerance=_FOLLOW_UP_MATCH,
        check_sortedness=False,
    )
    return matched.sort("case_id", "due_on")


def _write_chunks(
    country: _Country, writer: BulkWriter, step: int, progress: Progress | None
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
            frames = _chunk(country, households, number)
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


def _write(writer: BulkWriter, frames: _Frames) -> None:
    for table, frame in frames:
        writer.write(table, frame)


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
    size: DemoSize = DemoSize(),
    today: date,
    progress: Progress | None = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
) -> dict[str, int]:
    """Fill an empty, migrated database with the synthetic country, in the session's
    transaction (the caller commits); returns the count of each kind of record."""
    _empty(session)
    with bulk_load(session.connection(), _TABLES) as writer:
        ids = _Ids({table: writer.next_id(table) for table in _TABLES})
        areas, country_id, districts = _areas(size, ids)
        writer.write("areas", areas)
        partner_ids = ids.take("partners", len(_PARTNERS))
        writer.write(
            "partners",
            pl.DataFrame(
                {"id": partner_ids, "name": [name for name, _ in _PARTNERS],
                 "kind": [kind.value for _, kind in _PARTNERS]}
            ),
        )  # fmt: skip
        country = _Country(
            size=size,
            profile=profile,
            today=today,
            ids=ids,
            communities=areas.filter(pl.col("level") == "community")["id"].to_numpy(),
            partners={name: int(i) for (name, _), i in zip(_PARTNERS, partner_ids, strict=True)},
            verdicts=_Verdicts(profile),
            counts=dict.fromkeys(
                ("households", "children", "visits", "cases", "services", "referrals",
                 "follow_ups"), 0
            ),
        )  # fmt: skip
        _write_chunks(country, writer, max(1, chunk_households), progress)
    # Every child's and case's facts in one statement each, once the records are indexed;
    # then the planner's statistics of their tables and indexes.
    refresh_child_facts(session.connection())
    refresh_case_facts(session.connection())
    analyze(session.connection(), _FACTS)
    accounts = [
        ("admin", Role.ADMIN, country_id),
        ("manager", Role.PROGRAMME_MANAGER, country_id),
        ("supervisor", Role.SUPERVISOR, districts[0]),
        ("monitor", Role.MONITOR, districts[0]),
        ("viewer", Role.VIEWER, country_id),
    ]
    for name, role, area in accounts:
        create_user(session, username=name, display_name=name.capitalize(),
                    password=DEMO_PASSWORD, role=role, area_id=area)  # fmt: skip
    session.flush()
    return {"areas": areas.height, "partners": len(_PARTNERS), **country.counts}


def seed_database(
    engine: Engine,
    profile: Profile,
    *,
    size: DemoSize = DemoSize(),
    today: date,
    progress: Progress | None = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
) -> dict[str, int]:
    """Seed an empty, migrated database in one transaction (all of it or nothing), then
    leave it ready for queries (on PostgreSQL, the tables are vacuumed after the commit)."""
    with Session(engine) as session, session.begin():
        counts = seed_demo(session, profile, size=size, today=today, progress=progress,
                           chunk_households=chunk_households)  # fmt: skip
    vacuum(engine, (*_TABLES, *_FACTS))
    return counts

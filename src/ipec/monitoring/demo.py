"""A synthetic country for demonstrations: areas, partners, households, children, two years of
visits (classified in bulk by ``ipec.classify``), cases, services, referrals, follow-ups and
demo accounts. Nothing here is real data; rows are inserted in bulk, not one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.classify import Reason, classify, reason_column
from ipec.classify.explain import explain_row
from ipec.monitoring.followup import due_dates
from ipec.monitoring.models import (
    Area,
    Case,
    CaseKind,
    CaseStatus,
    Child,
    FollowUp,
    Household,
    Partner,
    PartnerKind,
    Referral,
    ReferralStatus,
    RemediationService,
    ServiceType,
    Sex,
    Visit,
)
from ipec.standards import Profile

__all__ = ["DEMO_PASSWORD", "DemoSize", "seed_demo"]

DEMO_PASSWORD = "demo-password-2026"
_HAZARD_NAMES = ("heavy_loads", "dangerous_tools", "dust_fumes", "heights", "chemicals")


@dataclass(frozen=True, slots=True)
class DemoSize:
    """How big the synthetic country is (the default is the documented demo)."""

    regions: int = 5
    districts_per_region: int = 10
    communities_per_district: int = 10
    households: int = 20_000
    children_per_household: float = 2.5
    seed: int = 2026


def _areas(session: Session, size: DemoSize) -> tuple[int, list[int], list[int]]:
    country = Area(name="Demoland", level="country", path="")
    session.add(country)
    session.flush()
    country.path = f"/{country.id}/"
    districts: list[int] = []
    communities: list[int] = []
    for r in range(size.regions):
        region = Area(name=f"Region {r + 1}", level="region", parent_id=country.id, path="")
        session.add(region)
        session.flush()
        region.path = f"{country.path}{region.id}/"
        for d in range(size.districts_per_region):
            district = Area(name=f"District {r + 1}.{d + 1}", level="district",
                            parent_id=region.id, path="")  # fmt: skip
            session.add(district)
            session.flush()
            district.path = f"{region.path}{district.id}/"
            districts.append(district.id)
            for c in range(size.communities_per_district):
                community = Area(name=f"Community {r + 1}.{d + 1}.{c + 1}", level="community",
                                 parent_id=district.id, path="")  # fmt: skip
                session.add(community)
                session.flush()
                community.path = f"{district.path}{community.id}/"
                communities.append(community.id)
    return country.id, districts, communities


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


def seed_demo(
    session: Session, profile: Profile, *, size: DemoSize = DemoSize(), today: date
) -> dict[str, int]:
    """Fill an empty, migrated database with the synthetic country; returns the counts."""
    rng = np.random.default_rng(size.seed)
    country_id, districts, communities = _areas(session, size)
    partners = [
        Partner(name="Labour Inspectorate", kind=PartnerKind.GOVERNMENT),
        Partner(name="Social Welfare Department", kind=PartnerKind.GOVERNMENT),
        Partner(name="Children First NGO", kind=PartnerKind.NGO),
        Partner(name="Cocoa Cooperative Union", kind=PartnerKind.COMPANY),
        Partner(name="Teachers' Union", kind=PartnerKind.WORKERS),
    ]
    session.add_all(partners)
    session.flush()

    area_of_household = rng.choice(communities, size.households)
    session.execute(
        insert(Household),
        [{"area_id": int(a), "head_name": f"Household {i + 1}", "version": 1}
         for i, a in enumerate(area_of_household)],
    )  # fmt: skip
    household_ids = list(session.scalars(select(Household.id).order_by(Household.id)))
    per_house = rng.poisson(size.children_per_household - 1, len(household_ids)) + 1
    owners = np.repeat(np.array(household_ids), per_house)
    n_children = owners.size
    birth = [today - timedelta(days=int(d)) for d in rng.integers(5 * 365, 17 * 365, n_children)]
    sexes = rng.choice([Sex.MALE.value, Sex.FEMALE.value], n_children)
    session.execute(
        insert(Child),
        [{"household_id": int(h), "pseudonym": f"D-{i + 1:07d}", "name": f"Child {i + 1}",
          "sex": s, "birth_date": b, "version": 1}
         for i, (h, s, b) in enumerate(zip(owners, sexes, birth, strict=True))],
    )  # fmt: skip
    children = session.execute(select(Child.id, Child.birth_date).order_by(Child.id)).all()

    first_days = [today - timedelta(days=int(d)) for d in rng.integers(365, 730, len(children))]
    visit_days = first_days + [d + timedelta(days=180) for d in first_days]
    child_ids = [c.id for c in children] * 2
    births = [c.birth_date for c in children] * 2
    ages = np.array([
        day.year - b.year - ((day.month, day.day) < (b.month, b.day))
        for day, b in zip(visit_days, births, strict=True)
    ])  # fmt: skip
    records = _records(rng, ages)
    second = np.arange(len(child_ids)) >= len(children)
    records = records.with_columns(
        pl.when(pl.Series(second) & (pl.Series(rng.random(len(child_ids))) < 0.6))
        .then(False).otherwise(pl.col("econ_any")).alias("econ_any")
    )  # fmt: skip
    verdicts = classify(records, profile)
    rows = []
    for i, row in enumerate(verdicts.iter_rows(named=True)):
        reasons = [r.value for r in Reason if row[reason_column(r)]]
        explanation = " ".join(
            f.text[0].upper() + f.text[1:] + "." for f in explain_row(row, profile)
        )
        rows.append({
            "child_id": child_ids[i], "visit_date": visit_days[i], "age": int(row["age"]),
            "monitor": f"monitor-{i % 50 + 1}", "consent": True,
            "record": {k: row[k] for k in records.columns},
            "profile_id": profile.id, "profile_version": profile.version,
            "status": row["work_status"], "reasons": reasons, "explanation": explanation,
            "child_labour": bool(row["child_labour"]),
            "hazardous_work": bool(row["hazardous_work"]),
        })  # fmt: skip
    session.execute(insert(Visit), rows)

    first_cl = {r["child_id"]: r for r in rows[: len(children)] if r["child_labour"]}
    statuses = [CaseStatus.IDENTIFIED, CaseStatus.IN_REMEDIATION, CaseStatus.UNDER_FOLLOW_UP,
                CaseStatus.CLOSED]  # fmt: skip
    session.execute(
        insert(Case),
        [{"child_id": cid, "kind": CaseKind.CHILD_LABOUR,
          "status": statuses[int(rng.integers(len(statuses)))],
          "worst_forms": "WFCL_OTHER" in r["reasons"], "hazardous": r["hazardous_work"],
          "opened_on": r["visit_date"], "version": 1}
         for cid, r in first_cl.items()],
    )  # fmt: skip
    cases = session.execute(select(Case.id, Case.opened_on, Case.worst_forms)).all()
    types = list(ServiceType)
    session.execute(
        insert(RemediationService),
        [{"case_id": c.id, "type": types[int(k)], "partner_id": partners[2].id,
          "started_on": c.opened_on + timedelta(days=14)}
         for c in cases for k in rng.choice(len(types), 2, replace=False)],
    )  # fmt: skip
    session.execute(
        insert(Referral),
        [{"case_id": c.id, "partner_id": partners[0].id, "consent": True,
          "status": ReferralStatus.ACCEPTED if rng.random() < 0.7 else ReferralStatus.SENT,
          "reason": "worst form of child labour" if c.worst_forms else "support",
          "sent_on": c.opened_on + timedelta(days=2)}
         for c in cases if c.worst_forms or rng.random() < 0.2],
    )  # fmt: skip
    session.execute(
        insert(FollowUp),
        [{"case_id": c.id, "due_on": day}
         for c in cases for day in due_dates(c.opened_on + timedelta(days=14), today)],
    )  # fmt: skip
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
    return {
        "areas": 1 + size.regions + len(districts) + len(communities),
        "households": len(household_ids),
        "children": len(children),
        "visits": len(rows),
        "cases": len(cases),
    }

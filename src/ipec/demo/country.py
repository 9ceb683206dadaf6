"""The country's skeleton: ids, areas (country > regions > districts > communities), the
partners and who provides what, and the people who record (a monitor per community, a
case worker per district)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from ipec.demo.size import DemoSize
from ipec.monitoring.models import PartnerKind, ServiceType

__all__ = ["PARTNERS", "PROVIDERS", "Areas", "Ids", "areas", "partners"]

#: The partner directory: name and kind.
PARTNERS = (
    ("Labour Inspectorate", PartnerKind.GOVERNMENT),
    ("Police Child Protection Unit", PartnerKind.GOVERNMENT),
    ("Social Welfare Department", PartnerKind.GOVERNMENT),
    ("Children First NGO", PartnerKind.NGO),
    ("Cocoa Cooperative Union", PartnerKind.COMPANY),
    ("Teachers' Union", PartnerKind.WORKERS),
    ("Women's Savings Network", PartnerKind.COMMUNITY),
)
#: The partner who provides each kind of service.
PROVIDERS = {
    ServiceType.SCHOOL_ENROLMENT: "Teachers' Union",
    ServiceType.SCHOOL_KIT: "Cocoa Cooperative Union",
    ServiceType.BRIDGING_CLASS: "Children First NGO",
    ServiceType.VOCATIONAL_TRAINING: "Children First NGO",
    ServiceType.APPRENTICESHIP: "Cocoa Cooperative Union",
    ServiceType.BIRTH_REGISTRATION: "Social Welfare Department",
    ServiceType.HEALTH: "Social Welfare Department",
    ServiceType.PSYCHOSOCIAL: "Children First NGO",
    ServiceType.INCOME_GENERATION: "Cocoa Cooperative Union",
    ServiceType.SAVINGS_GROUP: "Women's Savings Network",
    ServiceType.CASH_TRANSFER: "Social Welfare Department",
    ServiceType.COMMUNITY_ACTION: "Cocoa Cooperative Union",
    ServiceType.LEGAL_PROTECTION: "Labour Inspectorate",
}


@dataclass(slots=True)
class Ids:
    """The next free id of each table: the seeder gives ids itself, so parents and their
    children are written in one pass without reading ids back."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str, count: int) -> np.ndarray[Any, np.dtype[np.int64]]:
        first = self.next[table]
        self.next[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Areas:
    """The areas' rows, the country's id, and each community's id, monitor and district's
    case worker (in the same order)."""

    frame: pl.DataFrame
    country: int
    districts: list[int]
    communities: np.ndarray[Any, np.dtype[np.int64]]
    monitors: np.ndarray[Any, np.dtype[np.str_]]
    case_workers: np.ndarray[Any, np.dtype[np.str_]]


def areas(size: DemoSize, ids: Ids) -> Areas:
    """The hierarchy, with materialised paths; community "r.d.c" has monitor "monitor-r.d.c"
    and its district's case worker "caseworker-r.d"."""
    rows: list[tuple[int, int | None, str, str, str, str]] = []
    communities: list[int] = []
    monitors: list[str] = []
    workers: list[str] = []
    districts: list[int] = []

    def add(name: str, level: str, parent: tuple[int, str] | None, code: str) -> tuple[int, str]:
        area_id = int(ids.take("areas", 1)[0])
        path = f"{parent[1] if parent else '/'}{area_id}/"
        rows.append((area_id, parent[0] if parent else None, name, level, path, code))
        return area_id, path

    # Codes as a statistics office numbers its areas: the country's, then one part a level.
    country = add("Demoland", "country", None, "DL")
    for r in range(1, size.regions + 1):
        region = add(f"Region {r}", "region", country, f"DL-{r}")
        for d in range(1, size.districts_per_region + 1):
            district = add(f"District {r}.{d}", "district", region, f"DL-{r}-{d}")
            districts.append(district[0])
            for c in range(1, size.communities_per_district + 1):
                community = add(f"Community {r}.{d}.{c}", "community", district, f"DL-{r}-{d}-{c}")
                communities.append(community[0])
                monitors.append(f"monitor-{r}.{d}.{c}")
                workers.append(f"caseworker-{r}.{d}")
    frame = pl.DataFrame(
        rows,
        schema={"id": pl.Int64, "parent_id": pl.Int64, "name": pl.String, "level": pl.String,
                "path": pl.String, "code": pl.String},
        orient="row",
    )  # fmt: skip
    return Areas(frame, country[0], districts, np.array(communities, dtype=np.int64),
                 np.array(monitors), np.array(workers))  # fmt: skip


def partners(ids: Ids) -> tuple[pl.DataFrame, dict[str, int]]:
    """The partners' rows, and each partner's id by name."""
    partner_ids = ids.take("partners", len(PARTNERS))
    frame = pl.DataFrame(
        {"id": partner_ids, "name": [name for name, _ in PARTNERS],
         "kind": [kind.value for _, kind in PARTNERS]}
    )  # fmt: skip
    return frame, {name: int(i) for (name, _), i in zip(PARTNERS, partner_ids, strict=True)}

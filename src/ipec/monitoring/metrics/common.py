"""What every metric shares: the period, the rate shape, the area subtree and the age groups.

Rows are scoped to an area subtree through the materialised ``Area.path`` (one index range
scan), and disaggregated by the child's sex and an age group computed by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case
from sqlalchemy.orm import Session

from ipec.monitoring.models import Area

__all__ = ["Period", "Rate"]


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive dates."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Rate:
    """A count over a base, for one group (sex and age group, or "total")."""

    group: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def _in_subtree(path: str) -> Any:
    return Area.path.startswith(path, autoescape=True)


def _age_group(age: Any) -> Any:
    return case(
        (age < 5, "under 5"),
        (age <= 11, "5-11"),
        (age <= 14, "12-14"),
        (age <= 17, "15-17"),
        else_="18+",
    )


def _rates(session: Session, query: Select[Any]) -> list[Rate]:
    """Rows of (sex, age group, numerator, denominator) -> rates per group plus the total."""
    rows = session.execute(query).all()
    rates = [Rate(f"{sex}*{group}", int(num or 0), int(den or 0)) for sex, group, num, den in rows]
    total = Rate("total", sum(r.numerator for r in rates), sum(r.denominator for r in rates))
    return [total, *sorted(rates, key=lambda r: r.group)]

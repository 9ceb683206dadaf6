"""How big the synthetic country is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ipec.errors import DataError

__all__ = ["DemoSize"]


@dataclass(frozen=True, slots=True)
class DemoSize:
    """How big the synthetic country is (the default is the documented demo: about 50,000
    children and 100,000 visits over two years).

    ``visits_per_child`` is the number of monitoring rounds of each household over the two
    years: each child aged 5-17 on the day is visited at each, except that a child with a
    case is visited at its follow-ups instead, so a country has about that many visits per
    child. ``DemoSize(households=400_000, visits_per_child=3)`` gives about a million
    children and three million visits. The same size (seed included) and day always give
    the same data.

    >>> DemoSize.for_children(1_000, visits_per_child=3).households
    400
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

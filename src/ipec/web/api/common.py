"""Parameters shared by the routes: record ids, pages, today's date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Path, Query

__all__ = ["Page", "PerPage", "RecordId", "today"]

#: Record ids are positive 32-bit integers (larger numbers are invalid input, not a 500).
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]
#: The page of a list, from 1.
Page = Annotated[int, Query(ge=1, le=100_000)]
#: Rows per page.
PerPage = Annotated[int, Query(ge=1, le=200)]


def today() -> date:
    """Today's date in UTC: ages, overdue follow-ups and priorities are counted from it."""
    return datetime.now(UTC).date()

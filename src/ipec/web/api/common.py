"""Parameters shared by the routes: record ids, pages, today's date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator

__all__ = ["IsoDate", "Page", "PerPage", "RecordId", "UtcDateTime", "today"]

#: Record ids are positive 32-bit integers (larger numbers are invalid input, not a 500).
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]
#: The page of a list, from 1.
Page = Annotated[int, Query(ge=1, le=100_000)]
#: Rows per page.
PerPage = Annotated[int, Query(ge=1, le=200)]


def _with_utc(moment: datetime) -> datetime:
    """A stored moment with its UTC offset: SQLite gives moments back without one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


#: A moment in an answer of the API: always with its offset (``2026-05-01T08:00:00Z``).
UtcDateTime = Annotated[datetime, AfterValidator(_with_utc)]


def _iso_date(value: object) -> object:
    """Only ``YYYY-MM-DD``: a number (``0``, read as 1970-01-01) or a moment is refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError("a date is written YYYY-MM-DD")
    return date.fromisoformat(value)


#: A date given to the API: ``YYYY-MM-DD`` and nothing else.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def today() -> date:
    """Today's date in UTC: ages, overdue follow-ups and priorities are counted from it."""
    return datetime.now(UTC).date()

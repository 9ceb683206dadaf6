"""Importing small-area estimates onto the areas: the output of ``ipec survey small-area``
(with ``--population-column``), matched to the stored areas by code.

Rule: all of the file or nothing. Every row whose area code is not a stored area, or whose
estimate, interval, population or count is missing, is named at once and nothing is kept.
An area's earlier estimate of the same indicator is replaced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area
from ipec.need.models import AreaEstimate

__all__ = ["COLUMNS", "EstimatesImported", "import_estimates", "read_estimates"]

#: The columns of ``ipec survey small-area``'s output that are kept.
COLUMNS = ("area", "kind", "estimate", "ci_low", "ci_high", "population", "count",
           "count_rmse", "indicator", "profile")  # fmt: skip
_NUMBERS = ("estimate", "ci_low", "ci_high", "population", "count", "count_rmse")
_LISTED = 5


@dataclass(frozen=True, slots=True)
class EstimatesImported:
    """What an import did: areas given an estimate, of which replaced an earlier one."""

    source: str
    indicator: str
    areas: int
    replaced: int


def read_estimates(path: Path) -> pl.DataFrame:
    """The rows of a small-area output file (``.csv`` or ``.parquet``), area codes as text."""
    if not path.is_file():
        raise DataError("no such file", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema_length=0)
        elif suffix == ".parquet":
            frame = pl.read_parquet(path)
        else:
            raise DataError(f"'{path.suffix}' is not a file of estimates", source=path.name,
                            hint="give the .csv or .parquet of ipec survey small-area")  # fmt: skip
    except (pl.exceptions.PolarsError, OSError) as error:
        raise DataError(f"unreadable: {error}", source=path.name) from None
    missing = [name for name in COLUMNS if name not in frame.columns]
    if missing:
        hint = (
            "run ipec survey small-area with --population-column to give each area its children"
            if "population" in missing
            else "give the output of ipec survey small-area"
        )
        raise DataError(f"no column {', '.join(missing)}", source=path.name, hint=hint)
    return frame.select(COLUMNS).with_columns(
        pl.col("area", "kind", "indicator", "profile").cast(pl.String),
        pl.col(_NUMBERS).cast(pl.Float64, strict=False),
    )


def _bad_values(row: dict[str, Any]) -> str | None:
    empty = [name for name in _NUMBERS if row[name] is None or not math.isfinite(row[name])]
    if empty:
        return f"no {', '.join(empty)}"
    if row["population"] < 0 or not 0 <= row["ci_low"] <= row["ci_high"] <= 1:
        return "a negative population, or an interval outside 0-1"
    return None


def import_estimates(
    session: Session, frame: pl.DataFrame, *, source: str, actor: str, origin: str | None = None
) -> EstimatesImported:
    """Keep each row's estimate on the area with its code (in the caller's transaction);
    refused whole, with every bad row named, when an area code is unknown or a value is
    missing. Audited as ``estimates.import``."""
    codes = {str(code): int(area_id)
             for area_id, code in session.execute(select(Area.id, Area.code)) if code}  # fmt: skip
    indicators = frame["indicator"].unique().to_list()
    if len(indicators) != 1:
        raise DataError(f"the file holds {len(indicators)} indicators: give one", source=source)
    problems: list[str] = []
    seen: set[str] = set()
    rows = []
    for number, row in enumerate(frame.iter_rows(named=True), start=2):
        code = (row["area"] or "").strip()
        problem = _bad_values(row)
        if code not in codes:
            problem = f"area {code!r} is not a stored area's code"
        elif code in seen:
            problem = f"area {code} is given twice"
        if problem is not None:
            problems.append(f"row {number}: {problem}")
            continue
        seen.add(code)
        rows.append((codes[code], row))
    if problems:
        listed = "; ".join(problems[:_LISTED])
        more = f"; and {len(problems) - _LISTED} more" if len(problems) > _LISTED else ""
        raise DataError(f"{len(problems)} bad row(s), nothing imported: {listed}{more}",
                        source=source, hint="import the areas first (ipec areas import), with "
                        "the codes the survey's estimates use")  # fmt: skip
    indicator = str(indicators[0])
    area_ids = [area_id for area_id, _row in rows]
    earlier = session.scalars(
        select(AreaEstimate.area_id).where(
            AreaEstimate.indicator == indicator, AreaEstimate.area_id.in_(area_ids)
        )
    ).all()
    session.execute(delete(AreaEstimate).where(AreaEstimate.indicator == indicator,
                                               AreaEstimate.area_id.in_(area_ids)))  # fmt: skip
    now = datetime.now(UTC)
    session.add_all(
        AreaEstimate(area_id=area_id, indicator=indicator, profile=row["profile"] or "",
                     kind=row["kind"] or "", estimate=row["estimate"], ci_low=row["ci_low"],
                     ci_high=row["ci_high"], population=row["population"], count=row["count"],
                     count_rmse=row["count_rmse"], source=source[:200], imported_at=now,
                     imported_by=actor)
        for area_id, row in rows
    )  # fmt: skip
    write_audit(session, actor=actor, action="estimates.import", entity="area", entity_id=0,
                origin=origin, detail={"source": source, "indicator": indicator,
                                       "areas": len(rows), "replaced": len(earlier)})  # fmt: skip
    return EstimatesImported(source, indicator, len(rows), len(earlier))

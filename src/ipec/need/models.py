"""Survey estimates kept on areas: the estimated number of children in child labour of an
area (a small-area estimate times its child population), which the monitoring's own counts
are set against (:mod:`ipec.need.coverage`).

One row per area and indicator: importing a newer estimate of an area replaces it (the
source and who imported it are kept, and the import is audited).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipec.db.base import Base

__all__ = ["AreaEstimate"]


class AreaEstimate(Base):
    """An area's survey estimate of an indicator (a proportion, ``estimate`` with its
    interval ``ci_low``-``ci_high``) and, with the area's child population, the estimated
    number of children (``count``, root MSE ``count_rmse``). ``kind`` is ``eblup``,
    ``synthetic`` or ``direct``; ``source`` names the file it came from."""

    __tablename__ = "area_estimates"
    __table_args__ = (UniqueConstraint("area_id", "indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(60))
    profile: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    estimate: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float] = mapped_column(Float)
    ci_high: Mapped[float] = mapped_column(Float)
    population: Mapped[float] = mapped_column(Float)
    count: Mapped[float] = mapped_column(Float)
    count_rmse: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str] = mapped_column(String(80))

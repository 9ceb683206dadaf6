"""Awareness raising, one of the four core activities of a CLMRS: sessions and campaigns
(community meetings, school sessions, radio, training of labour inspectors or employers)
with their date, area, partner, audience and participants by sex and adult or child;
recorded with an audit row, and counted by the database for an area subtree and a period
(sessions held, participants) as any metric, so that a programme can set a target on them.

A radio programme reaches listeners nobody counts: its participants may be left at 0 and it
counts as a session. Participants are counts, not people: the same person at two sessions
counts twice (DOL and ICI report attendances).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.audit import write_audit
from ipec.monitoring.awareness_models import AwarenessKind, AwarenessSession
from ipec.monitoring.metrics.common import Period, _aggregate
from ipec.monitoring.models import Area, Partner
from ipec.monitoring.scope import in_subtree

__all__ = [
    "AwarenessCounts",
    "AwarenessKind",
    "AwarenessSession",
    "awareness_counts",
    "record_awareness",
]


_COUNTS = ("women", "men", "girls", "boys")


def record_awareness(
    session: Session,
    *,
    held_on: date,
    area_id: int,
    kind: AwarenessKind,
    participants: dict[str, int],
    actor: str,
    today: date,
    campaign: str | None = None,
    partner_id: int | None = None,
    audience: str | None = None,
    origin: str | None = None,
) -> AwarenessSession:
    """Record a session; refused, naming the field, for a day in the future, an unknown
    area or partner, a participant count that is negative or missing, or an unknown group."""
    if held_on > today:
        raise DataError(f"the session is dated {held_on}, after today", column="held_on")
    if session.get(Area, area_id) is None:
        raise DataError(f"there is no area {area_id}", column="area_id")
    if partner_id is not None and session.get(Partner, partner_id) is None:
        raise DataError(f"there is no partner {partner_id}", column="partner_id")
    if unknown := sorted(set(participants) - set(_COUNTS)):
        raise DataError(f"unknown group of participants {unknown[0]!r}", column=unknown[0],
                        hint="women, men, girls, boys")  # fmt: skip
    for name in _COUNTS:
        if participants.get(name, 0) < 0:
            raise DataError(f"{participants[name]} {name}: a count is 0 or more", column=name)
    made = AwarenessSession(
        held_on=held_on, area_id=area_id, kind=kind, campaign=(campaign or "").strip() or None,
        partner_id=partner_id, audience=(audience or "").strip() or None, recorded_by=actor,
        **{name: participants.get(name, 0) for name in _COUNTS},
    )  # fmt: skip
    session.add(made)
    session.flush()
    write_audit(session, actor=actor, action="awareness.record", entity="awareness_session",
                entity_id=made.id, origin=origin,
                detail={"held_on": held_on.isoformat(), "area": area_id,
                        "kind": kind.value})  # fmt: skip
    return made


@dataclass(frozen=True, slots=True)
class AwarenessCounts:
    """Sessions and participants of one kind (or ``"total"``) in an area and a period."""

    kind: str
    sessions: int
    women: int
    men: int
    girls: int
    boys: int

    @property
    def participants(self) -> int:
        return self.women + self.men + self.girls + self.boys


@_aggregate
def awareness_counts(session: Session, *, area_path: str, period: Period) -> list[AwarenessCounts]:
    """Sessions held in the subtree in the period and their participants: ``"total"`` first,
    then one row per kind held (one query)."""
    a = AwarenessSession
    rows = session.execute(
        select(a.kind, func.count(), *(func.sum(getattr(a, n)) for n in _COUNTS))
        .where(in_subtree(a.area_id, area_path), a.held_on.between(period.start, period.end))
        .group_by(a.kind)
    ).all()
    kinds = [AwarenessCounts(str(r[0].value), int(r[1]), *(int(v or 0) for v in r[2:]))
             for r in rows]  # fmt: skip
    total = AwarenessCounts("total", *(sum(getattr(k, f) for k in kinds)
                                       for f in ("sessions", *_COUNTS)))  # fmt: skip
    return [total, *sorted(kinds, key=lambda k: list(AwarenessKind).index(AwarenessKind(k.kind)))]

"""Awareness-raising sessions: recorded in the caller's areas, counted by area and period
(the reading audit-logged as any metric). Rules: :mod:`ipec.monitoring.awareness`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from ipec.auth import CHANGE_ROLES, area_in_scope, read_metrics, require_role
from ipec.monitoring.awareness import AwarenessKind, awareness_counts, record_awareness
from ipec.monitoring.metrics import Period
from ipec.web.api.common import today
from ipec.web.api.filters import AreaQuery
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["awareness"])

_Count = Annotated[int, Field(ge=0, le=1_000_000)]


class AwarenessIn(BaseModel):
    held_on: date
    area_id: int = Field(ge=1, le=2_147_483_647)
    kind: AwarenessKind
    campaign: str | None = Field(default=None, max_length=200)
    partner_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    audience: str | None = Field(default=None, max_length=200)
    women: _Count = 0
    men: _Count = 0
    girls: _Count = 0
    boys: _Count = 0


class AwarenessOut(BaseModel):
    id: int


class AwarenessCountsOut(BaseModel):
    kind: str
    sessions: int
    women: int
    men: int
    girls: int
    boys: int
    participants: int


@router.post("/awareness", response_model=AwarenessOut, status_code=201)
def add_awareness(
    body: AwarenessIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> AwarenessOut:
    """Record a session in one of the caller's areas (not viewers)."""
    require_role(who, CHANGE_ROLES, "record awareness sessions")
    area_in_scope(db, who, body.area_id)
    made = record_awareness(
        db, held_on=body.held_on, area_id=body.area_id, kind=body.kind,
        participants={"women": body.women, "men": body.men, "girls": body.girls,
                      "boys": body.boys},
        campaign=body.campaign, partner_id=body.partner_id, audience=body.audience,
        actor=who.username, today=today(), origin=origin(request),
    )  # fmt: skip
    return AwarenessOut(id=made.id)


@router.get("/awareness/counts", response_model=list[AwarenessCountsOut])
def count_awareness(
    *,
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    area_id: AreaQuery = None,
) -> list[AwarenessCountsOut]:
    """Sessions and participants in the caller's areas (or ``area_id``) and the period:
    the total, then per kind."""
    period = Period(start, end)
    area = read_metrics(db, who, area_id, start=start, end=end, view="api:awareness",
                        origin=origin(request))  # fmt: skip
    found = awareness_counts(db, area_path=area.path, period=period)
    return [AwarenessCountsOut(kind=c.kind, sessions=c.sessions, women=c.women, men=c.men,
                               girls=c.girls, boys=c.boys, participants=c.participants)
            for c in found]  # fmt: skip

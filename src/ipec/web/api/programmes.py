"""Programmes, their targets, planned versus achieved, and US DOL's Annex A.

Each route parses, passes the gate (:mod:`ipec.programmes.access`, and ``read_metrics`` for
any figure: audit-logged as ``api:programme``), calls one service and renders. Achieved
values are computed by the metrics; the API has no way to type one in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ipec.auth import area_in_scope, read_metrics, require_role
from ipec.auth.service import MANAGER_ROLES
from ipec.monitoring.metrics import Period
from ipec.programmes.access import programme_for, programmes_for
from ipec.programmes.annex import annex_a, annex_a_xlsx
from ipec.programmes.clmrs import clmrs_table, clmrs_xlsx
from ipec.programmes.models import (
    PartnerRole,
    PeriodKind,
    Programme,
    ProgrammeKind,
    TargetGroup,
)
from ipec.programmes.results import TargetResult, planned_versus_achieved, results_xlsx
from ipec.programmes.service import PhaseInput, add_target, create_programme
from ipec.web.api.common import RecordId
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["programmes"])

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> Response:
    """``content`` as an XLSX download named ``name``."""
    return Response(content, media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


class PhaseBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date


class PartnerRoleBody(BaseModel):
    partner_id: int = Field(ge=1, le=2_147_483_647)
    role: PartnerRole


class ProgrammeIn(BaseModel):
    """A programme over areas of the caller's, with its period, profile, phases and the
    partners' roles."""

    name: str = Field(min_length=1, max_length=200)
    kind: ProgrammeKind
    donor: str | None = Field(default=None, max_length=200)
    profile_id: str = Field(min_length=1, max_length=64)
    starts_on: date
    ends_on: date
    area_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(min_length=1)
    phases: list[PhaseBody] = []
    partners: list[PartnerRoleBody] = []


class ProgrammeOut(BaseModel):
    id: int
    name: str
    kind: ProgrammeKind
    donor: str | None
    profile_id: str
    starts_on: date
    ends_on: date
    area_ids: list[int]
    phases: list[PhaseBody]
    partners: list[PartnerRoleBody]


class TargetIn(BaseModel):
    """A planned value: a rate from 0 to 1, or a count; its period starts on a month's first
    day and lasts a quarter, a half-year or a year."""

    indicator: str = Field(min_length=1, max_length=40)
    period_kind: PeriodKind
    starts_on: date
    area_id: int = Field(ge=1, le=2_147_483_647)
    target_group: TargetGroup = TargetGroup.ALL
    planned: float
    note: str | None = Field(default=None, max_length=2000)


class ResultOut(BaseModel):
    """A target and what the metrics found (``denominator`` None for a count)."""

    target_id: int
    indicator: str
    period_kind: PeriodKind
    starts_on: date
    ends_on: date
    area_id: int
    area: str
    target_group: TargetGroup
    planned: float
    numerator: int
    denominator: int | None
    achieved: float | None
    share: float | None


class AnnexRowOut(BaseModel):
    """One line of Annex A: each column's (numerator, denominator or None)."""

    code: str
    label: str
    rate: bool
    target: float | None
    cells: dict[str, tuple[int, int | None]]


def _out(programme: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        id=programme.id, name=programme.name, kind=programme.kind, donor=programme.donor,
        profile_id=programme.profile_id, starts_on=programme.starts_on,
        ends_on=programme.ends_on, area_ids=sorted(a.area_id for a in programme.areas),
        phases=[PhaseBody(name=p.name, starts_on=p.starts_on, ends_on=p.ends_on)
                for p in programme.phases],
        partners=[PartnerRoleBody(partner_id=p.partner_id, role=p.role)
                  for p in programme.partners],
    )  # fmt: skip


@router.get("/programmes", response_model=list[ProgrammeOut])
def list_programmes(db: DbSession, who: CurrentPrincipal) -> list[ProgrammeOut]:
    """The programmes the caller's areas meet."""
    return [_out(p) for p in programmes_for(db, who)]


@router.post("/programmes", response_model=ProgrammeOut, status_code=201)
def add_programme(
    body: ProgrammeIn, request: Request, db: DbSession, who: CurrentPrincipal
) -> ProgrammeOut:
    """A new programme over areas of the caller's (administrators and programme managers)."""
    require_role(who, MANAGER_ROLES, "create programmes")
    for area_id in body.area_ids:
        area_in_scope(db, who, area_id)
    made = create_programme(
        db, name=body.name, kind=body.kind, profile_id=body.profile_id,
        starts_on=body.starts_on, ends_on=body.ends_on, area_ids=body.area_ids,
        actor=who.username, donor=body.donor,
        phases=[PhaseInput(p.name, p.starts_on, p.ends_on) for p in body.phases],
        partners=[(p.partner_id, p.role) for p in body.partners], origin=origin(request),
    )  # fmt: skip
    return _out(made)


@router.get("/programmes/{programme_id}", response_model=ProgrammeOut)
def read_programme(programme_id: RecordId, db: DbSession, who: CurrentPrincipal) -> ProgrammeOut:
    """One programme the caller's areas meet."""
    return _out(programme_for(db, who, programme_id))


@router.post("/programmes/{programme_id}/targets", response_model=ResultOut, status_code=201)
def add_programme_target(
    programme_id: RecordId, body: TargetIn, request: Request, db: DbSession,
    who: CurrentPrincipal,
) -> ResultOut:  # fmt: skip
    """Set a target (managers of all the programme's areas); answered with what the metrics
    have achieved so far."""
    programme = programme_for(db, who, programme_id, change=True)
    target = add_target(
        db, programme_id=programme.id, indicator=body.indicator, period_kind=body.period_kind,
        starts_on=body.starts_on, area_id=body.area_id, target_group=body.target_group,
        planned=body.planned, note=body.note, actor=who.username, origin=origin(request),
    )  # fmt: skip
    found = planned_versus_achieved(db, programme, start=target.starts_on, end=target.ends_on)
    return next(_result(r) for r in found if r.target.id == target.id)


def _result(result: TargetResult) -> ResultOut:
    t = result.target
    return ResultOut(
        target_id=t.id, indicator=t.indicator, period_kind=t.period_kind,
        starts_on=t.starts_on, ends_on=t.ends_on, area_id=t.area_id, area=result.area_name,
        target_group=t.target_group, planned=t.planned, numerator=result.achieved.numerator,
        denominator=result.achieved.denominator, achieved=result.achieved.value,
        share=result.share,
    )  # fmt: skip


@router.get(
    "/programmes/{programme_id}/results.{file_format}",
    responses={200: {"content": {"application/json": {}, _XLSX: {}}}},
    response_model=None,
)
def programme_results(
    *,
    programme_id: RecordId,
    file_format: Literal["json", "xlsx"],
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date | None, Query()] = None,
    end: Annotated[date | None, Query()] = None,
) -> list[ResultOut] | Response:
    """Planned versus achieved for the targets of the caller's areas whose period lies in
    ``start``-``end`` (every target when absent); as XLSX, refused when there is none."""
    programme = programme_for(db, who, programme_id)
    read_metrics(db, who, None, start=start or programme.starts_on,
                 end=end or programme.ends_on, view=f"api:programme:{programme.id}",
                 origin=origin(request))  # fmt: skip
    found = planned_versus_achieved(db, programme, scope_path=who.scope_path, start=start,
                                    end=end)  # fmt: skip
    if file_format == "json":
        return [_result(r) for r in found]
    name = f"programme-{programme.id}-results.xlsx"
    return _xlsx(results_xlsx(programme, found), name)


@router.get(
    "/programmes/{programme_id}/annex-a.{file_format}",
    responses={200: {"content": {"application/json": {}, _XLSX: {}}}},
    response_model=None,
)
def programme_annex_a(
    *,
    programme_id: RecordId,
    file_format: Literal["json", "xlsx"],
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
) -> list[AnnexRowOut] | Response:
    """US DOL's Technical Progress Report Annex A for the reporting period ``start``-``end``
    (a user whose areas hold all the programme's); refused, saying so, when there is no
    data."""
    period = Period(start, end)
    programme = programme_for(db, who, programme_id, whole=True)
    read_metrics(db, who, None, start=start, end=end, view=f"api:annex_a:{programme.id}",
                 origin=origin(request))  # fmt: skip
    rows = annex_a(db, programme, period)
    if file_format == "json":
        return [AnnexRowOut(code=r.code, label=r.label, rate=r.rate, target=r.target,
                            cells=r.cells) for r in rows]  # fmt: skip
    name = f"annex-a-{programme.id}-{start}-{end}.xlsx"
    return _xlsx(annex_a_xlsx(programme, period, rows), name)


class ClmrsRowOut(BaseModel):
    """One CLMRS figure: number, base and their ratio (None without base)."""

    code: str
    label: str
    numerator: int
    denominator: int
    value: float | None


@router.get(
    "/programmes/{programme_id}/clmrs.{file_format}",
    responses={200: {"content": {"application/json": {}, _XLSX: {}}}},
    response_model=None,
)
def programme_clmrs(
    *,
    programme_id: RecordId,
    file_format: Literal["json", "xlsx"],
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
) -> list[ClmrsRowOut] | Response:
    """The CLMRS benchmarking figures (households covered, children identified, supported,
    no longer in child labour at follow-up) for the programme's areas and the period."""
    period = Period(start, end)
    programme = programme_for(db, who, programme_id, whole=True)
    read_metrics(db, who, None, start=start, end=end, view=f"api:clmrs:{programme.id}",
                 origin=origin(request))  # fmt: skip
    rows = clmrs_table(db, programme, period)
    if file_format == "json":
        return [ClmrsRowOut(code=r.code, label=r.label, numerator=r.numerator,
                            denominator=r.denominator, value=r.value) for r in rows]  # fmt: skip
    name = f"clmrs-{programme.id}-{start}-{end}.xlsx"
    return _xlsx(clmrs_xlsx(programme, period, rows), name)

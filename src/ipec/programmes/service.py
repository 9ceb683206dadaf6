"""Writing programmes and targets: every rule checked here, named by field when broken."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area, Partner
from ipec.programmes.indicators import INDICATORS, Unit
from ipec.programmes.models import (
    PartnerRole,
    PeriodKind,
    Programme,
    ProgrammeArea,
    ProgrammeKind,
    ProgrammePartner,
    ProgrammePhase,
    Target,
    TargetGroup,
)
from ipec.standards import load_profile

__all__ = ["PhaseInput", "add_target", "create_programme", "period_end", "programme_areas"]

_MONTHS = {PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.YEAR: 12}


@dataclass(frozen=True, slots=True)
class PhaseInput:
    name: str
    starts_on: date
    ends_on: date


def period_end(kind: PeriodKind, starts_on: date) -> date:
    """The last day of the quarter, half-year or year starting on ``starts_on`` (the first
    of a month: DOL's half-years start in April and October)."""
    months = starts_on.month - 1 + _MONTHS[kind]
    year, month = starts_on.year + months // 12, months % 12
    last_month = 12 if month == 0 else month
    last_year = year - 1 if month == 0 else year
    return date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])


def create_programme(
    session: Session,
    *,
    name: str,
    kind: ProgrammeKind,
    profile_id: str,
    starts_on: date,
    ends_on: date,
    area_ids: Sequence[int],
    actor: str,
    donor: str | None = None,
    phases: Sequence[PhaseInput] = (),
    partners: Sequence[tuple[int, PartnerRole]] = (),
    origin: str | None = None,
) -> Programme:
    """A programme over ``area_ids`` (each with its subtree) from ``starts_on`` to
    ``ends_on``, run under ``profile_id``; phases inside the period, not overlapping."""
    clean = name.strip()
    if not clean:
        raise DataError("a programme needs a name", column="name")
    if session.scalar(select(Programme.id).where(Programme.name == clean)) is not None:
        raise Conflict(f"a programme named {clean} already exists")
    if starts_on > ends_on:
        raise DataError(f"the programme starts ({starts_on}) after it ends ({ends_on})",
                        column="ends_on")  # fmt: skip
    load_profile(profile_id)  # an unknown profile is refused by name
    if not area_ids:
        raise DataError("a programme covers at least one area", column="area_ids")
    for area_id in area_ids:
        if session.get(Area, area_id) is None:
            raise DataError(f"there is no area {area_id}", column="area_ids")
    ordered = sorted(phases, key=lambda p: p.starts_on)
    for index, phase in enumerate(ordered):
        if not (starts_on <= phase.starts_on <= phase.ends_on <= ends_on):
            raise DataError(f"phase {phase.name} ({phase.starts_on} to {phase.ends_on}) is "
                            f"not inside the programme's period", column="phases")  # fmt: skip
        if index and phase.starts_on <= ordered[index - 1].ends_on:
            raise DataError(f"phase {phase.name} overlaps phase {ordered[index - 1].name}",
                            column="phases")  # fmt: skip
    for partner_id, _role in partners:
        if session.get(Partner, partner_id) is None:
            raise DataError(f"there is no partner {partner_id}", column="partners")
    programme = Programme(
        name=clean, kind=kind, donor=donor, profile_id=profile_id, starts_on=starts_on,
        ends_on=ends_on, created_at=datetime.now(UTC), created_by=actor,
        areas=[ProgrammeArea(area_id=a) for a in sorted(set(area_ids))],
        phases=[ProgrammePhase(name=p.name, starts_on=p.starts_on, ends_on=p.ends_on)
                for p in ordered],
        partners=[ProgrammePartner(partner_id=p, role=r) for p, r in sorted(set(partners))],
    )  # fmt: skip
    session.add(programme)
    session.flush()
    write_audit(session, actor=actor, action="programme.create", entity="programme",
                entity_id=programme.id, origin=origin,
                detail={"name": clean, "areas": sorted(set(area_ids))})  # fmt: skip
    return programme


def programme_areas(session: Session, programme: Programme) -> list[Area]:
    """The programme's areas, by path."""
    ids = [a.area_id for a in programme.areas]
    return list(session.scalars(select(Area).where(Area.id.in_(ids)).order_by(Area.path)))


def add_target(
    session: Session,
    *,
    programme_id: int,
    indicator: str,
    period_kind: PeriodKind,
    starts_on: date,
    area_id: int,
    target_group: TargetGroup,
    planned: float,
    actor: str,
    note: str | None = None,
    origin: str | None = None,
) -> Target:
    """A planned value; refused, naming the field, for an unknown indicator, a group the
    indicator cannot be split by, a rate outside 0-1 or a negative value, a period not
    starting on a month's first day or outside the programme, an area outside the programme,
    or a period overlapping another target of the same indicator, area and group."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(f"programme {programme_id} not found")
    found = INDICATORS.get(indicator)
    if found is None:
        raise DataError(f"unknown indicator {indicator!r}", column="indicator",
                        hint="one of " + ", ".join(INDICATORS))  # fmt: skip
    if target_group not in found.groups:
        raise DataError(
            f"{indicator} cannot be split by the group {target_group.value}",
            column="target_group",
            hint="one of " + ", ".join(sorted(g.value for g in found.groups)),
        )
    if planned < 0:
        raise DataError(f"a target cannot be negative ({planned})", column="planned")
    if found.unit is Unit.RATE and planned > 1:
        raise DataError(f"{indicator} is a rate: a target from 0 to 1 ({planned})",
                        column="planned")  # fmt: skip
    if starts_on.day != 1:
        raise DataError(f"a period starts on a month's first day ({starts_on})",
                        column="starts_on")  # fmt: skip
    ends_on = period_end(period_kind, starts_on)
    if starts_on < programme.starts_on or ends_on > programme.ends_on:
        raise DataError(f"the period {starts_on} to {ends_on} is not inside the programme "
                        f"({programme.starts_on} to {programme.ends_on})",
                        column="starts_on")  # fmt: skip
    area = session.get(Area, area_id)
    covered = programme_areas(session, programme)
    if area is None or not any(area.path.startswith(a.path) for a in covered):
        raise DataError(f"area {area_id} is not in the programme's areas", column="area_id")
    overlapping = session.scalar(
        select(Target).where(
            Target.programme_id == programme_id,
            Target.indicator == indicator,
            Target.area_id == area_id,
            Target.target_group == target_group,
            Target.starts_on <= ends_on,
            Target.ends_on >= starts_on,
        )
    )
    if overlapping is not None:
        raise DataError(
            f"the period {starts_on} to {ends_on} overlaps target {overlapping.id} "
            f"({overlapping.starts_on} to {overlapping.ends_on}) of the same indicator, area "
            "and group",
            column="starts_on",
        )
    target = Target(programme_id=programme_id, indicator=indicator, period_kind=period_kind,
                    starts_on=starts_on, ends_on=ends_on, area_id=area_id,
                    target_group=target_group, planned=planned, note=note)  # fmt: skip
    session.add(target)
    session.flush()
    write_audit(session, actor=actor, action="target.create", entity="target",
                entity_id=target.id, origin=origin,
                detail={"programme": programme_id, "indicator": indicator,
                        "period": f"{starts_on}/{ends_on}", "area": area_id,
                        "group": target_group.value, "planned": planned})  # fmt: skip
    return target

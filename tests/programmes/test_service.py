"""Programmes and targets: what is accepted, and bad input refused with the field named."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError, IpecError
from ipec.monitoring.models import AuditEntry
from ipec.programmes.models import PeriodKind, ProgrammeKind, TargetGroup
from ipec.programmes.service import PhaseInput, add_target, create_programme, period_end
from tests.programmes.world import world

Q, H, Y = PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR
G = TargetGroup


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        (Q, date(2026, 1, 1), date(2026, 3, 31)),
        (Q, date(2026, 11, 1), date(2027, 1, 31)),
        (H, date(2025, 10, 1), date(2026, 3, 31)),  # DOL's first half of a fiscal year
        (H, date(2026, 4, 1), date(2026, 9, 30)),
        (Y, date(2026, 1, 1), date(2026, 12, 31)),
        (Q, date(2024, 12, 1), date(2025, 2, 28)),
        (Q, date(2023, 12, 1), date(2024, 2, 29)),
    ],
)
def test_period_end(kind: PeriodKind, start: date, end: date) -> None:
    assert period_end(kind, start) == end


def _target(session: Session, **changes: object) -> object:
    made = world(session)
    values: dict[str, object] = {
        "programme_id": made.programme.id, "indicator": "E1", "period_kind": Q,
        "starts_on": date(2026, 1, 1), "area_id": made.a.id, "target_group": G.ALL,
        "planned": 10, "actor": "pm",
    }  # fmt: skip
    values.update({k: (getattr(made, v[1:]).id if isinstance(v, str) and v.startswith("@")
                       else v) for k, v in changes.items()})  # fmt: skip
    return add_target(session, **values)  # type: ignore[arg-type]


def test_target_accepted_and_audited(session: Session) -> None:
    target = _target(session)
    assert (target.starts_on, target.ends_on) == (date(2026, 1, 1), date(2026, 3, 31))  # type: ignore[attr-defined]
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["programme.create", "target.create"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"indicator": "POC9"}, "indicator"),
        ({"indicator": "L1", "target_group": G.GIRLS}, "target_group"),
        ({"indicator": "POC1", "target_group": G.WORST_FORMS}, "target_group"),
        ({"planned": -1}, "planned"),
        ({"indicator": "POC1", "planned": 1.5}, "planned"),
        ({"starts_on": date(2026, 1, 15)}, "starts_on"),
        ({"starts_on": date(2026, 12, 1)}, "starts_on"),  # ends in 2027, after the programme
        ({"area_id": "@b"}, "area_id"),  # outside the programme
    ],
)
def test_bad_targets_name_the_field(session: Session, changes: dict[str, object],
                                    field: str) -> None:  # fmt: skip
    with pytest.raises(DataError) as refused:
        _target(session, **changes)
    assert refused.value.column == field
    assert f"'{field}'" in str(refused.value)


def test_overlapping_periods_refused(session: Session) -> None:
    first = _target(session)
    programme_id, area_id = first.programme_id, first.area_id  # type: ignore[attr-defined]
    common = {"programme_id": programme_id, "indicator": "E1", "area_id": area_id,
              "target_group": G.ALL, "planned": 5, "actor": "pm"}  # fmt: skip
    with pytest.raises(DataError) as refused:
        add_target(session, period_kind=H, starts_on=date(2026, 1, 1), **common)  # type: ignore[arg-type]
    assert refused.value.column == "starts_on"
    assert "overlaps" in str(refused.value)
    # the next quarter, another group, another indicator: all fine
    add_target(session, period_kind=Q, starts_on=date(2026, 4, 1), **common)  # type: ignore[arg-type]
    add_target(session, period_kind=Q, starts_on=date(2026, 1, 1),
               **{**common, "target_group": G.GIRLS})  # type: ignore[arg-type]  # fmt: skip


def test_bad_programmes(session: Session) -> None:
    made = world(session)
    base: dict[str, object] = {"kind": ProgrammeKind.NATIONAL_TBP, "profile_id": "sdg-8.7.1",
                               "starts_on": date(2026, 1, 1), "ends_on": date(2030, 12, 31),
                               "area_ids": [made.a.id], "actor": "pm"}  # fmt: skip
    with pytest.raises(Conflict):
        create_programme(session, **{**base, "name": made.programme.name})  # type: ignore[arg-type]
    cases: list[tuple[dict[str, object], str]] = [
        ({"name": "  "}, "name"),
        ({"ends_on": date(2025, 1, 1)}, "ends_on"),
        ({"area_ids": []}, "area_ids"),
        ({"area_ids": [10**6]}, "area_ids"),
        ({"phases": [PhaseInput("one", date(2026, 1, 1), date(2027, 6, 30)),
                     PhaseInput("two", date(2027, 6, 1), date(2030, 12, 31))]}, "phases"),
        ({"phases": [PhaseInput("late", date(2030, 1, 1), date(2031, 1, 1))]}, "phases"),
    ]  # fmt: skip
    for changes, field in cases:
        with pytest.raises(DataError) as refused:
            create_programme(session, **{**base, "name": "TBP", **changes})  # type: ignore[arg-type]
        assert refused.value.column == field, changes
    with pytest.raises(IpecError, match="no-such-profile"):
        create_programme(session, **{**base, "name": "TBP", "profile_id": "no-such-profile"})  # type: ignore[arg-type]
    phased = create_programme(session, **{**base, "name": "TBP", "phases": [
        PhaseInput("implementation", date(2027, 1, 1), date(2030, 12, 31)),
        PhaseInput("inception", date(2026, 1, 1), date(2026, 12, 31))]})  # type: ignore[arg-type]  # fmt: skip
    assert [p.name for p in phased.phases] == ["inception", "implementation"]

"""Awareness raising: sessions recorded (bad input refused by field), counted by area and
period (worked by hand), and set as a programme's target."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring.awareness import (
    AwarenessCounts,
    AwarenessKind,
    awareness_counts,
    record_awareness,
)
from ipec.monitoring.metrics import Period
from ipec.monitoring.models import PartnerKind
from ipec.monitoring.service import create_area, create_partner
from ipec.programmes.models import PeriodKind, ProgrammeKind, TargetGroup
from ipec.programmes.results import planned_versus_achieved
from ipec.programmes.service import add_target, create_programme

K = AwarenessKind
TODAY = date(2026, 12, 31)


def _session(session: Session, area_id: int, day: date, kind: AwarenessKind,
             **people: int) -> None:  # fmt: skip
    record_awareness(session, held_on=day, area_id=area_id, kind=kind, participants=people,
                     actor="m", today=TODAY)  # fmt: skip


def test_counted_by_area_and_period(session: Session) -> None:
    """A: community meeting 10 Jan (12 women, 8 men, 3 girls, 2 boys), school session 5 Feb
    (40 girls, 35 boys), radio 1 Mar (nobody counted), community meeting 1 Jul (5 women).
    B (outside): school session 5 Feb (10 girls). First half of 2026 in A: 3 sessions;
    women 12, men 8, girls 43, boys 37; 100 participants. The programme's target of 4
    sessions for the half-year: 3 achieved; participants' girls: 43."""
    country = create_area(session, name="Country", level="country")
    a = create_area(session, name="A", level="district", parent_id=country.id)
    b = create_area(session, name="B", level="district", parent_id=country.id)
    _session(session, a.id, date(2026, 1, 10), K.COMMUNITY_MEETING, women=12, men=8, girls=3,
             boys=2)  # fmt: skip
    _session(session, a.id, date(2026, 2, 5), K.SCHOOL_SESSION, girls=40, boys=35)
    _session(session, a.id, date(2026, 3, 1), K.RADIO)
    _session(session, a.id, date(2026, 7, 1), K.COMMUNITY_MEETING, women=5)
    _session(session, b.id, date(2026, 2, 5), K.SCHOOL_SESSION, girls=10)
    half = Period(date(2026, 1, 1), date(2026, 6, 30))
    found = awareness_counts(session, area_path=a.path, period=half)
    assert found == [
        AwarenessCounts("total", 3, 12, 8, 43, 37),
        AwarenessCounts("community_meeting", 1, 12, 8, 3, 2),
        AwarenessCounts("school_session", 1, 0, 0, 40, 35),
        AwarenessCounts("radio", 1, 0, 0, 0, 0),
    ]
    assert found[0].participants == 100
    assert awareness_counts(session, area_path=country.path, period=half)[0].sessions == 4
    programme = create_programme(
        session, name="P", kind=ProgrammeKind.COMPANY_CLMRS, profile_id="sdg-8.7.1",
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), area_ids=[a.id], actor="pm",
    )  # fmt: skip
    targets = (("AWARENESS_SESSIONS", TargetGroup.ALL, 4),
               ("AWARENESS_PARTICIPANTS", TargetGroup.GIRLS, 50))  # fmt: skip
    for indicator, group, planned in targets:
        add_target(session, programme_id=programme.id, indicator=indicator,
                   period_kind=PeriodKind.HALF_YEAR, starts_on=date(2026, 1, 1), area_id=a.id,
                   target_group=group, planned=planned, actor="pm")  # fmt: skip
    achieved = {r.target.indicator: r.achieved.numerator
                for r in planned_versus_achieved(session, programme)}  # fmt: skip
    assert achieved == {"AWARENESS_SESSIONS": 3, "AWARENESS_PARTICIPANTS": 43}


def test_bad_sessions_name_the_field(session: Session) -> None:
    area = create_area(session, name="Country", level="country")
    partner = create_partner(session, name="Radio Rurale", kind=PartnerKind.MEDIA)
    good = {"held_on": date(2026, 5, 1), "area_id": area.id, "kind": K.RADIO,
            "participants": {}, "actor": "m", "today": TODAY, "partner_id": partner.id}  # fmt: skip
    record_awareness(session, **good)  # type: ignore[arg-type]
    for changes, field in (({"held_on": date(2027, 1, 1)}, "held_on"),
                           ({"area_id": 10**6}, "area_id"),
                           ({"partner_id": 10**6}, "partner_id"),
                           ({"participants": {"girls": -1}}, "girls"),
                           ({"participants": {"elders": 3}}, "elders")):  # fmt: skip
        with pytest.raises(DataError) as refused:
            record_awareness(session, **{**good, **changes})  # type: ignore[arg-type]
        assert refused.value.column == field

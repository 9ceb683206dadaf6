"""A small programme worked by hand: district A in the programme, B outside, C empty.

g1 (F, 2016-01-01): working 1 Feb 2026 (10: child labour), school enrolment 10 Feb.
b1 (M, 2011-01-01): hazardous 1 May (15), vocational training and income generation 10 May.
r1 (F, 2013-06-01): at risk from 1 Apr, school kit 2 Apr (13 on 30 Jun).
x  (F) in B: working 1 Feb, school kit 10 Feb (outside the programme).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ipec.monitoring import Sex
from ipec.monitoring.models import Area, ServiceType
from ipec.monitoring.service import add_service
from ipec.programmes.models import Programme, ProgrammeKind
from ipec.programmes.service import create_programme
from tests.monitoring.metrics.world import (
    HAZARDOUS,
    WORKING,
    area,
    at_risk_case,
    case_of,
    child,
    visit,
)

F, M = Sex.FEMALE, Sex.MALE
S = ServiceType


@dataclass(frozen=True, slots=True)
class World:
    programme: Programme
    a: Area
    b: Area
    c: Area


def world(session: Session) -> World:
    country = area(session, "Country")
    a, b, c = (area(session, name, country) for name in "ABC")
    g1 = child(session, a, "g1", F, date(2016, 1, 1))
    visit(session, g1, date(2026, 2, 1), WORKING)
    add_service(session, case_id=case_of(session, g1).id, service=S.SCHOOL_ENROLMENT,
                started_on=date(2026, 2, 10), actor="m")  # fmt: skip
    b1 = child(session, a, "b1", M, date(2011, 1, 1))
    visit(session, b1, date(2026, 5, 1), HAZARDOUS)
    for service in (S.VOCATIONAL_TRAINING, S.INCOME_GENERATION):
        add_service(session, case_id=case_of(session, b1).id, service=service,
                    started_on=date(2026, 5, 10), actor="m")  # fmt: skip
    r1 = child(session, a, "r1", F, date(2013, 6, 1))
    add_service(session, case_id=at_risk_case(session, r1, date(2026, 4, 1)).id,
                service=S.SCHOOL_KIT, started_on=date(2026, 4, 2), actor="m")  # fmt: skip
    x = child(session, b, "x", F, date(2015, 1, 1))
    visit(session, x, date(2026, 2, 1), WORKING)
    add_service(session, case_id=case_of(session, x).id, service=S.SCHOOL_KIT,
                started_on=date(2026, 2, 10), actor="m")  # fmt: skip
    programme = create_programme(
        session, name="Cocoa communities 2026", kind=ProgrammeKind.DONOR_PROJECT,
        profile_id="sdg-8.7.1", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        area_ids=[a.id], actor="pm", donor="US DOL",
    )  # fmt: skip
    return World(programme, a, b, c)

"""The prevention path (SQLite and PostgreSQL): the rule proposes siblings of a child in child
labour and children out of school; a case worker opens an at-risk case for a reason that holds
(or another, with a note); bad input is refused naming the field; and "prevented" is counted
on hand-worked histories of cases opened this way (docs/monitoring.md, "Prevention")."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError
from ipec.monitoring import AuditEntry, CaseEvent, CaseKind, CaseStatus, Child, Sex
from ipec.monitoring.metrics import Period, outcome_counts
from ipec.monitoring.models import LeaveReason, ServiceType
from ipec.monitoring.prevention import Proposal, RiskReason, open_at_risk, proposals
from ipec.monitoring.service import add_service, record_leaving
from tests.monitoring.metrics.world import (
    CLEAN,
    TODAY,
    WORKING,
    area,
    case_of,
    household,
    visit,
)

AGES = (5, 17)
F, M = Sex.FEMALE, Sex.MALE
JAN, FEB, JUN = date(2026, 1, 10), date(2026, 2, 1), date(2026, 6, 1)


def _family(session: Session) -> dict[str, int]:
    """Kofi (2014) found working on 10 January; his sisters Ama (2016) and Efua (2007, 18 by
    then: outside the ages), his brother Yaw (2018) seen clean that day; another household
    with Esi (2015), who attended none of the 40 school days at her visit."""
    place = area(session, "Village")
    kofi, ama, efua, yaw = household(session, place, ("Kofi", M, date(2014, 2, 1)),
                                     ("Ama", F, date(2016, 5, 1)), ("Efua", F, date(2007, 3, 1)),
                                     ("Yaw", M, date(2018, 8, 1)))  # fmt: skip
    visit(session, kofi, JAN, WORKING)
    visit(session, ama, JAN, CLEAN)
    visit(session, yaw, JAN, CLEAN)
    (esi,) = household(session, place, ("Esi", F, date(2015, 4, 1)))
    visit(session, esi, JAN, CLEAN, attended=0, days_open=40)
    return {"kofi": kofi.id, "ama": ama.id, "efua": efua.id, "yaw": yaw.id, "esi": esi.id,
            "home": kofi.household_id, "esi_home": esi.household_id}  # fmt: skip


def _open(session: Session, child_id: int, reason: RiskReason | str, note: str | None = None,
          on: date = JAN) -> int:  # fmt: skip
    return open_at_risk(session, child_id=child_id, reason=reason, note=note, opened_on=on,
                        ages=AGES, actor="w", today=TODAY).id  # fmt: skip


def test_the_rule_proposes_siblings_and_children_out_of_school(session: Session) -> None:
    ids = _family(session)
    kofi = session.get_one(Child, ids["kofi"])
    # Efua is 18: outside the ages; Kofi has his child-labour case
    assert proposals(session, ids["home"], today=JAN, ages=AGES) == [
        Proposal(ids["ama"], (RiskReason.SIBLING,), (kofi.pseudonym,)),
        Proposal(ids["yaw"], (RiskReason.SIBLING,), (kofi.pseudonym,)),
    ]
    assert proposals(session, ids["esi_home"], today=JAN, ages=AGES) == [
        Proposal(ids["esi"], (RiskReason.OUT_OF_SCHOOL,))
    ]
    # once opened, a child is no longer proposed; a child who left neither
    _open(session, ids["ama"], RiskReason.SIBLING)
    yaw = session.get_one(Child, ids["yaw"])
    record_leaving(session, child_id=yaw.id, expected_version=yaw.version, left_on=FEB,
                   reason=LeaveReason.MOVED, actor="w", today=TODAY)  # fmt: skip
    assert proposals(session, ids["home"], today=FEB, ages=AGES) == []


def test_opening_writes_the_case_its_history_and_the_audit(session: Session) -> None:
    ids = _family(session)
    case_id = _open(session, ids["esi"], RiskReason.OUT_OF_SCHOOL, "  no fees this term ")
    case = case_of(session, session.get_one(Child, ids["esi"]))
    assert (case.id, case.kind, case.status, case.opened_on) == (
        case_id, CaseKind.AT_RISK, CaseStatus.AT_RISK, JAN)  # fmt: skip
    event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).one()
    assert (event.action, event.from_status, event.to_status, event.reason) == (
        "open_at_risk", None, CaseStatus.AT_RISK, "out_of_school: no fees this term")  # fmt: skip
    opened = select(AuditEntry).where(AuditEntry.action == "case.open",
                                      AuditEntry.entity_id == case_id)  # fmt: skip
    audit = session.scalars(opened).one()
    assert audit.detail == {"child": ids["esi"], "kind": "at_risk", "reason": "out_of_school",
                            "note": "no fees this term"}  # fmt: skip
    # by hand, for another reason, with a note
    other = _open(
        session, ids["efua"], RiskReason.OTHER, "works at the market", on=date(2025, 1, 5)
    )
    assert other > case_id


@pytest.mark.parametrize(
    ("who", "reason", "note", "on", "column"),
    [
        ("yaw", "lazy", None, JAN, "reason"),
        ("yaw", "other", "   ", JAN, "note"),
        ("yaw", "other", "x" * 2001, JAN, "note"),
        ("esi", "sibling_in_child_labour", None, JAN, "reason"),  # no sibling in child labour
        ("yaw", "out_of_school", None, JAN, "reason"),  # attendance not recorded
        ("efua", "sibling_in_child_labour", None, JAN, "child_id"),  # 18
        ("yaw", "sibling_in_child_labour", None, date(2027, 1, 1), "opened_on"),  # future
        ("yaw", "sibling_in_child_labour", None, date(2018, 1, 1), "opened_on"),  # unborn
    ],
)
def test_bad_input_is_refused_naming_the_field(
    session: Session, who: str, reason: str, note: str | None, *, on: date, column: str
) -> None:
    ids = _family(session)
    with pytest.raises(DataError) as refused:
        _open(session, ids[who], reason, note, on)
    assert refused.value.column == column


def test_a_child_with_an_open_case_is_refused(session: Session) -> None:
    ids = _family(session)
    with pytest.raises(Conflict, match="already has an open case"):
        _open(session, ids["kofi"], RiskReason.OTHER, "already in child labour")
    _open(session, ids["yaw"], RiskReason.SIBLING)
    with pytest.raises(Conflict):
        _open(session, ids["yaw"], RiskReason.SIBLING)


def test_prevented_on_hand_worked_histories(session: Session) -> None:
    """Period 2026; minimum age 15. Prevented: an at-risk case, not in child labour at its
    identification (its first visit from the day it opened), with a service by the period's
    end, not in child labour at the latest verification (two visits or more since it
    opened).

    - Ama (F, 10 on 1 June): sibling case opened 10 Jan, clean 10 Jan and 1 Jun, school kit 1 Feb ->
      prevented (female 5-11).
    - Yaw (M, 7): sibling case, clean 10 Jan and 1 Jun, no service -> nothing.
    - Esi (F, 11): out of school, case opened 10 Jan (clean that day), bridging class,
      working on 1 Jun -> the visit escalates the case; in child labour at the latest
      verification: nothing.
    - Kofi (M, 12): child-labour case (working 10 Jan), enrolment, clean 1 Jun -> withdrawn
      (male 12-14), not prevented.
    Total (withdrawn, protected, prevented) = (1, 0, 1).
    """
    ids = _family(session)
    kids = {name: session.get_one(Child, ids[name]) for name in ("kofi", "ama", "yaw", "esi")}
    ama = _open(session, ids["ama"], RiskReason.SIBLING)
    _open(session, ids["yaw"], RiskReason.SIBLING)
    esi = _open(session, ids["esi"], RiskReason.OUT_OF_SCHOOL)
    for case_id, service in (
        (ama, ServiceType.SCHOOL_KIT),
        (esi, ServiceType.BRIDGING_CLASS),
        (case_of(session, kids["kofi"]).id, ServiceType.SCHOOL_ENROLMENT),
    ):
        add_service(session, case_id=case_id, service=service, started_on=FEB, actor="w")
    visit(session, kids["ama"], JUN, CLEAN)
    visit(session, kids["yaw"], JUN, CLEAN)
    visit(session, kids["esi"], JUN, WORKING)
    visit(session, kids["kofi"], JUN, CLEAN)
    assert case_of(session, kids["esi"]).status is CaseStatus.IDENTIFIED  # escalated
    found = outcome_counts(session, area_path="/", period=Period(date(2026, 1, 1), TODAY),
                           minimum_age=15)  # fmt: skip
    counts = {c.group: (c.withdrawn, c.protected, c.prevented) for c in found}
    assert counts == {"total": (1, 0, 1), "female*5-11": (0, 0, 1), "male*12-14": (1, 0, 0)}

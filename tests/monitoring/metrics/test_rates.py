"""Metrics computed by the database against counts worked out by hand (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import DataError
from ipec.monitoring import Case, Child, Sex
from ipec.monitoring.consent import record_consent
from ipec.monitoring.metrics import (
    Period,
    Rate,
    coverage,
    follow_up_compliance,
    hazardous_work_rate,
    identification_rate,
    referral_acceptance,
    support_rate,
)
from ipec.monitoring.models import (
    ConsentGiver,
    ConsentPurpose,
    FollowUp,
    PartnerKind,
    ReferralStatus,
    ServiceType,
)
from ipec.monitoring.service import (
    ChildInput,
    add_service,
    create_area,
    create_partner,
    record_visit,
    refer,
    register_household,
    schedule_follow_ups,
    update_child,
)
from ipec.standards import load_profile

SDG = load_profile("sdg-8.7.1")
TODAY = date(2026, 12, 31)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
WORKING = {"econ_any": True, "econ_hours": 30}
CLEAN = {"econ_any": False, "econ_hours": None}


def _world(session: Session) -> dict[str, object]:
    """District A: girl 10 (working), boy 13 (working), girl 16 (clean); district B: boy 9
    (working). Visits in 2026; A's two cases get services (girl: 2 kinds; boy: none)."""
    country = create_area(session, name="Country", level="country")
    a = create_area(session, name="A", level="district", parent_id=country.id)
    b = create_area(session, name="B", level="district", parent_id=country.id)
    register_household(session, area_id=a.id, head_name="H1", actor="m", today=TODAY, children=[
        ChildInput("girl 10", Sex.FEMALE, date(2015, 6, 1)),
        ChildInput("boy 13", Sex.MALE, date(2012, 6, 1)),
        ChildInput("girl 16", Sex.FEMALE, date(2009, 6, 1)),
    ])  # fmt: skip
    register_household(session, area_id=b.id, head_name="H2", actor="m", today=TODAY,
                       children=[ChildInput("boy 9", Sex.MALE, date(2016, 6, 1))])  # fmt: skip
    children = {c.name: c for c in session.scalars(select(Child))}
    for name, record in (("girl 10", WORKING), ("boy 13", WORKING), ("girl 16", CLEAN),
                         ("boy 9", WORKING)):  # fmt: skip
        record_visit(session, child_id=children[name].id, visit_date=date(2026, 2, 10),
                     monitor="m", consent=True, record=record, profile=SDG, actor="m",
                     today=TODAY)  # fmt: skip
    cases = {c.child_id: c for c in session.scalars(select(Case))}
    girl_case = cases[children["girl 10"].id]
    boy_case = cases[children["boy 13"].id]
    add_service(session, case_id=girl_case.id, service=ServiceType.SCHOOL_KIT,
                started_on=date(2026, 3, 1), actor="m")  # fmt: skip
    add_service(session, case_id=girl_case.id, service=ServiceType.CASH_TRANSFER,
                started_on=date(2026, 3, 1), actor="m")  # fmt: skip
    ngo = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    for case in (girl_case, boy_case):
        record_consent(session, child_id=case.child_id, purpose=ConsentPurpose.REFERRAL,
                       given_by=ConsentGiver.CAREGIVER, given_on=date(2026, 3, 2),
                       partner_id=ngo.id, actor="m", today=TODAY)  # fmt: skip
    accepted = refer(session, case_id=girl_case.id, partner_id=ngo.id,
                     reason="support", sent_on=date(2026, 3, 2), actor="m")  # fmt: skip
    accepted.status = ReferralStatus.ACCEPTED
    refer(session, case_id=boy_case.id, partner_id=ngo.id, reason="support",
          sent_on=date(2026, 3, 2), actor="m")  # fmt: skip
    follow = schedule_follow_ups(session, case_id=girl_case.id,
                                 remediation_start=date(2026, 3, 1), until=TODAY)  # fmt: skip
    done = record_visit(session, child_id=children["girl 10"].id, visit_date=date(2026, 6, 2),
                        monitor="m", consent=True, record=CLEAN, profile=SDG, actor="m",
                        today=TODAY)  # fmt: skip
    follow[0].visit_id = done.id
    session.flush()
    return {"a": a.path, "country": country.path, "follow": follow}


def test_identification_rate(session: Session) -> None:
    paths = _world(session)
    rates = {r.group: (r.numerator, r.denominator) for r in
             identification_rate(session, area_path=str(paths["a"]), period=YEAR)}  # fmt: skip
    # girl 10 was found working in February but clean in June: she was found in the period
    assert rates == {"total": (2, 3), "female*5-11": (1, 1), "female*15-17": (0, 1),
                     "male*12-14": (1, 1)}  # fmt: skip
    country = identification_rate(session, area_path=str(paths["country"]), period=YEAR)
    assert (country[0].numerator, country[0].denominator) == (3, 4)
    assert country[0].value == 0.75
    outside = identification_rate(session, area_path=str(paths["a"]),
                                  period=Period(date(2025, 1, 1), date(2025, 12, 31)))  # fmt: skip
    assert outside[0].value is None


def test_identification_groups_by_the_age_at_the_latest_visit(session: Session) -> None:
    """A birth date corrected between two visits: the later visit's age (11), not the largest
    (12), groups the child, in the period and in a past one (read from the visits)."""
    area = create_area(session, name="Corrected", level="district")
    register_household(session, area_id=area.id, head_name="H", actor="m", today=TODAY,
                       children=[ChildInput("girl", Sex.FEMALE, date(2013, 6, 1))])  # fmt: skip
    girl = session.scalars(select(Child).where(Child.name == "girl")).one()
    for day, born in ((date(2026, 2, 10), None), (date(2026, 3, 10), date(2014, 6, 1)),
                      (date(2026, 5, 1), None)):  # fmt: skip
        if born is not None:
            update_child(session, child_id=girl.id, expected_version=girl.version,
                         changes={"birth_date": born}, actor="m")  # fmt: skip
        record_visit(session, child_id=girl.id, visit_date=day, monitor="m", consent=True,
                     record=WORKING, profile=SDG, actor="m", today=TODAY)  # fmt: skip
    for period in (YEAR, Period(date(2026, 1, 1), date(2026, 4, 30))):
        rates = {r.group: (r.numerator, r.denominator) for r in
                 identification_rate(session, area_path=area.path, period=period)}  # fmt: skip
        assert rates == {"total": (1, 1), "female*5-11": (1, 1)}


def test_support_rate(session: Session) -> None:
    paths = _world(session)
    one = {r.group: (r.numerator, r.denominator) for r in
           support_rate(session, area_path=str(paths["a"]), period=YEAR)}  # fmt: skip
    assert one == {"total": (1, 2), "female*5-11": (1, 1), "male*12-14": (0, 1)}
    two = support_rate(session, area_path=str(paths["a"]), period=YEAR, at_least=2)
    assert (two[0].numerator, two[0].denominator) == (1, 2)
    four = support_rate(session, area_path=str(paths["a"]), period=YEAR, at_least=4)
    assert (four[0].numerator, four[0].denominator) == (0, 2)


def test_follow_up_compliance_and_referrals(session: Session) -> None:
    paths = _world(session)
    due = [f.due_on for f in paths["follow"]]  # type: ignore[attr-defined]
    # 1 Mar 2026 + 3, 6, 12 months: June, September and March 2027 (outside the year)
    assert due == [date(2026, 6, 1), date(2026, 9, 1)]
    compliance = follow_up_compliance(session, area_path=str(paths["a"]), period=YEAR)
    assert (compliance[0].numerator, compliance[0].denominator) == (1, 2)
    referrals = referral_acceptance(session, area_path=str(paths["country"]), period=YEAR)
    assert (referrals.numerator, referrals.denominator, referrals.value) == (1, 2, 0.5)
    assert session.scalars(select(FollowUp)).all()


def test_coverage(session: Session) -> None:
    """Households visited after 30 Jun 2025 and up to 30 Jun 2026 / households registered.

    Country > A (> A1), B; and Other, a second country. Households and their visits:
    H1 in A: 10 Feb 2026 (in). H2 in A1: 30 Jun 2025 (exactly a year before: out).
    H3 in A1: 1 Jul 2025 (in, though before the period starts). H4 in B: 1 Jul 2026 (after
    the end: out). H5 in B: never. H6 in the country itself: 1 Mar 2026 (in; total only).
    H7 in B: two children, both visited 1 May 2026 (one household). H8 in Other: visited.
    Country: 4 / 7; A 2 / 3 (H1, H2, H3); B 1 / 3 (H4, H5, H7). A alone: 2 / 3, A1 1 / 2.
    """
    country = create_area(session, name="Country", level="country")
    a = create_area(session, name="A", level="district", parent_id=country.id)
    a1 = create_area(session, name="A1", level="community", parent_id=a.id)
    b = create_area(session, name="B", level="district", parent_id=country.id)
    c = create_area(session, name="C", level="district", parent_id=country.id)
    other = create_area(session, name="Other", level="country")
    born = date(2015, 1, 1)
    plan = [(a, [date(2026, 2, 10)]), (a1, [date(2025, 6, 30)]), (a1, [date(2025, 7, 1)]),
            (b, [date(2026, 7, 1)]), (b, []), (country, [date(2026, 3, 1)]),
            (b, [date(2026, 5, 1), date(2026, 5, 1)]), (other, [date(2026, 2, 1)])]  # fmt: skip
    for number, (where, days) in enumerate(plan, start=1):
        kids = [ChildInput(f"child {number}-{i}", Sex.FEMALE, born) for i in range(len(days))]
        made = register_household(session, area_id=where.id, head_name=f"H{number}",
                                  children=kids, actor="m", today=TODAY)  # fmt: skip
        session.refresh(made)
        for kid, day in zip(sorted(made.children, key=lambda k: k.id), days, strict=True):
            record_visit(session, child_id=kid.id, visit_date=day, monitor="m", consent=True,
                         record=CLEAN, profile=SDG, actor="m", today=TODAY)  # fmt: skip
    period = Period(date(2026, 1, 1), date(2026, 6, 30))

    def found(path: str) -> list[tuple[str, int, int]]:
        return [(r.group, r.numerator, r.denominator)
                for r in coverage(session, area_path=path, period=period)]  # fmt: skip

    assert found(country.path) == [("total", 4, 7), ("area:A", 2, 3), ("area:B", 1, 3)]
    assert found(a.path) == [("total", 2, 3), ("area:A1", 1, 2)]
    assert found(a1.path) == [("total", 1, 2)]
    assert found(c.path) == [("total", 0, 0)]
    assert coverage(session, area_path=c.path, period=period)[0].value is None
    # a year later nothing of that was in the 12 months
    later = coverage(session, area_path=country.path,
                     period=Period(date(2027, 7, 1), date(2027, 7, 1)))  # fmt: skip
    assert (later[0].numerator, later[0].denominator) == (0, 7)


def test_periods_in_order_and_in_range() -> None:
    with pytest.raises(DataError, match=r"starts \(2026-02-01\) after it ends"):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(DataError, match="0001-01-01 is outside the dates a period may cover"):
        Period(date(1, 1, 1), date(2026, 1, 1))
    assert Period(date(1900, 1, 1), date(2199, 12, 31)).end.year == 2199


def test_hazardous_work_rate_by_hand(session: Session) -> None:
    """Each child judged at its latest visit in 2026 (45 hours is hazardous under 18, 30 hours
    is not): girl 16 hazardous in Feb, clean in Jun (0); boy 13 hazardous in Feb (1); girl 10
    working 30 hours (0); boy 16 hazardous in Feb 2026 and clean in Jan 2027, after the
    period (1: read from his visits up to the period's end, not his stored snapshot)."""
    area = create_area(session, name="Hazards", level="district")
    hazardous = {"econ_any": True, "econ_hours": 45}
    register_household(session, area_id=area.id, head_name="H", actor="m", today=TODAY,
                       children=[ChildInput("girl 16", Sex.FEMALE, date(2009, 6, 1)),
                                 ChildInput("boy 13", Sex.MALE, date(2012, 6, 1)),
                                 ChildInput("girl 10", Sex.FEMALE, date(2015, 6, 1)),
                                 ChildInput("boy 16", Sex.MALE, date(2009, 8, 1))])  # fmt: skip
    kids = {c.name: c.id for c in session.scalars(select(Child))}
    feb, jun = date(2026, 2, 10), date(2026, 6, 1)
    plan = [("girl 16", feb, hazardous), ("girl 16", jun, CLEAN), ("boy 13", feb, hazardous),
            ("girl 10", feb, WORKING), ("boy 16", feb, hazardous),
            ("boy 16", date(2027, 1, 5), CLEAN)]  # fmt: skip
    for name, day, record in plan:
        record_visit(session, child_id=kids[name], visit_date=day, monitor="m", consent=True,
                     record=record, profile=SDG, actor="m", today=date(2027, 1, 31))  # fmt: skip
    rates = {r.group: (r.numerator, r.denominator) for r in
             hazardous_work_rate(session, area_path=area.path, period=YEAR)}  # fmt: skip
    assert rates == {"total": (2, 4), "female*15-17": (0, 1), "male*12-14": (1, 1),
                     "female*5-11": (0, 1), "male*15-17": (1, 1)}  # fmt: skip
    past = hazardous_work_rate(session, area_path=area.path,
                               period=Period(date(2025, 1, 1), date(2025, 12, 31)))  # fmt: skip
    assert past == [Rate("total", 0, 0)]

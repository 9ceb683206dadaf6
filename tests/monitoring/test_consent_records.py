"""Consent as records (SQLite, PostgreSQL): who gave it, for what, when; withdrawal; the
referral rule (consent for the partner, or an override for a worst form only); what the
partner sees before and after a withdrawal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring import AuditEntry, Case, Child, Sex
from ipec.monitoring.consent import (
    Shared,
    active_consent,
    consents_of,
    record_consent,
    shared_with_partner,
    withdraw_consent,
)
from ipec.monitoring.models import (
    ConsentGiver,
    ConsentPurpose,
    PartnerKind,
    Referral,
    ReferralStatus,
    ServiceType,
)
from ipec.monitoring.service import (
    ChildInput,
    create_area,
    create_partner,
    record_visit,
    refer,
    register_household,
)
from ipec.standards import load_profile

SDG = load_profile("sdg-8.7.1")
TODAY = date(2026, 6, 1)
REFERRAL, CAREGIVER = ConsentPurpose.REFERRAL, ConsentGiver.CAREGIVER


def _case(session: Session, *, worst: bool) -> tuple[Child, Case]:
    area = create_area(session, name="District", level="district")
    household = register_household(
        session, area_id=area.id, head_name="Head", actor="m", today=TODAY,
        children=[ChildInput("Awa", Sex.FEMALE, date(2013, 3, 1))],
    )  # fmt: skip
    child = session.scalars(select(Child).where(Child.household_id == household.id)).one()
    answers = {"econ_any": True, "econ_hours": 30, "wfcl_other": worst}
    record_visit(session, child_id=child.id, visit_date=date(2026, 2, 1), monitor="m",
                 consent=True, record=answers, profile=SDG, actor="m", today=TODAY)  # fmt: skip
    return child, session.scalars(select(Case).where(Case.child_id == child.id)).one()


def test_a_consent_records_who_what_when_and_is_audited(session: Session) -> None:
    child, _ = _case(session, worst=False)
    ngo = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    given = record_consent(session, child_id=child.id, purpose=REFERRAL, given_by=CAREGIVER,
                           giver_name=" Mother ", given_on=date(2026, 2, 2), partner_id=ngo.id,
                           contact=" +225 01 02 ", actor="m", today=TODAY)  # fmt: skip
    assert (given.giver_name, given.contact, given.recorded_by) == ("Mother", "+225 01 02", "m")
    visit = record_consent(session, child_id=child.id, purpose=ConsentPurpose.VISIT_RECORD,
                           given_by=ConsentGiver.CHILD, given_on=date(2026, 2, 3), actor="m",
                           today=TODAY)  # fmt: skip
    assert [c.id for c in consents_of(session, child.id)] == [visit.id, given.id]
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "consent.give")).all()
    assert [(a.entity, a.entity_id, a.detail["consent"]) for a in audit] == [
        ("child", child.id, given.id), ("child", child.id, visit.id)]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"partner_id": None}, "partner_id", "names the partner"),
        ({"purpose": ConsentPurpose.VISIT_RECORD}, "partner_id", "names no partner"),
        ({"purpose": ConsentPurpose.DATA_SHARING, "contact": "x"}, "contact",
         "only with a partner"),
        ({"given_on": date(2026, 6, 2)}, "given_on", "in the future"),
        ({"given_on": date(2013, 2, 28)}, "given_on", "before the child's birth"),
        ({"contact": "x" * 201}, "contact", "longer than 200"),
    ],
)  # fmt: skip
def test_bad_consents_are_refused_naming_the_field(
    session: Session, changes: dict[str, object], column: str, message: str
) -> None:
    child, _ = _case(session, worst=False)
    ngo = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    given: dict[str, object] = {"child_id": child.id, "purpose": REFERRAL, "given_by": CAREGIVER,
                                "given_on": date(2026, 2, 2), "partner_id": ngo.id}  # fmt: skip
    with pytest.raises(DataError, match=message) as refused:
        record_consent(session, **{**given, **changes}, actor="m", today=TODAY)  # type: ignore[arg-type]
    assert refused.value.column == column
    with pytest.raises(NotFound, match="partner 999999 not found"):
        record_consent(session, **{**given, "partner_id": 999_999}, actor="m", today=TODAY)  # type: ignore[arg-type]


def test_a_referral_needs_consent_for_that_partner(session: Session) -> None:
    child, case = _case(session, worst=False)
    ngo = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    other = create_partner(session, name="Other NGO", kind=PartnerKind.NGO)
    record_consent(session, child_id=child.id, purpose=REFERRAL, given_by=CAREGIVER,
                   given_on=date(2026, 2, 2), partner_id=other.id, actor="m",
                   today=TODAY)  # fmt: skip
    with pytest.raises(DataError, match="needs the consent of the child or a caregiver") as no:
        refer(session, case_id=case.id, partner_id=ngo.id, reason="school", actor="m",
              sent_on=date(2026, 2, 3))  # fmt: skip
    assert no.value.column == "consent"
    # an override is for a worst form only, and needs its reason
    with pytest.raises(DataError, match="only for a worst form") as override:
        refer(session, case_id=case.id, partner_id=ngo.id, reason="school", actor="m",
              sent_on=date(2026, 2, 3), override_reason="urgent")  # fmt: skip
    assert override.value.column == "override_reason"
    consent = record_consent(session, child_id=child.id, purpose=REFERRAL, given_by=CAREGIVER,
                             given_on=date(2026, 2, 2), partner_id=ngo.id, actor="m",
                             today=TODAY)  # fmt: skip
    sent = refer(session, case_id=case.id, partner_id=ngo.id, reason="school", actor="m",
                 service=ServiceType.SCHOOL_ENROLMENT, sent_on=date(2026, 2, 3))  # fmt: skip
    assert (sent.consent, sent.consent_id, sent.override_reason) == (True, consent.id, None)
    assert sent.service is ServiceType.SCHOOL_ENROLMENT


def test_a_worst_form_may_be_referred_under_an_override_with_its_reason(session: Session) -> None:
    _child, case = _case(session, worst=True)
    police = create_partner(session, name="Police", kind=PartnerKind.GOVERNMENT)
    with pytest.raises(DataError, match="an override without consent needs a reason") as blank:
        refer(session, case_id=case.id, partner_id=police.id, reason="trafficking",
              sent_on=date(2026, 2, 2), actor="sup", override_reason="   ")  # fmt: skip
    assert blank.value.column == "override_reason"
    sent = refer(session, case_id=case.id, partner_id=police.id, reason="trafficking",
                 sent_on=date(2026, 2, 2), actor="sup",
                 override_reason=" the law requires it ")  # fmt: skip
    assert (sent.consent, sent.consent_id) == (False, None)
    assert (sent.override_by, sent.override_reason) == ("sup", "the law requires it")
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "referral.send")).one()
    assert audit.detail["override"] == "the law requires it"


def test_withdrawal_stops_sharing_and_new_referrals(session: Session) -> None:
    child, case = _case(session, worst=False)
    ngo = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    consent = record_consent(session, child_id=child.id, purpose=REFERRAL, given_by=CAREGIVER,
                             given_on=date(2026, 2, 2), partner_id=ngo.id, contact="+225 07",
                             actor="m", today=TODAY)  # fmt: skip
    sent = refer(session, case_id=case.id, partner_id=ngo.id, reason="school", actor="m",
                 sent_on=date(2026, 2, 3))  # fmt: skip
    before = shared_with_partner(session, sent, child.id)
    assert (before.child, before.contact) == (True, "+225 07")
    with pytest.raises(DataError, match="before the consent was given"):
        withdraw_consent(session, consent_id=consent.id, withdrawn_on=date(2026, 2, 1), actor="m",
                         today=TODAY)  # fmt: skip
    with pytest.raises(DataError, match="in the future"):
        withdraw_consent(session, consent_id=consent.id, withdrawn_on=date(2026, 6, 2), actor="m",
                         today=TODAY)  # fmt: skip
    withdraw_consent(session, consent_id=consent.id, withdrawn_on=date(2026, 3, 1), actor="m",
                     reason="the family changed its mind", today=TODAY)  # fmt: skip
    assert (consent.withdrawn_on, consent.withdrawn_by) == (date(2026, 3, 1), "m")
    seen = shared_with_partner(session, sent, child.id)
    assert (seen.child, seen.contact) == (False, None)
    assert active_consent(session, child_id=child.id, purpose=REFERRAL, partner_id=ngo.id) is None
    with pytest.raises(DataError, match=r"withdrawn on 2026-03-01"):
        refer(session, case_id=case.id, partner_id=ngo.id, reason="again", actor="m",
              sent_on=date(2026, 3, 2))  # fmt: skip
    with pytest.raises(Conflict, match="already withdrawn"):
        withdraw_consent(session, consent_id=consent.id, withdrawn_on=date(2026, 3, 2), actor="m",
                         today=TODAY)  # fmt: skip
    # a new consent allows sharing again, with its own contact
    record_consent(session, child_id=child.id, purpose=REFERRAL, given_by=ConsentGiver.CHILD,
                   given_on=date(2026, 4, 1), partner_id=ngo.id, contact="school office",
                   actor="m", today=TODAY)  # fmt: skip
    again = shared_with_partner(session, sent, child.id)
    assert (again.child, again.contact) == (True, "school office")
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "m")))
    assert actions.count("consent.withdraw") == 1


def test_an_override_referral_shows_the_child_but_no_contact(session: Session) -> None:
    child, case = _case(session, worst=True)
    police = create_partner(session, name="Police", kind=PartnerKind.GOVERNMENT)
    sent = refer(session, case_id=case.id, partner_id=police.id, reason="trafficking",
                 sent_on=date(2026, 2, 2), actor="sup", override_reason="legal duty")  # fmt: skip
    seen = shared_with_partner(session, sent, child.id)
    assert (seen.child, seen.contact) == (True, None)


def test_a_referral_made_before_consent_records_keeps_its_flag(session: Session) -> None:
    """A referral written with the old consent flag (the demo's, a database of before) shows
    the child until a referral consent for that partner is withdrawn; a flag false shows
    nothing."""
    child, case = _case(session, worst=False)
    ngo = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    flagged, unflagged = (
        Referral(case_id=case.id, partner_id=ngo.id, consent=flag, status=ReferralStatus.SENT,
                 reason="old", sent_on=date(2026, 2, 2))
        for flag in (True, False)
    )  # fmt: skip
    session.add_all([flagged, unflagged])
    session.flush()
    assert shared_with_partner(session, flagged, child.id) == Shared(child=True, contact=None)
    assert shared_with_partner(session, unflagged, child.id) == Shared(child=False, contact=None)
    given = record_consent(session, child_id=child.id, purpose=REFERRAL, given_by=CAREGIVER,
                           given_on=date(2026, 3, 1), partner_id=ngo.id, actor="m",
                           today=TODAY)  # fmt: skip
    withdraw_consent(session, consent_id=given.id, withdrawn_on=date(2026, 3, 2), actor="m",
                     today=TODAY)  # fmt: skip
    assert shared_with_partner(session, flagged, child.id) == Shared(child=False, contact=None)

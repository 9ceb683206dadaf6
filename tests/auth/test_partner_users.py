"""Partner users (SQLite, PostgreSQL): linked to a partner, created by administrators of the
whole programme only; they reach the referrals sent to their partner and nothing else (every
other gate finds nothing), every reading is audited; they accept, reject with a reason and
report done, and may not revoke."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import (
    Operation,
    Principal,
    Role,
    access_case,
    access_case_record,
    access_child,
    access_household,
    area_in_scope,
    children_in_scope,
    create_user,
    partner_referral,
    principal_of,
    read_list,
    read_metrics,
    read_partner_referrals,
)
from ipec.auth.service import UserRuleBroken, add_user, list_users, update_user
from ipec.errors import Conflict, DataError, NotFound, PermissionDenied
from ipec.monitoring import AuditEntry, Case, CaseKind, CaseStatus, Child
from ipec.monitoring.consent import record_consent
from ipec.monitoring.models import ConsentGiver, ConsentPurpose, PartnerKind, Referral, Sex
from ipec.monitoring.queries import CaseFilter, CaseList
from ipec.monitoring.referrals import answer_referral, partner_view
from ipec.monitoring.service import (
    ChildInput,
    create_area,
    create_partner,
    refer,
    register_household,
)

PASSWORD = "a long enough password"
TODAY = date(2026, 6, 1)


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    """A country, district A; two children with a case each; child 1 referred to the
    inspectorate, child 2 to an NGO; a partner user of each partner, an administrator of the
    country, a manager."""
    country = create_area(session, name="Country", level="country")
    district = create_area(session, name="A", level="district", parent_id=country.id)
    household = register_household(
        session, area_id=district.id, head_name="Head", actor="m", today=TODAY,
        children=[ChildInput("One", Sex.FEMALE, date(2014, 1, 1)),
                  ChildInput("Two", Sex.MALE, date(2012, 7, 1))],
    )  # fmt: skip
    children = list(session.scalars(select(Child).where(Child.household_id == household.id)
                                    .order_by(Child.id)))  # fmt: skip
    inspectorate = create_partner(session, name="Inspectorate", kind=PartnerKind.GOVERNMENT)
    ngo = create_partner(session, name="NGO", kind=PartnerKind.NGO)
    ids = {"country": country.id, "district": district.id, "household": household.id,
           "inspectorate": inspectorate.id, "ngo": ngo.id}  # fmt: skip
    for key, child, partner in (("1", children[0], inspectorate), ("2", children[1], ngo)):
        case = Case(child_id=child.id, kind=CaseKind.CHILD_LABOUR, status=CaseStatus.IDENTIFIED,
                    opened_on=date(2026, 1, 2))  # fmt: skip
        session.add(case)
        session.flush()
        record_consent(session, child_id=child.id, purpose=ConsentPurpose.REFERRAL,
                       given_by=ConsentGiver.CAREGIVER, given_on=date(2026, 1, 3),
                       partner_id=partner.id, contact=f"phone {key}", actor="m",
                       today=TODAY)  # fmt: skip
        referral = refer(session, case_id=case.id, partner_id=partner.id, reason="support",
                         sent_on=date(2026, 1, 4), actor="m")  # fmt: skip
        ids.update({f"child_{key}": child.id, f"case_{key}": case.id,
                    f"referral_{key}": referral.id})  # fmt: skip
    for name, role, area, partner_id in (
        ("inspector", Role.PARTNER, None, inspectorate.id),
        ("ngo-user", Role.PARTNER, None, ngo.id),
        ("root", Role.ADMIN, country.id, None),
        ("manager", Role.PROGRAMME_MANAGER, country.id, None),
        ("monitor", Role.MONITOR, district.id, None),
    ):
        user = create_user(session, username=name, display_name=name, password=PASSWORD,
                           role=role, area_id=area, partner_id=partner_id)  # fmt: skip
        ids[name] = user.id
    return ids


def _as(session: Session, world: dict[str, int], name: str) -> Principal:
    from ipec.auth import User

    user = session.get(User, world[name])
    assert user is not None
    return principal_of(session, user)


def test_a_partner_user_reaches_its_referrals_only(session: Session, world: dict[str, int]) -> None:
    inspector = _as(session, world, "inspector")
    assert (inspector.role, inspector.partner_id) == (Role.PARTNER, world["inspectorate"])
    own = partner_referral(session, inspector, world["referral_1"], origin="10.1.1.1")
    assert own.id == world["referral_1"]
    for referral in (world["referral_2"], 999_999):
        with pytest.raises(NotFound, match=f"referral {referral} not found"):
            partner_referral(session, inspector, referral)
    # staff reach referrals through the case, never through the partner gate
    with pytest.raises(NotFound):
        partner_referral(session, _as(session, world, "root"), world["referral_1"])
    entry = session.scalars(select(AuditEntry).where(AuditEntry.actor == "inspector")).one()
    assert (entry.action, entry.entity, entry.entity_id, entry.origin) == (
        "referral.read", "child", world["child_1"], "10.1.1.1")  # fmt: skip
    assert entry.detail["referral"] == world["referral_1"]


def test_every_other_gate_finds_nothing_for_a_partner(
    session: Session, world: dict[str, int]
) -> None:
    """Even the child of its own referral: the partner sees it only through the referral."""
    inspector = _as(session, world, "inspector")
    for operation in Operation:
        with pytest.raises(NotFound):
            access_child(session, inspector, world["child_1"], operation)
        with pytest.raises(NotFound):
            access_case(session, inspector, world["case_1"], operation)
        with pytest.raises(NotFound):
            access_household(session, inspector, world["household"], operation)
        with pytest.raises(NotFound):
            access_case_record(session, inspector, Referral, world["referral_1"],
                               what="referral", operation=operation)  # fmt: skip
    for area in (world["country"], world["district"]):
        with pytest.raises(NotFound):
            area_in_scope(session, inspector, area)
    assert session.scalars(children_in_scope(inspector)).all() == []
    listing = CaseList(CaseFilter(), TODAY, page=1, per_page=10)
    with pytest.raises(PermissionDenied, match="a partner may not read the lists"):
        read_list(session, inspector, listing)
    with pytest.raises(PermissionDenied, match="a partner may not read the programme's figures"):
        read_metrics(session, inspector, None, start=TODAY, end=TODAY, view="x")


def test_the_partner_list_is_its_own_and_audited(session: Session, world: dict[str, int]) -> None:
    rows = read_partner_referrals(session, _as(session, world, "ngo-user"))
    assert [row.Referral.id for row in rows] == [world["referral_2"]]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.actor == "ngo-user")).one()
    assert (entry.action, entry.detail["children"]) == ("referral.list", [world["child_2"]])
    with pytest.raises(PermissionDenied, match="only a partner user"):
        read_partner_referrals(session, _as(session, world, "monitor"))


def test_the_partner_view_is_minimal(session: Session, world: dict[str, int]) -> None:
    referral = session.get(Referral, world["referral_1"])
    assert referral is not None
    view = partner_view(session, referral, world["child_1"], today=TODAY)
    # born 2014-01-01: 12 on 2026-06-01
    assert (view.pseudonym, view.age, view.sex, view.contact) == (
        f"C-{world['child_1']:07d}", 12, Sex.FEMALE, "phone 1")  # fmt: skip
    assert not hasattr(view, "name")
    assert not hasattr(view, "household_id")
    assert [answer.value for answer in view.answers] == ["accepted", "rejected"]


def test_a_partner_answers_accept_reject_done(session: Session, world: dict[str, int]) -> None:
    first = session.get(Referral, world["referral_1"])
    second = session.get(Referral, world["referral_2"])
    assert first is not None
    assert second is not None
    with pytest.raises(DataError, match="needs a reason") as refused:
        answer_referral(session, referral=first, status="rejected", note="  ", actor="inspector")  # type: ignore[arg-type]
    assert refused.value.column == "note"
    with pytest.raises(PermissionDenied, match="may not mark a referral revoked"):
        answer_referral(session, referral=first, status="revoked", note=None, actor="inspector")  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="is sent and cannot become done"):
        answer_referral(session, referral=first, status="done", note=None, actor="inspector")  # type: ignore[arg-type]
    answer_referral(session, referral=first, status="accepted", note=None, actor="inspector")  # type: ignore[arg-type]
    answer_referral(session, referral=first, status="done", note="enrolled", actor="inspector")  # type: ignore[arg-type]
    assert (first.status.value, first.answered_by, first.answer_note) == (
        "done", "inspector", "enrolled")  # fmt: skip
    answer_referral(session, referral=second, status="rejected", note="no place this term",
                    actor="ngo-user")  # type: ignore[arg-type]  # fmt: skip
    assert (second.status.value, second.answer_note) == ("rejected", "no place this term")


def test_partner_users_are_made_by_administrators_of_the_whole_programme(
    session: Session, world: dict[str, int]
) -> None:
    root, manager = _as(session, world, "root"), _as(session, world, "manager")
    made = add_user(session, root, username="police", display_name="Police desk",
                    password=PASSWORD, role=Role.PARTNER, area_id=None,
                    partner_id=world["inspectorate"])  # fmt: skip
    assert (made.role, made.area_id, made.partner_id) == (Role.PARTNER, None,
                                                          world["inspectorate"])  # fmt: skip
    with pytest.raises(UserRuleBroken, match="only an administrator of the whole programme"):
        add_user(session, manager, username="p2", display_name="P", password=PASSWORD,
                 role=Role.PARTNER, area_id=None, partner_id=world["ngo"])  # fmt: skip
    bad = [({"partner_id": None}, "partner_id", "needs its partner organisation"),
           ({"area_id": world["district"]}, "area_id", "has no area")]  # fmt: skip
    for changes, column, message in bad:
        given = {"area_id": None, "partner_id": world["ngo"], **changes}
        with pytest.raises(DataError, match=message) as refused:
            add_user(session, root, username="p3", display_name="P", password=PASSWORD,
                     role=Role.PARTNER, **given)  # type: ignore[arg-type]  # fmt: skip
        assert refused.value.column == column
    with pytest.raises(DataError, match="has no partner") as other:
        add_user(session, root, username="m2", display_name="M", password=PASSWORD,
                 role=Role.MONITOR, area_id=world["district"], partner_id=world["ngo"])  # fmt: skip
    assert other.value.column == "partner_id"
    with pytest.raises(NotFound, match="partner 999999 not found"):
        add_user(session, root, username="p4", display_name="P", password=PASSWORD,
                 role=Role.PARTNER, area_id=None, partner_id=999_999)  # fmt: skip
    for user, role in ((made.id, Role.MONITOR), (world["monitor"], Role.PARTNER)):
        with pytest.raises(UserRuleBroken, match="stays a partner user"):
            update_user(session, root, user, role=role)
    update_user(session, root, made.id, active=False)
    assert not made.active
    listed = {row.User.username for row in list_users(session, root)}
    assert {"inspector", "police"} <= listed
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert entry.detail == {"role": "partner", "area": None, "partner": world["inspectorate"]}

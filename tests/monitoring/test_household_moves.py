"""A household moving to another area, a child added to a household, a child leaving the
register: history kept, the records' area copies as the move rules say, the read model and the
metrics following the household (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError
from ipec.monitoring import Case, Child, Household, Sex, Visit
from ipec.monitoring.metrics import Period, identification_rate
from ipec.monitoring.models import (
    AuditEntry,
    CaseFacts,
    ChildFacts,
    FollowUp,
    HouseholdMove,
    LeaveReason,
)
from ipec.monitoring.service import (
    ChildInput,
    add_child,
    check_location,
    locate_household,
    move_household,
    record_leaving,
    register_household,
    update_household,
)
from tests.monitoring.metrics.world import TODAY, WORKING, area, child, visit


def _moving_world(session: Session) -> tuple[Household, Child, int, int, int]:
    """A child of district A with a visit that opened a case with a follow-up; districts A
    and B of one country (their ids)."""
    country = area(session, "Country")
    a, b = area(session, "A", country), area(session, "B", country)
    kofi = child(session, a, "Kofi", Sex.MALE, date(2015, 1, 1))
    visit(session, kofi, date(2026, 3, 1), WORKING)
    case = session.scalars(select(Case).where(Case.child_id == kofi.id)).one()
    session.add(FollowUp(case_id=case.id, due_on=date(2026, 9, 1)))
    session.flush()
    household = session.get(Household, kofi.household_id)
    assert household is not None
    return household, kofi, country.id, a.id, b.id


def test_a_move_is_kept_and_takes_the_cases_along_but_not_the_visits(session: Session) -> None:
    household, kofi, _country, a, b = _moving_world(session)
    move = move_household(session, household_id=household.id, expected_version=household.version,
                          to_area_id=b, moved_on=date(2026, 6, 1), reason="new farm", actor="m",
                          today=TODAY)  # fmt: skip
    assert (move.from_area_id, move.to_area_id, move.reason) == (a, b, "new farm")
    assert household.area_id == b
    old = session.scalars(select(Visit).where(Visit.child_id == kofi.id)).one()
    assert old.area_id == a  # where it was made
    case = session.scalars(select(Case).where(Case.child_id == kofi.id)).one()
    assert case.area_id == b
    assert {f.area_id for f in session.scalars(select(FollowUp))} == {b}
    new = visit(session, kofi, date(2026, 7, 1), WORKING)
    assert new.area_id == b
    facts = session.get(ChildFacts, kofi.id)
    assert facts is not None
    assert facts.area_id == b
    case_facts = session.get(CaseFacts, case.id)
    assert case_facts is not None
    assert case_facts.area_id == b
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "household.move")).one()
    assert audit.detail["from"] == a
    assert audit.detail["to"] == b
    assert audit.detail["cases"] == [case.id]


def test_the_metrics_follow_the_household_from_its_move(session: Session) -> None:
    household, kofi, country, a, b = _moving_world(session)
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    path_a, path_b = f"/{country}/{a}/", f"/{country}/{b}/"

    def visited(path: str, period: Period) -> int:
        return identification_rate(session, area_path=path, period=period)[0].denominator

    assert (visited(path_a, year), visited(path_b, year)) == (1, 0)
    move_household(session, household_id=household.id, expected_version=household.version,
                   to_area_id=b, moved_on=date(2026, 6, 1), actor="m", today=TODAY)  # fmt: skip
    assert (visited(path_a, year), visited(path_b, year)) == (0, 1)
    visit(session, kofi, date(2026, 7, 1), WORKING)
    # a past period, computed from the visits up to its end: the child counts where it
    # lives now too (the stored and the computed snapshots agree)
    spring = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert (visited(path_a, spring), visited(path_b, spring)) == (0, 1)


def test_moves_are_refused_when_they_make_no_sense(session: Session) -> None:
    household, _kofi, _country, a, b = _moving_world(session)
    version = household.version
    with pytest.raises(DataError, match=r"is in area .* already"):
        move_household(session, household_id=household.id, expected_version=version,
                       to_area_id=a, moved_on=date(2026, 6, 1), actor="m", today=TODAY)  # fmt: skip
    with pytest.raises(DataError, match="in the future"):
        move_household(session, household_id=household.id, expected_version=version,
                       to_area_id=b, moved_on=date(2027, 6, 1), actor="m", today=TODAY)  # fmt: skip
    with pytest.raises(Conflict, match="changed by someone else"):
        move_household(session, household_id=household.id, expected_version=version - 1,
                       to_area_id=b, moved_on=date(2026, 6, 1), actor="m", today=TODAY)  # fmt: skip
    move_household(session, household_id=household.id, expected_version=version, to_area_id=b,
                   moved_on=date(2026, 6, 1), actor="m", today=TODAY)  # fmt: skip
    with pytest.raises(DataError, match="before the household's latest move"):
        move_household(session, household_id=household.id, expected_version=household.version,
                       to_area_id=a, moved_on=date(2026, 5, 1), actor="m", today=TODAY)  # fmt: skip
    moves = session.scalars(select(HouseholdMove).where(HouseholdMove.household_id
                                                        == household.id)).all()  # fmt: skip
    assert len(moves) == 1


def test_an_area_changes_only_by_a_recorded_move(session: Session) -> None:
    household, kofi, _country, _a, b = _moving_world(session)
    with session.begin_nested():
        household.area_id = b
        with pytest.raises(DataError, match=r"the area_id of household .* cannot change"):
            session.flush()
    case = session.scalars(select(Case).where(Case.child_id == kofi.id)).one()
    with session.begin_nested():
        case.area_id = b
        with pytest.raises(DataError, match=r"the area_id of case .* cannot change"):
            session.flush()
    with pytest.raises(DataError, match="cannot be changed: area_id"):
        update_household(session, household_id=household.id, expected_version=household.version,
                         changes={"area_id": b}, actor="m")  # fmt: skip


def test_a_child_is_added_to_an_existing_household(session: Session) -> None:
    household, kofi, *_ = _moving_world(session)
    ama = add_child(session, household_id=household.id, actor="m", today=TODAY,
                    child=ChildInput(" Ama ", Sex.FEMALE, date(2019, 5, 5)))  # fmt: skip
    assert (ama.name, ama.household_id, ama.active) == ("Ama", household.id, True)
    assert ama.pseudonym == f"C-{ama.id:07d}"
    with pytest.raises(DataError, match="already registered in this household"):
        add_child(session, household_id=household.id, actor="m", today=TODAY,
                  child=ChildInput("KOFI", Sex.MALE, kofi.birth_date))  # fmt: skip
    with pytest.raises(DataError, match="in the future"):
        add_child(session, household_id=household.id, actor="m", today=TODAY,
                  child=ChildInput("Yaw", Sex.MALE, date(2027, 1, 1)))  # fmt: skip
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == ama.id))
    assert "child.create" in list(actions)


def test_a_child_leaves_without_losing_its_history(session: Session) -> None:
    _household, kofi, *_ = _moving_world(session)
    version = kofi.version
    with pytest.raises(DataError, match="before the child's birth"):
        record_leaving(session, child_id=kofi.id, expected_version=version,
                       left_on=date(2010, 1, 1), reason=LeaveReason.DIED, actor="m",
                       today=TODAY)  # fmt: skip
    with pytest.raises(DataError, match="in the future"):
        record_leaving(session, child_id=kofi.id, expected_version=version,
                       left_on=date(2027, 1, 1), reason=LeaveReason.DIED, actor="m",
                       today=TODAY)  # fmt: skip
    left = record_leaving(session, child_id=kofi.id, expected_version=version,
                          left_on=date(2026, 10, 1), reason=LeaveReason.AGED_OUT, actor="m",
                          today=TODAY)  # fmt: skip
    assert (left.active, left.left_on, left.left_reason) == (False, date(2026, 10, 1),
                                                             LeaveReason.AGED_OUT)  # fmt: skip
    assert session.scalars(select(Visit).where(Visit.child_id == kofi.id)).all()
    assert session.scalars(select(Case).where(Case.child_id == kofi.id)).all()
    with pytest.raises(Conflict, match="already left"):
        record_leaving(session, child_id=kofi.id, expected_version=left.version,
                       left_on=date(2026, 10, 1), reason=LeaveReason.MOVED, actor="m",
                       today=TODAY)  # fmt: skip
    with pytest.raises(Conflict, match="changed by someone else"):
        record_leaving(session, child_id=kofi.id, expected_version=version,
                       left_on=date(2026, 10, 1), reason=LeaveReason.MOVED, actor="m",
                       today=TODAY)  # fmt: skip
    detail = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "child.leave"))
    assert list(detail) == [{"left_on": "2026-10-01", "reason": "aged_out"}]


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        (91.0, 0.0, "latitude 91.0 is outside -90 to 90"),
        (-90.5, 0.0, "latitude -90.5 is outside"),
        (0.0, 180.01, "longitude 180.01 is outside -180 to 180"),
        (float("nan"), 0.0, "latitude nan is outside"),
        (5.0, None, "the longitude is missing"),
        (None, 5.0, "the latitude is missing"),
        (True, 1.0, "must be a number"),
    ],
)
def test_gps_points_out_of_range_are_refused(
    latitude: float | None, longitude: float | None, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        check_location(latitude, longitude)


def test_a_gps_point_is_set_with_the_household_or_later(session: Session) -> None:
    where = area(session, "Country")
    household = register_household(session, area_id=where.id, head_name="Kofi", children=[],
                                   actor="m", today=TODAY, latitude=5.3364, longitude=-4.0267,
                                   supply_unit=" Coop ")  # fmt: skip
    assert (household.latitude, household.longitude, household.supply_unit) == (5.3364, -4.0267,
                                                                               "Coop")  # fmt: skip
    with pytest.raises(DataError, match="outside"):
        register_household(session, area_id=where.id, head_name="Ama", children=[], actor="m",
                           today=TODAY, latitude=100.0, longitude=0.0)  # fmt: skip
    locate_household(session, household_id=household.id, latitude=6.0, longitude=-5.0, actor="m")
    assert (household.latitude, household.longitude) == (6.0, -5.0)
    with pytest.raises(DataError, match="latitude is missing"):
        update_household(session, household_id=household.id, expected_version=household.version,
                         changes={"latitude": None}, actor="m")  # fmt: skip
    locate_household(session, household_id=household.id, latitude=None, longitude=None, actor="m")
    assert household.latitude is None

"""Area pickers list the user's areas in tree order, siblings sorted naturally by name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipec.auth import Principal, Role
from ipec.monitoring.service import create_area
from ipec.web.pages.common import areas_in_scope, natural_key


def test_numbers_in_names_sort_as_numbers() -> None:
    names = ["Zone 10", "zone 9", "Zone 1.1.10", "Zone 1.1.2", "Abidjan", "abengourou"]
    assert sorted(names, key=natural_key) == [
        "abengourou", "Abidjan", "Zone 1.1.2", "Zone 1.1.10", "zone 9", "Zone 10",
    ]  # fmt: skip


def test_areas_come_in_tree_order_with_siblings_sorted_naturally(session: Session) -> None:
    country = create_area(session, name="Country", level="country")
    district = create_area(session, name="District 2", level="district", parent_id=country.id)
    for name in ("1.1.10", "1.1.2", "1.1.1"):
        create_area(session, name=name, level="community", parent_id=district.id)
    first = create_area(session, name="District 10", level="district", parent_id=country.id)
    create_area(session, name="Village", level="community", parent_id=first.id)
    who = Principal(user_id=1, username="s", role=Role.SUPERVISOR, scope_path=country.path)
    assert [area.name for area in areas_in_scope(session, who)] == [
        "Country", "District 2", "1.1.1", "1.1.2", "1.1.10", "District 10", "Village",
    ]  # fmt: skip


def test_numbers_carry_the_languages_thousands_separator() -> None:
    from ipec.web.pages.render import format_number

    assert format_number(1234567, locale="en") == "1,234,567"
    assert format_number(1234567, locale="fr") == "1\u202f234\u202f567"

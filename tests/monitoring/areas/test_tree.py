"""The stored tree: depth first, siblings by name, with what each subtree holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ipec.errors import NotFound
from ipec.monitoring import Sex
from ipec.monitoring.areas import area_by_code, area_tree, import_areas, read_area_file
from ipec.monitoring.service import ChildInput, register_household
from tests.monitoring.areas.test_import import HEADER, HIERARCHY


@pytest.fixture
def imported(session: Session, tmp_path: Path) -> Session:
    path = tmp_path / "areas.csv"
    path.write_text(HEADER + HIERARCHY, encoding="utf-8")
    import_areas(session, read_area_file(path), actor="tester")
    for code, children in (("XL-N-01-001", 2), ("XL-N-01-002", 1), ("XL-S-01", 3)):
        register_household(
            session, area_id=area_by_code(session, code).id, head_name=f"Head {code}",
            actor="tester",
            children=[ChildInput(f"Child {n}", Sex.MALE, date(2015, 1, n + 1))
                      for n in range(children)],
        )  # fmt: skip
    return session


def test_the_tree_with_its_counts(imported: Session) -> None:
    lines = [(n.depth, n.code, n.areas_below, n.households, n.children)
             for n in area_tree(imported)]  # fmt: skip
    assert lines == [
        (0, "XL", 7, 3, 6),
        (1, "XL-N", 3, 2, 3),
        (2, "XL-N-01", 2, 2, 3),  # Harbour
        (3, "XL-N-01-002", 0, 1, 1),  # Lighthouse, before Portside
        (3, "XL-N-01-001", 0, 1, 2),
        (1, "XL-S", 2, 1, 3),
        (2, "XL-S-01", 1, 1, 3),
        (3, "XL-S-01-001", 0, 0, 0),
    ]


def test_a_subtree_to_a_depth(imported: Session) -> None:
    found = area_tree(imported, under="XL-N", depth=1)
    assert [(n.depth, n.code, n.name, n.level) for n in found] == [
        (0, "XL-N", "North", "region"), (1, "XL-N-01", "Harbour", "district")
    ]  # fmt: skip
    assert [n.code for n in area_tree(imported, depth=0)] == ["XL"]
    with pytest.raises(NotFound, match="no area has the code XX"):
        area_tree(imported, under="XX")

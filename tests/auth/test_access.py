"""The access gate: scope by area subtree, role, and an audit row for every read and change."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ipec.auth
from ipec.auth import (
    Operation,
    Role,
    access_child,
    children_in_scope,
    create_user,
    principal_of,
)
from ipec.errors import NotFound, PermissionDenied
from ipec.monitoring import AuditEntry, Child, Sex
from ipec.monitoring.service import ChildInput, create_area, register_household

PASSWORD = "a long enough password"


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    """A country with two districts (A, and B whose name starts like A's path), a child each."""
    country = create_area(session, name="Country", level="country")
    district_a = create_area(session, name="A", level="district", parent_id=country.id)
    district_b = create_area(session, name="B", level="district", parent_id=country.id)
    village = create_area(session, name="A1", level="community", parent_id=district_a.id)
    ids = {"country": country.id, "a": district_a.id, "b": district_b.id}
    for key, area in (("child_a", village.id), ("child_b", district_b.id)):
        household = register_household(
            session, area_id=area, head_name="Head", actor="admin",
            children=[ChildInput(f"Child {key}", Sex.FEMALE, date(2014, 1, 1))],
        )  # fmt: skip
        ids[key] = session.scalars(select(Child.id).where(Child.household_id == household.id)).one()
    return ids


def _principal(session: Session, role: Role, area_id: int, name: str) -> object:
    user = create_user(session, username=name, display_name=name, password=PASSWORD, role=role,
                       area_id=area_id)  # fmt: skip
    return principal_of(session, user)


def test_monitor_sees_only_their_subtree(session: Session, world: dict[str, int]) -> None:
    monitor = _principal(session, Role.MONITOR, world["a"], "monitor-a")
    child = access_child(session, monitor, world["child_a"], origin="10.0.0.5")  # type: ignore[arg-type]
    assert child.id == world["child_a"]
    with pytest.raises(NotFound, match=f"child {world['child_b']} not found"):
        access_child(session, monitor, world["child_b"])  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        access_child(session, monitor, 999_999)  # type: ignore[arg-type]
    visible = session.scalars(children_in_scope(monitor)).all()  # type: ignore[arg-type]
    assert [c.id for c in visible] == [world["child_a"]]


def test_country_scope_sees_everyone(session: Session, world: dict[str, int]) -> None:
    manager = _principal(session, Role.PROGRAMME_MANAGER, world["country"], "manager")
    visible = {c.id for c in session.scalars(children_in_scope(manager))}  # type: ignore[arg-type]
    assert visible == {world["child_a"], world["child_b"]}


def test_every_access_is_audited(session: Session, world: dict[str, int]) -> None:
    supervisor = _principal(session, Role.SUPERVISOR, world["a"], "supervisor-a")
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    access_child(session, supervisor, world["child_a"], origin="10.0.0.7")  # type: ignore[arg-type]
    access_child(session, supervisor, world["child_a"], Operation.CHANGE)  # type: ignore[arg-type]
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before + 2
    assert [(e.actor, e.action, e.entity_id) for e in reversed(entries)] == [
        ("supervisor-a", "child.read", world["child_a"]),
        ("supervisor-a", "child.change", world["child_a"]),
    ]
    assert entries[1].origin == "10.0.0.7"


def test_viewer_may_read_not_change(session: Session, world: dict[str, int]) -> None:
    viewer = _principal(session, Role.VIEWER, world["country"], "partner")
    assert access_child(session, viewer, world["child_b"]).id == world["child_b"]  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied, match="may read but not change"):
        access_child(session, viewer, world["child_b"], Operation.CHANGE)  # type: ignore[arg-type]


def _imported(source: str, package: str) -> set[str]:
    """Every module a source file imports, and every name it imports from one, in full
    (``from ipec.monitoring import queries`` -> ``ipec.monitoring.queries``; relative imports
    resolved against ``package``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, *([module] if module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _reaches_queries(names: set[str]) -> set[str]:
    """The names among ``names`` that are the list queries or inside them."""
    queries = "ipec.monitoring.queries"
    return {name for name in names if name == queries or name.startswith(f"{queries}.")}


def test_the_check_sees_each_way_of_importing_the_queries() -> None:
    for source in ("import ipec.monitoring.queries",
                   "import ipec.monitoring.queries as q",
                   "from ipec.monitoring.queries import CaseList",
                   "from ipec.monitoring import queries",
                   "from ..monitoring import queries",
                   "def f():\n    from ipec.monitoring.queries import wide_subtree\n"):  # fmt: skip
        assert _reaches_queries(_imported(source, "ipec.auth")), source
    assert not _reaches_queries(_imported("from ipec.monitoring.models import Case", "ipec.auth"))


def test_the_gate_does_not_choose_how_lists_are_found() -> None:
    """The access gate decides who may read and gives the scope; how a list is found (its
    query plan) is ``ipec.monitoring.queries``'s, which the gate never imports."""
    folder = Path(ipec.auth.__file__).parent
    modules = sorted(folder.rglob("*.py"))
    assert folder / "access.py" in modules
    for module in modules:
        relative = module.relative_to(folder).with_suffix("")
        package = ".".join(["ipec.auth", *relative.parts[:-1]])
        found = _reaches_queries(_imported(module.read_text(encoding="utf-8"), package))
        assert not found, f"{module} imports {sorted(found)}"

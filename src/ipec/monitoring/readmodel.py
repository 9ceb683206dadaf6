"""The read model: each child's and each case's snapshot that the metrics read.

A child's snapshot (:class:`~ipec.monitoring.models.ChildFacts`, :func:`facts_rows`) is what
its visits say as of a day: its age at the first visit and at the first that found child
labour, the latest day a visit found child labour, its latest two visits, and the day its
remediation started (the first service of its child-labour cases). A case's
(:class:`~ipec.monitoring.models.CaseFacts`, :func:`case_facts_rows`) is what its
identification visit found, the first start of its services (of any kind and of education)
and how many kinds it has had, with copies of the case and of its child's snapshot so that a
region's metrics read one row per case.

The stored rows are those definitions as of today, computed from the records, never patched:
a visit recorded late gives the same rows as one recorded in order. They are kept current
in one place, a flush hook (:func:`_after_flush`): it collects the children and cases a
flush touched (a visit; a service's case, kind or start; a case's opening or closing day; a
child's sex) and computes their rows again once, children before cases, each in id order.
On PostgreSQL those rows' owners are locked first (``FOR NO KEY UPDATE``, which the
foreign-key checks of visits being inserted do not block), so two writers of the same child
take turns and, under READ COMMITTED, the second computes with the first's visit; SQLite has
one writer at a time. Bulk writers that bypass the ORM (the demo seeder) call
:func:`refresh_child_facts` and :func:`refresh_case_facts` with no ids afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Delete,
    Insert,
    Select,
    bindparam,
    case,
    delete,
    distinct,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Subquery

from ipec.monitoring.flags import flag, found_worst_form
from ipec.monitoring.models import (
    CHILD_COPIES,
    Case,
    CaseFacts,
    CaseKind,
    Child,
    ChildFacts,
    Household,
    RemediationService,
    Visit,
    changed,
)
from ipec.monitoring.outcomes import EDUCATION_SERVICES
from ipec.monitoring.scope import in_subtree
from ipec.monitoring.sqlhints import unindexed

__all__ = [
    "CASE_COLUMNS",
    "CHILD_COLUMNS",
    "Where",
    "case_facts_rows",
    "cases_as_of",
    "children_as_of",
    "facts_rows",
    "latest_visit_as_of",
    "refresh_case_facts",
    "refresh_child_facts",
]

#: The columns of a child's and of a case's snapshot, in the stored tables' order.
CHILD_COLUMNS = tuple(column.name for column in ChildFacts.__table__.columns)
CASE_COLUMNS = tuple(column.name for column in CaseFacts.__table__.columns)


def facts_rows(
    child_ids: BindParameter[Any] | None = None,
    *,
    until: date | None = None,
    among: Select[Any] | None = None,
) -> Select[Any]:
    """One row per child with a visit (of the ids bound to ``child_ids`` at execution, of the
    ids ``among`` selects, or every child): the child's snapshot as of ``until`` (its visits
    up to that day; every visit when None), in the order and with the names of
    :class:`ChildFacts`'s columns. The day remediation started is read from every service,
    whenever it started (the metrics compare it with their days)."""
    rank = func.row_number().over(
        partition_by=Visit.child_id, order_by=(Visit.visit_date.desc(), Visit.id.desc())
    )
    ranked = select(
        Visit.child_id,
        func.min(Visit.age).over(partition_by=Visit.child_id).label("first_age"),
        func.min(case((Visit.child_labour, Visit.age)))
        .over(partition_by=Visit.child_id)
        .label("first_found_age"),
        func.max(case((Visit.child_labour, Visit.visit_date)))
        .over(partition_by=Visit.child_id)
        .label("found_on"),
        Visit.visit_date,
        Visit.age,
        Visit.monitor,
        flag(Visit.child_labour).label("child_labour"),
        flag(Visit.hazardous_work).label("hazardous"),
        flag(found_worst_form(Visit.reasons)).label("worst"),
        Visit.school_days_attended,
        Visit.school_days_open,
        rank.label("rank"),
    )
    # a visit without consent kept no answers: it tells nothing about the child
    ranked = ranked.where(Visit.consent)
    if child_ids is not None:
        ranked = ranked.where(Visit.child_id.in_(child_ids))
    if among is not None:
        ranked = ranked.where(Visit.child_id.in_(among))
    if until is not None:
        ranked = ranked.where(Visit.visit_date <= until)
    sub = ranked.subquery("ranked")
    r = sub.c

    def at(rank_wanted: int, column: Any) -> Any:
        return func.max(case((r.rank == rank_wanted, column)))

    remediation_start = (
        select(func.min(RemediationService.started_on))
        .join(Case, Case.id == RemediationService.case_id)
        .where(Case.child_id == r.child_id, Case.kind == CaseKind.CHILD_LABOUR)
        .scalar_subquery()
    )

    # The child's household and sex, and its household's area now (a visit keeps the area
    # where it was made: a child counts where it lives, from the day its household moved),
    # joined once rather than looked up per child.
    values = (
        r.child_id,
        Household.area_id,
        Child.household_id,
        Child.sex,
        remediation_start,
        func.max(r.found_on),
        func.max(r.first_age),
        at(1, r.visit_date),
        at(1, r.age),
        at(1, r.monitor),
        at(1, r.child_labour),
        at(1, r.hazardous),
        at(1, r.worst),
        at(1, r.school_days_attended),
        at(1, r.school_days_open),
        at(2, r.visit_date),
        at(2, r.child_labour),
        func.max(r.first_found_age),
    )
    named = (value.label(name) for value, name in zip(values, CHILD_COLUMNS, strict=True))
    return (
        select(*named)
        .select_from(sub)
        .join(Child, Child.id == r.child_id)
        .join(Household, Household.id == Child.household_id)
        .where(r.rank <= 2)
        .group_by(r.child_id, Household.area_id, Child.household_id, Child.sex)
    )


#: The ids of the records whose facts are computed again, bound at execution (one statement
#: for any number of them).
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)


@dataclass(frozen=True, slots=True)
class _Recompute:
    """The statements that replace some records' facts: lock the owners (PostgreSQL), delete
    their facts, insert them computed again. Built once per kind of owner and reused with
    the ids bound (building and compiling them on every write cost more than running them)."""

    lock: Select[Any]
    remove: Delete
    fill: Insert


def _fill(facts: type[ChildFacts | CaseFacts], rows: Select[Any]) -> Insert:
    """Insert ``rows`` (in the order of the facts' columns) into the facts."""
    return insert(facts).from_select([column.name for column in facts.__table__.columns], rows)


def _statements(
    facts: type[ChildFacts | CaseFacts], owners: Select[Any], rows: Select[Any]
) -> _Recompute:
    key = next(iter(facts.__table__.primary_key))
    return _Recompute(
        lock=owners.order_by(*owners.selected_columns).with_for_update(key_share=True),
        remove=delete(facts).where(key.in_(owners)),
        fill=_fill(facts, rows),
    )


def _recompute(connection: Connection, statements: _Recompute, ids: Collection[int]) -> None:
    """Replace the facts of the records ``ids`` (locked first on PostgreSQL, in id order)."""
    if not ids:
        return
    bound = {"ids": sorted(ids)}
    if connection.dialect.name == "postgresql":
        connection.execute(statements.lock, bound)
    connection.execute(statements.remove, bound)
    connection.execute(statements.fill, bound)


def _recompute_all(
    connection: Connection, facts: type[ChildFacts | CaseFacts], rows: Select[Any]
) -> None:
    """Replace every record's facts (the seeder, after a bulk write)."""
    connection.execute(delete(facts))
    connection.execute(_fill(facts, rows))


@functools.cache
def _children_statements() -> _Recompute:
    return _statements(ChildFacts, select(Child.id).where(Child.id.in_(_IDS)), facts_rows(_IDS))


def refresh_child_facts(connection: Connection, child_ids: Collection[int] | None = None) -> None:
    """Compute the facts of ``child_ids`` (every child when None) again from their visits."""
    if child_ids is None:
        _recompute_all(connection, ChildFacts, facts_rows())
    else:
        _recompute(connection, _children_statements(), child_ids)


#: The columns of a case, and of its child's facts, that its facts copy (same names).
_COPIED_FROM_CASE = ("area_id", "child_id", "kind", "opened_on", "closed_on")
_COPIED_FROM_CHILD = ("sex", "last_date", "prev_date", "last_age", "last_monitor",
                      "last_child_labour", "last_hazardous")  # fmt: skip


def case_facts_rows(
    *conditions: Any, until: date | None = None, children: Any = ChildFacts
) -> Select[Any]:
    """One row per case (those meeting ``conditions`` on :class:`Case`, or every case): the
    case's snapshot as of ``until`` (the visits up to that day; every visit when None), in
    the order and with the names of :class:`CaseFacts`'s columns. The copies of the child's
    snapshot are read from ``children`` (the stored :class:`ChildFacts`, computed first, or
    a subquery of :func:`facts_rows` as of the same day). Services count whenever they
    started, as in :func:`facts_rows`."""
    seen = (Visit.visit_date <= until,) if until is not None else ()

    def at_identification(column: Any) -> Any:
        return (
            select(flag(column))
            .where(
                Visit.child_id == Case.child_id,
                Visit.visit_date >= Case.opened_on,
                Visit.consent,
                *seen,
            )
            .order_by(Visit.visit_date.asc(), Visit.id.asc())
            .limit(1)
            .scalar_subquery()
        )

    def first_start(*kinds: Any) -> Any:
        return (
            select(func.min(RemediationService.started_on))
            .where(RemediationService.case_id == Case.id, *kinds)
            .scalar_subquery()
        )

    service_kinds = (
        select(func.count(distinct(RemediationService.type)))
        .where(RemediationService.case_id == Case.id)
        .scalar_subquery()
    )
    child = children if children is ChildFacts else children.c
    values = (
        Case.id,
        at_identification(Visit.child_labour),
        at_identification(Visit.hazardous_work),
        first_start(),
        first_start(RemediationService.type.in_(EDUCATION_SERVICES)),
        service_kinds,
        *(getattr(Case, name) for name in _COPIED_FROM_CASE),
        *(getattr(child, name) for name in _COPIED_FROM_CHILD),
    )
    named = (value.label(name) for value, name in zip(values, CASE_COLUMNS, strict=True))
    return (
        select(*named)
        .select_from(Case)
        .outerjoin(children, child.child_id == Case.child_id)
        .where(*conditions)
    )


#: Conditions on a snapshot's columns (the stored table's, or the computed rows'), applied
#: in each part of an "as of" query so that each part keeps its own index.
Where = Callable[[Any], Sequence[ColumnElement[bool]]]


def _nothing(_columns: Any) -> Sequence[ColumnElement[bool]]:
    return ()


def children_as_of(
    area_path: str,
    day: date,
    columns: Sequence[str],
    where: Where = _nothing,
    *,
    name: str = "children_as_of",
) -> Subquery:
    """The snapshot as of ``day`` of each child of the subtree at ``area_path`` visited by
    then: ``columns`` of :class:`ChildFacts`, for the rows meeting ``where``.

    The stored row where it holds (the child's latest visit is on or before ``day``, as for
    any period ending today: one index range per area), computed from the visits up to
    ``day`` for the others (found first and materialised, usually none). ``name`` tells two
    uses in one statement apart.

    >>> from datetime import date
    >>> rows = children_as_of("/1/", date(2026, 6, 30), ["child_id", "last_age"])
    >>> [column.name for column in rows.c]
    ['child_id', 'last_age']
    """
    f = ChildFacts
    in_area = in_subtree(f.area_id, area_path)
    # the day hidden from SQLite's index choice: it hardly narrows a period ending today
    stored = select(*(getattr(f, c).label(c) for c in columns)).where(
        in_area, unindexed(f.last_date) <= day, *where(f)
    )
    late = (
        select(f.child_id).where(in_area, f.last_date > day).cte(f"late_{name}")
        .prefix_with("MATERIALIZED")
    )  # fmt: skip
    computed = facts_rows(until=day, among=select(late.c.child_id)).subquery(f"computed_{name}")
    rows = select(*(computed.c[c] for c in columns)).where(*where(computed.c))
    return union_all(stored, rows).subquery(name)


def latest_visit_as_of(stored: Any, visit_column: Any, child_id: Any, day: date) -> Any:
    """One value of a child's latest visit up to ``day`` (the later id first on a day), for a
    metric that looks up a few children rather than reading a subtree: the child's stored
    ``stored`` (a ``last_*`` column of :class:`ChildFacts`, joined by the caller, outer)
    when its latest visit of all is on or before ``day``, else ``visit_column`` of that visit
    (one index probe). The same value :func:`children_as_of` gives."""
    probe = (
        select(visit_column)
        .where(Visit.child_id == child_id, Visit.visit_date <= day)
        .order_by(Visit.visit_date.desc(), Visit.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((ChildFacts.last_date <= day, stored), else_=probe)


def cases_as_of(
    area_path: str,
    day: date,
    columns: Sequence[str],
    where: Where = _nothing,
    *,
    name: str = "cases_as_of",
) -> Subquery:
    """The snapshot as of ``day`` of each case of the subtree at ``area_path``: ``columns``
    of :class:`CaseFacts`, for the rows meeting ``where`` (cases opened after ``day`` are
    there too, with their opening day: the metrics choose by their days).

    The stored row where it holds (the child has no visit after ``day``), computed from the
    visits up to ``day`` for the others, with the copies of the child's snapshot as of the
    same day.
    """
    f = CaseFacts
    in_area = in_subtree(f.area_id, area_path)
    stored = select(*(getattr(f, c).label(c) for c in columns)).where(
        in_area, or_(f.last_date.is_(None), unindexed(f.last_date) <= day), *where(f)
    )
    late = (
        select(f.case_id, f.child_id).where(in_area, f.last_date > day).cte(f"late_{name}")
        .prefix_with("MATERIALIZED")
    )  # fmt: skip
    children = facts_rows(until=day, among=select(late.c.child_id)).subquery(f"children_of_{name}")
    computed = case_facts_rows(
        Case.id.in_(select(late.c.case_id)), until=day, children=children
    ).subquery(f"computed_{name}")
    rows = select(*(computed.c[c] for c in columns)).where(*where(computed.c))
    return union_all(stored, rows).subquery(name)


@functools.cache
def _cases_statements(of_children: bool) -> _Recompute:
    """By the cases' ids, or by their children's."""
    owner = Case.child_id if of_children else Case.id
    return _statements(
        CaseFacts, select(Case.id).where(owner.in_(_IDS)), case_facts_rows(owner.in_(_IDS))
    )


def refresh_case_facts(
    connection: Connection,
    *,
    case_ids: Collection[int] | None = None,
    child_ids: Collection[int] | None = None,
) -> None:
    """Compute the facts of the cases ``case_ids``, or of the cases of ``child_ids``, again
    (every case's when both are None)."""
    if case_ids is not None:
        _recompute(connection, _cases_statements(of_children=False), case_ids)
    elif child_ids is not None:
        _recompute(connection, _cases_statements(of_children=True), child_ids)
    else:
        _recompute_all(connection, CaseFacts, case_facts_rows())


def _services_cases(target: RemediationService) -> set[int]:
    """The case of a written service, and the case it was moved from if it was."""
    return {target.case_id, *inspect(target).attrs.case_id.history.deleted}


@dataclass(slots=True)
class _Touched:
    """What one flush wrote that the facts depend on."""

    children: set[int] = field(default_factory=set)
    households: set[int] = field(default_factory=set)
    cases: set[int] = field(default_factory=set)
    cases_of_services: set[int] = field(default_factory=set)
    corrected: list[Child] = field(default_factory=list)


def _touched(session: Session) -> _Touched:
    """Sort the flush's new, changed and deleted records into the owners of facts to
    recompute. Only what a fact reads counts: a visit (any change), a service's case, kind or
    start, a case's opening or closing day or area, a child's sex (its cases copy it too), a
    household's area (its children's facts copy it)."""
    touched = _Touched()
    written = [*session.new, *(o for o in session.dirty if session.is_modified(o)),
               *session.deleted]  # fmt: skip
    for record in written:
        if isinstance(record, Visit):
            touched.children.add(record.child_id)
        elif isinstance(record, RemediationService):
            if record in session.dirty and not changed(record, "case_id", "type", "started_on"):
                continue
            touched.cases_of_services |= _services_cases(record)
        elif isinstance(record, Case) and record not in session.deleted:
            if record in session.new or changed(record, "opened_on", "closed_on", "area_id"):
                touched.cases.add(record.id)
        elif isinstance(record, Child) and record in session.dirty:
            if changed(record, *CHILD_COPIES.values()):
                touched.corrected.append(record)
            if changed(record, "sex"):
                touched.children.add(record.id)
        elif (
            isinstance(record, Household) and record in session.dirty and changed(record, "area_id")
        ):
            touched.households.add(record.id)
    return touched


def _copy_corrections(session: Session, connection: Connection, corrected: list[Child]) -> None:
    """A corrected sex or birth date goes to the child's cases, in the database and in the
    cases the session holds (as their stored values: the ORM refuses a change of the copies
    through a case)."""
    for child in corrected:
        copies = {name: getattr(child, source) for name, source in CHILD_COPIES.items()}
        connection.execute(update(Case).where(Case.child_id == child.id).values(**copies))
        for held in list(session.identity_map.values()):
            if isinstance(held, Case) and held.child_id == child.id:
                for name, value in copies.items():
                    set_committed_value(held, name, value)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """A case about to be deleted loses its facts first (they refer to it)."""
    gone = sorted(o.id for o in session.deleted if isinstance(o, Case) and o.id is not None)
    if gone:
        session.connection().execute(delete(CaseFacts).where(CaseFacts.case_id.in_(gone)))


def _after_flush(session: Session, _context: Any) -> None:
    """Recompute, once per flush, the facts of every child and case the flush touched.

    The lock order: children in id order, then cases in id order (a case's facts copy its
    child's), so two writers of the same records take turns instead of deadlocking.
    """
    touched = _touched(session)
    if not (touched.children or touched.cases or touched.cases_of_services or touched.corrected
            or touched.households):  # fmt: skip
        return
    connection = session.connection()
    _copy_corrections(session, connection, touched.corrected)
    children = set(touched.children)
    if touched.households:
        # a moved household's children count in its new area (those without a visit have
        # no facts: computing theirs again writes nothing)
        moved = Child.household_id.in_(sorted(touched.households))
        children |= set(connection.scalars(select(Child.id).where(moved)))
    if touched.cases_of_services:
        # the day remediation started, a child fact, comes from its cases' services
        of_services = Case.id.in_(sorted(touched.cases_of_services))
        children |= set(connection.scalars(select(Case.child_id).where(of_services)))
    cases = touched.cases | touched.cases_of_services
    if children:
        cases |= set(connection.scalars(select(Case.id).where(Case.child_id.in_(sorted(children)))))
    refresh_child_facts(connection, children)
    refresh_case_facts(connection, case_ids=cases)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)

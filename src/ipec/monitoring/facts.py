"""Keep each child's facts (:class:`~ipec.monitoring.models.ChildFacts`) current with the
child's visits, and each case's (:class:`~ipec.monitoring.models.CaseFacts`) with the case,
its child's visits and its services.

The metrics judge a child at its latest visit up to a period's end, read its age at the
first visit (and at the first that found child labour), whether a visit in the period found
child labour (the latest that did is in the period) and, for effectiveness, the day its
remediation started (the first start of a service in its child-labour cases: a service
started by a day exactly when the first one did). Ranking a region's 600,000 visits for that
on every metric took most of a second; the facts give the same answers from one row per
child whenever the period ends on or after the child's latest visit, as the current period
does (the metrics go back to the visits for the other children).

The facts are computed from the records themselves, never patched, so a visit recorded late
(dated before others) gives the same facts as one recorded in order. The ORM recomputes a
child's facts after each visit it inserts, changes or deletes, after each service and after
a correction of the child's sex, in the same transaction (a visit's child never changes: the
ORM refuses it); the demo seeder computes every child's at once. On PostgreSQL the child's
row is locked (``FOR NO KEY UPDATE``, which the foreign-key checks of visits being inserted
do not block) before the facts are computed, so two transactions recording visits of the
same child take turns, and under PostgreSQL's default READ COMMITTED the second computes
with the first's visit; SQLite has one writer at a time. ``record_visit`` already locks the
child, more strongly; the lock here keeps the facts right for any other writer of visits (a
change or deletion through the ORM).

A case's facts hold what the outcomes and the support rate would otherwise probe or sum for
each case on every call: what the identification visit found, the first start dates of the
case's services and how many kinds of service it has had (the support rate counts them
whenever they started). None depends on a period: a case judged in a period has two visits
up to its end, so its first visit is the identification whatever the period; and a case had
a service (an education service) started by a day exactly when its first one started by
then. They also copy the case's area, child, kind and opening and closing days, and the
child's sex and latest two visits from the child's facts, so that a region's metrics read
one row per case (see :class:`~ipec.monitoring.models.CaseFacts`). They are computed again,
never patched, after each case inserted (or whose opening or closing day changed), each
visit of its child, each of its services written and each correction of the child's sex,
always after the child's facts; on PostgreSQL the cases' rows are locked first (``FOR NO KEY
UPDATE``, as for the children), so that writers of the same case take turns. The listeners
lock a child before its cases; the service functions write one visit, service or child per
transaction, so two of them never hold locks in opposite orders (a writer of several
children's records in one transaction should write them in id order).
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
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
    select,
)
from sqlalchemy.orm import Mapper

from ipec.monitoring.flags import flag, found_worst_form
from ipec.monitoring.models import (
    Case,
    CaseFacts,
    CaseKind,
    Child,
    ChildFacts,
    RemediationService,
    Visit,
    changed,
)
from ipec.monitoring.outcomes import EDUCATION_SERVICES

__all__ = ["case_facts_rows", "facts_rows", "refresh_case_facts", "refresh_child_facts"]


def facts_rows(child_ids: BindParameter[Any] | None = None) -> Select[Any]:
    """One row of facts per child with a visit (of the ids bound to ``child_ids`` at
    execution, or every child), in the order of :class:`ChildFacts`'s columns."""
    rank = func.row_number().over(
        partition_by=Visit.child_id, order_by=(Visit.visit_date.desc(), Visit.id.desc())
    )
    ranked = select(
        Visit.child_id,
        Visit.area_id,
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
    if child_ids is not None:
        ranked = ranked.where(Visit.child_id.in_(child_ids))
    r = ranked.subquery("ranked").c

    def at(rank_wanted: int, column: Any) -> Any:
        return func.max(case((r.rank == rank_wanted, column)))

    remediation_start = (
        select(func.min(RemediationService.started_on))
        .join(Case, Case.id == RemediationService.case_id)
        .where(Case.child_id == r.child_id, Case.kind == CaseKind.CHILD_LABOUR)
        .scalar_subquery()
    )

    def of_child(column: Any) -> Any:
        return select(column).where(Child.id == r.child_id).scalar_subquery()

    return (
        select(
            r.child_id,
            func.max(r.area_id),
            of_child(Child.household_id),
            of_child(Child.sex),
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
        .where(r.rank <= 2)
        .group_by(r.child_id)
    )


#: The ids of the records whose facts are computed again, bound at execution (one statement
#: for any number of them).
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)


@dataclass(frozen=True, slots=True)
class _Recompute:
    """The statements that replace some records' facts: lock the owners (PostgreSQL), delete
    their facts, insert them computed again. Built once per kind of owner and reused with
    the ids bound (building and compiling them took 7-9 ms of Python per visit written)."""

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


def case_facts_rows(*conditions: Any) -> Select[Any]:
    """One row of facts per case (those meeting ``conditions`` on :class:`Case`, or every
    case), in the order of :class:`CaseFacts`'s columns. The copies of the child's facts are
    read from them: the child's are computed first."""

    def at_identification(column: Any) -> Any:
        return (
            select(flag(column))
            .where(Visit.child_id == Case.child_id, Visit.visit_date >= Case.opened_on)
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
    child = ChildFacts
    return (
        select(
            Case.id,
            at_identification(Visit.child_labour),
            at_identification(Visit.hazardous_work),
            first_start(),
            first_start(RemediationService.type.in_(EDUCATION_SERVICES)),
            service_kinds,
            *(getattr(Case, name) for name in _COPIED_FROM_CASE),
            *(getattr(child, name) for name in _COPIED_FROM_CHILD),
        )
        .select_from(Case)
        .outerjoin(child, child.child_id == Case.child_id)
        .where(*conditions)
    )


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


def _refresh_child_and_cases(connection: Connection, child_id: int) -> None:
    """A child's facts, then its cases' (which copy the child's)."""
    refresh_child_facts(connection, [child_id])
    refresh_case_facts(connection, child_ids=[child_id])


def _after_visit_written(_mapper: Mapper[Any], connection: Connection, target: Visit) -> None:
    _refresh_child_and_cases(connection, target.child_id)


def _after_child_updated(_mapper: Mapper[Any], connection: Connection, target: Child) -> None:
    """Only a corrected sex changes a child's facts (and its cases' copies of them)."""
    if changed(target, "sex"):
        _refresh_child_and_cases(connection, target.id)


def _after_case_inserted(_mapper: Mapper[Any], connection: Connection, target: Case) -> None:
    refresh_case_facts(connection, case_ids=[target.id])


def _after_case_updated(_mapper: Mapper[Any], connection: Connection, target: Case) -> None:
    """Only a new opening day (the identification visit may differ) or closing day changes a
    case's facts."""
    if changed(target, "opened_on", "closed_on"):
        refresh_case_facts(connection, case_ids=[target.id])


def _before_case_deleted(_mapper: Mapper[Any], connection: Connection, target: Case) -> None:
    connection.execute(delete(CaseFacts).where(CaseFacts.case_id == target.id))


def _after_service_written(
    _mapper: Mapper[Any], connection: Connection, target: RemediationService
) -> None:
    """The service's case and its child (the day remediation started), and the case it was
    moved from if it was."""
    cases = {target.case_id, *inspect(target).attrs.case_id.history.deleted}
    children = connection.scalars(select(Case.child_id).where(Case.id.in_(cases))).all()
    refresh_child_facts(connection, set(children))
    refresh_case_facts(connection, case_ids=cases)


def _after_service_updated(
    mapper: Mapper[Any], connection: Connection, target: RemediationService
) -> None:
    """Only a service's case, kind or start changes the facts (not its end)."""
    if changed(target, "case_id", "type", "started_on"):
        _after_service_written(mapper, connection, target)


for _moment in ("after_insert", "after_update", "after_delete"):
    event.listen(Visit, _moment, _after_visit_written)
for _moment in ("after_insert", "after_delete"):
    event.listen(RemediationService, _moment, _after_service_written)
event.listen(RemediationService, "after_update", _after_service_updated)
event.listen(Child, "after_update", _after_child_updated)
event.listen(Case, "after_insert", _after_case_inserted)
event.listen(Case, "after_update", _after_case_updated)
event.listen(Case, "before_delete", _before_case_deleted)

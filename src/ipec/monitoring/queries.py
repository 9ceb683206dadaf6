"""Read queries for lists: cases by priority with filters, and follow-ups due.

They return SQLAlchemy selects bounded by an area path. How a list is found is decided here,
once: :func:`wide_subtree` chooses the plan of a page (walk an index in the list's order, or
gather the subtree's rows and sort them), and :class:`CaseList`, :class:`FollowUpList` and
:class:`CaseExport` run it. Who may read decides the access gate: callers pass these to
``ipec.auth.read_list`` and ``ipec.auth.read_export``, which give them the user's scope and
audit-log what was read. Every filter is a WHERE clause the database evaluates (indexed), so
a page costs the same at national scale as in a village.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Subquery,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ipec.monitoring.followup import add_months
from ipec.monitoring.models import Area, Case, CaseStatus, Child, FollowUp, Sex
from ipec.monitoring.priority import priority_groups, priority_order
from ipec.monitoring.scope import in_subtree
from ipec.monitoring.sqlhints import unindexed

__all__ = [
    "CaseExport",
    "CaseFilter",
    "CaseList",
    "FollowUpFilter",
    "FollowUpList",
    "Page",
    "case_page_query",
    "case_query",
    "follow_up_query",
    "wide_subtree",
]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What a case list is narrowed to (every field optional; ages are at ``today``)."""

    area_path: str | None = None
    status: CaseStatus | None = None
    open_only: bool = False
    sex: Sex | None = None
    min_age: int | None = None
    max_age: int | None = None
    worst_forms: bool | None = None
    hazardous: bool | None = None
    overdue: bool | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUpFilter:
    """Follow-ups not yet done, due on or before ``due_by`` (overdue: before ``today``)."""

    due_by: date
    overdue_only: bool = False
    area_path: str | None = None


def _overdue_exists(today: date) -> ColumnElement[bool]:
    """The case has a follow-up overdue: a probe of the case's follow-ups, for a list that
    walks many cases in order and stops at a page."""
    return exists().where(
        FollowUp.case_id == Case.id, FollowUp.visit_id.is_(None), FollowUp.due_on < today
    )


def _overdue_in(paths: list[str], today: date) -> ColumnElement[bool]:
    """The case has a follow-up overdue: one of the cases of the subtrees' overdue follow-ups,
    read once from their index (a follow-up is in its case's area), for a narrow subtree
    whose cases are all gathered and sorted anyway."""
    return Case.id.in_(
        select(FollowUp.case_id).where(
            *(in_subtree(FollowUp.area_id, path) for path in paths),
            FollowUp.visit_id.is_(None),
            FollowUp.due_on < today,
        )
    )


def _overdue_count(today: date) -> Any:
    return (
        select(func.count(FollowUp.id))
        .where(FollowUp.case_id == Case.id, FollowUp.visit_id.is_(None), FollowUp.due_on < today)
        .correlate(Case)
        .scalar_subquery()
    )


def _age_bounds(filters: CaseFilter, today: date) -> list[ColumnElement[bool]]:
    """Age between min and max (inclusive) as bounds on the birth date (the copy on the
    case, in the cases' indexes)."""
    bounds: list[ColumnElement[bool]] = []
    if filters.min_age is not None:
        bounds.append(Case.child_birth_date <= add_months(today, -12 * filters.min_age))
    if filters.max_age is not None:
        bounds.append(Case.child_birth_date > add_months(today, -12 * (filters.max_age + 1)))
    return bounds


def _case_conditions(
    scope_path: str, filters: CaseFilter, today: date, *, narrow: bool = False
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a case list (over cases, joined to children for a search);
    ``narrow``: the list gathers the subtree's cases and sorts them (see ``_overdue_in``)."""
    paths = [scope_path] if filters.area_path is None else [scope_path, filters.area_path]
    where: list[ColumnElement[bool]] = [in_subtree(Case.area_id, path) for path in paths]
    if filters.status is not None:
        where.append(Case.status == filters.status)
    if filters.open_only:
        where.append(Case.status != CaseStatus.CLOSED)
    if filters.sex is not None:
        where.append(Case.child_sex == filters.sex)
    where.extend(_age_bounds(filters, today))
    if filters.worst_forms is not None:
        where.append(Case.worst_forms.is_(filters.worst_forms))
    if filters.hazardous is not None:
        where.append(Case.hazardous.is_(filters.hazardous))
    if filters.overdue is not None:
        overdue = _overdue_in(paths, today) if narrow else _overdue_exists(today)
        where.append(overdue if filters.overdue else ~overdue)
    if filters.search:
        term = filters.search.strip()
        where.append(or_(Child.pseudonym == term, Child.name.icontains(term, autoescape=True)))
    return where


def _with_details(query: Select[Any], today: date) -> Select[Any]:
    """Cases (from ``query``'s FROM) with their child, area and overdue follow-ups, in
    priority order."""
    return (
        query.add_columns(
            Case,
            Child,
            Area.id.label("area_id"),
            Area.name.label("area_name"),
            _overdue_count(today).label("overdue_follow_ups"),
        )
        .join(Child, Child.id == Case.child_id)
        .join(Area, Area.id == Case.area_id)
        .order_by(*priority_order(today))
    )


def case_query(scope_path: str, filters: CaseFilter, today: date) -> Select[Any]:
    """Every case in the scope and filters, most urgent first, with its child and area (for
    exports: the whole list)."""
    where = _case_conditions(scope_path, filters, today)
    return _with_details(select().select_from(Case), today).where(and_(*where))


def case_page_query(
    scope_path: str,
    filters: CaseFilter,
    today: date,
    *,
    limit: int,
    offset: int,
    merge_groups: bool = False,
) -> Select[Any]:
    """One page of the case list. The page's case ids are chosen first, from the cases alone
    (and the children, for a search); only those few rows then get their area and overdue
    count (a database computes a select list before it sorts, so doing it in one query costs
    a follow-up count for every case of the list, not of the page).

    ``merge_groups`` says the subtree is wide (a region, the country; the caller weighs it):
    each priority group is read in the order of the priority index, which stops at the page,
    and the groups are merged; for a narrow subtree, or a search (which matches few cases),
    the matching cases are gathered and sorted. Every priority and filter column is on the
    cases and in their indexes (the child's sex and birth date are copied there), so neither
    way looks a child up before the page is known (but for a search by name)."""
    # A narrow subtree's overdue follow-ups are few; a wide one's, read whole, would cost more
    # than testing the cases read (a search's few, or a page's worth of each group).
    where = _case_conditions(scope_path, filters, today, narrow=not merge_groups)
    if merge_groups and not filters.search:
        ids = _merged_page(where, today, limit=limit, offset=offset)
    else:
        ids = _sorted_page(
            where, today, limit=limit, offset=offset, with_children=bool(filters.search)
        )
    return _with_details(select().select_from(Case).join(ids, ids.c.id == Case.id), today)


def _sorted_page(
    where: list[ColumnElement[bool]],
    today: date,
    *,
    limit: int,
    offset: int,
    with_children: bool = False,
) -> Subquery:
    """The page's ids from every matching case, sorted (``with_children``: joined to the
    children, for a search by name; every other condition is on the cases)."""
    ids = select(Case.id)
    if with_children:
        ids = ids.join(Child, Child.id == Case.child_id)
    return (
        ids.where(and_(*where))
        .order_by(*priority_order(today))
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )


def _merged_page(
    where: list[ColumnElement[bool]], today: date, *, limit: int, offset: int
) -> Subquery:
    """The page's ids as the first ``limit + offset`` cases of each priority group (read in
    order from the priority index, which stops early), merged. The same rows in the same order
    as sorting the whole list, without reading all of a country's cases."""
    wanted = limit + offset
    parts = []
    for rank, group in enumerate(priority_groups(today)):
        part = (
            select(Case.id, literal(rank).label("rank"), Case.opened_on)
            .where(and_(*where, *group))
            .order_by(Case.opened_on, Case.id)
            .limit(wanted)
            .subquery(f"group_{rank}")
        )
        parts.append(select(part))
    merged = union_all(*parts).subquery("groups")
    return (
        select(merged.c.id)
        .order_by(merged.c.rank, merged.c.opened_on, merged.c.id)
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )


def follow_up_query(
    scope_path: str, filters: FollowUpFilter, today: date, *, by_due_date: bool = False
) -> Select[FollowUp, Case, Child, str]:
    """Follow-ups still to do in the scope, earliest due first, with their case and child.

    A follow-up is in its case's area (a copy): a narrow subtree's follow-ups not done are one
    range of their area index per area, sorted. ``by_due_date``: walk the follow-ups in
    due-date order and keep those of the subtree (hiding the area and the due date from
    SQLite's choice of the area index, which would otherwise gather a country's follow-ups and
    sort them); for a wide subtree, whose first rows come early in that walk.
    """
    area = unindexed(FollowUp.area_id) if by_due_date else FollowUp.area_id
    open_ = unindexed(FollowUp.visit_id) if by_due_date else FollowUp.visit_id
    where: list[ColumnElement[bool]] = [
        in_subtree(area, scope_path),
        open_.is_(None),
        FollowUp.due_on <= filters.due_by,
        Case.status != CaseStatus.CLOSED,
    ]
    if filters.area_path is not None:
        where.append(in_subtree(area, filters.area_path))
    if filters.overdue_only:
        where.append(FollowUp.due_on < today)
    return (
        select(FollowUp, Case, Child, Area.name.label("area_name"))
        .join(Case, Case.id == FollowUp.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(Area, Area.id == Case.area_id)
        .where(and_(*where))
        .order_by(FollowUp.due_on, FollowUp.id)
    )


def wide_subtree(session: Session, path: str) -> bool:
    """Whether a list over the subtree at ``path`` walks an index in the list's order (the
    case list's priority groups, the follow-ups' due dates) rather than gathering the
    subtree's rows and sorting them: for a subtree holding a tenth of the areas or more. A
    smaller subtree has few rows, which the database sorts faster than it walks the whole
    country's to find them."""
    inside = func.count().filter(Area.path.startswith(path, autoescape=True))
    total, wide = session.execute(select(func.count(), inside).select_from(Area)).one()
    return int(wide) * 10 >= int(total)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its rows (each with its ``Child``), and whether another follows."""

    rows: list[Row[Any]]
    has_next: bool


def _as_page(rows: Sequence[Row[*tuple[Any, ...]]], per_page: int) -> Page:
    """Rows fetched with one more than a page holds -> the page and whether more follow."""
    return Page(list(rows[:per_page]), len(rows) > per_page)


@dataclass(frozen=True, slots=True)
class CaseList:
    """One page of the case list, most urgent first, in the filters (ages at ``today``)."""

    filters: CaseFilter
    today: date
    page: int = 1
    per_page: int = 50

    @property
    def action(self) -> str:
        """The audit log's name for reading it."""
        return "case.list"

    @property
    def entity(self) -> str:
        """What the audit row is about."""
        return "case"

    def page_in(self, session: Session, scope_path: str) -> Page:
        """The page within the subtree at ``scope_path``: the priority groups merged for a
        wide subtree (or area filter), the matching cases sorted for a narrow one."""
        wide = wide_subtree(session, self.filters.area_path or scope_path)
        query = case_page_query(scope_path, self.filters, self.today,
                                limit=self.per_page + 1, offset=(self.page - 1) * self.per_page,
                                merge_groups=wide)  # fmt: skip
        return _as_page(session.execute(query).all(), self.per_page)


@dataclass(frozen=True, slots=True)
class FollowUpList:
    """One page of the follow-ups still to do, earliest due first."""

    filters: FollowUpFilter
    today: date
    page: int = 1
    per_page: int = 50

    @property
    def action(self) -> str:
        """The audit log's name for reading it."""
        return "follow_up.list"

    @property
    def entity(self) -> str:
        """What the audit row is about (the follow-ups' cases)."""
        return "case"

    def page_in(self, session: Session, scope_path: str) -> Page:
        """The page within the subtree at ``scope_path``: walked in due-date order for a wide
        subtree (or area filter), gathered by area and sorted for a narrow one."""
        wide = wide_subtree(session, self.filters.area_path or scope_path)
        query = follow_up_query(scope_path, self.filters, self.today, by_due_date=wide)
        offset = (self.page - 1) * self.per_page
        rows = session.execute(query.limit(self.per_page + 1).offset(offset)).all()
        return _as_page(rows, self.per_page)


@dataclass(frozen=True, slots=True)
class CaseExport:
    """Every case in the filters, most urgent first, for a file (``file_format``)."""

    filters: CaseFilter
    today: date
    file_format: str

    @property
    def action(self) -> str:
        """The audit log's name for reading it."""
        return "case.export"

    def detail(self) -> dict[str, Any]:
        """What the audit log keeps of the export: its format and the filters set."""
        filters = {
            name: str(value)
            for name in CaseFilter.__dataclass_fields__
            if (value := getattr(self.filters, name)) is not None
        }
        return {"format": self.file_format, "filters": filters}

    def rows_in(self, session: Session, scope_path: str) -> Iterator[Row[Any]]:
        """The rows within the subtree at ``scope_path``, streamed."""
        query = case_query(scope_path, self.filters, self.today)
        return iter(session.execute(query.execution_options(yield_per=2_000)))

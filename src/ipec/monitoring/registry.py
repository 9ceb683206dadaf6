"""The register's lists: children and households, searched by name, filtered, newest first.

As for the case list (``ipec.monitoring.queries``), how a page is found is decided here and
who may read it by the access gate: callers pass a :class:`ChildList` or
:class:`HouseholdList` to ``ipec.auth.read_list``, which gives it the user's scope and
audit-logs the children (households) it returned.

A search (``search``) is cut into words (``ipec.monitoring.names.words``, at most
:data:`MAX_WORDS`). A child is found when every word starts a word of its name, of its
household head's name or of its supply unit, or sounds like one
(``ipec.monitoring.search_keys.word_matches``), or when the search is its pseudonym. A
household is found when every word matches its head's name, its supply unit or one of its
children's names, or the search is a child's pseudonym. How: a search of one word counts its
keys in the index of the search keys (which holds each key's area: the subtree is read from
the index alone, up to :data:`COMMON` rows); a common one (a family name in a wide subtree)
walks the records newest first and tests each: many match, the page fills early. Any other
search reads, for each word, the households of the subtree with a key matching it from that
index alone, keeps those found for every word, and tests each of their children for every
word in its household's few keys.

Without a search a list walks the children (households) newest first and keeps those of the
subtree (a subtree holding a large enough part of the areas, as :func:`walks` decides) or
gathers the subtree's households from their area index and sorts (a narrower one). Every
filter is a condition the database evaluates; the page's details (household head, area,
latest visit, open cases) are read for the page's rows only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    intersect,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from ipec.monitoring.assignment import areas_of
from ipec.monitoring.followup import add_months
from ipec.monitoring.models import (
    Area,
    Case,
    CaseStatus,
    Child,
    ChildFacts,
    Household,
    NameKey,
    Sex,
)
from ipec.monitoring.names import words
from ipec.monitoring.queries import Page
from ipec.monitoring.scope import in_subtree
from ipec.monitoring.search_keys import word_matches
from ipec.monitoring.sqlhints import unindexed

__all__ = [
    "COMMON",
    "MAX_WORDS",
    "ChildFilter",
    "ChildList",
    "HouseholdFilter",
    "HouseholdList",
    "search_words",
    "walks",
]

#: A search uses its first words only (a name has a few).
MAX_WORDS = 5
#: A word matching this many keys of the subtrees or more is common: a list searched by one
#: common word walks its records newest first and tests each (many match, so the page fills
#: early); otherwise it gathers the households every word matches (the index alone).
COMMON = 5_000
_PSEUDONYM = re.compile(r"[A-Za-z]-\d{1,12}")


@dataclass(frozen=True, slots=True)
class ChildFilter:
    """What a child list is narrowed to (every field optional; ages at ``today``).

    ``open_case``: with (True) or without (False) a case not closed; ``not_visited_months``:
    no visit in that many months (never visited included); ``include_left``: children who
    left the register too; ``monitor_id``: in the areas whose monitor is this user (the
    caller checks the user is of the reader's team).
    """

    search: str | None = None
    area_path: str | None = None
    sex: Sex | None = None
    min_age: int | None = None
    max_age: int | None = None
    open_case: bool | None = None
    not_visited_months: int | None = None
    include_left: bool = False
    monitor_id: int | None = None


@dataclass(frozen=True, slots=True)
class HouseholdFilter:
    """What a household list is narrowed to: ``open_case``, a child with (without) a case
    not closed; ``not_visited_months``, no child visited in that many months;
    ``monitor_id``, as for :class:`ChildFilter`."""

    search: str | None = None
    area_path: str | None = None
    open_case: bool | None = None
    not_visited_months: int | None = None
    monitor_id: int | None = None


def search_words(search: str | None) -> list[str]:
    """The words of a search that are matched (at most :data:`MAX_WORDS`)."""
    return words(search or "")[:MAX_WORDS]


def _pseudonym(search: str | None) -> str | None:
    """The pseudonym a search may be ("d-0000123" is D-0000123), or None."""
    text = (search or "").strip()
    return text.upper() if _PSEUDONYM.fullmatch(text) else None


@dataclass(frozen=True, slots=True)
class _Bounds:
    """Where a list's records may be: in the subtrees at ``paths`` (the user's scope, the
    area chosen) and, for the assigned-monitor filter, in the areas ``areas`` only."""

    paths: tuple[str, ...]
    areas: tuple[int, ...] | None = None

    @classmethod
    def of(cls, scope_path: str, area_path: str | None, areas: Sequence[int] | None) -> _Bounds:
        paths = (scope_path,) if area_path is None else (scope_path, area_path)
        return cls(paths, None if areas is None else tuple(areas))

    def on(self, column: Any) -> list[ColumnElement[bool]]:
        """The conditions on a record whose area is ``column``."""
        where = [in_subtree(column, path) for path in self.paths]
        if self.areas is not None:
            where.append(column.in_(self.areas))
        return where


def _keys_in(bounds: _Bounds, *conditions: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    return [*conditions, *bounds.on(NameKey.area_id)]


def _count(session: Session, word: str, bounds: _Bounds) -> int:
    """About how many key rows of the subtrees match ``word`` (the most of any one way of
    matching: the words that start with it and those that sound like it are mostly the
    same), counted up to :data:`COMMON` from the index alone."""
    counts = []
    for way in word_matches(word):
        rows = select(literal(1)).where(*_keys_in(bounds, way)).limit(COMMON).subquery()
        counts.append(int(session.scalar(select(func.count()).select_from(rows)) or 0))
    return max(counts)


@dataclass(frozen=True, slots=True)
class _Search:
    """A search as the lists run it: its words, the rarest first (the longest first among
    those counted :data:`COMMON` times), or the pseudonym it is; and whether the list walks
    its records newest first and tests each (one word, common in the subtrees: many records
    match, so the page fills early) rather than gather the households every word matches
    (any other search: the records matching every word of a name are few)."""

    words: list[str]
    pseudonym: str | None
    common: bool

    @classmethod
    def of(cls, session: Session, search: str | None, bounds: _Bounds) -> _Search | None:
        """The search of ``search`` (None for none: no word, no pseudonym)."""
        pseudonym = _pseudonym(search)
        if pseudonym is not None:
            return cls([], pseudonym, common=False)
        terms = list(dict.fromkeys(search_words(search)))
        if not terms:
            return None
        counts = {term: _count(session, term, bounds) for term in terms}
        ranked = sorted(terms, key=lambda term: (counts[term], -len(term)))
        common = len(ranked) == 1 and counts[ranked[0]] >= COMMON
        return cls(ranked, None, common=common)


def _keys_of(household: Any, word: str, child: Any = None) -> ColumnElement[bool]:
    """The household has a key matching ``word`` (of ``child``, when given: its own name's,
    or its household head's or supply unit's), read from the index of the household's few
    keys."""
    where = [NameKey.household_id == household, or_(*word_matches(word, probe=True))]
    if child is not None:
        where.append(or_(NameKey.child_id == child, NameKey.child_id.is_(None)))
    return exists().where(*where)


def _child_has(word: str) -> ColumnElement[bool]:
    """The child (``Child``) has a key matching ``word``."""
    return _keys_of(Child.household_id, word, Child.id)


def _households_matching(search: _Search, bounds: _Bounds) -> Select[Any]:
    """The ids of the households of the subtrees with a key matching every word (any key:
    the head's, the supply unit's, a child's): the households of each word, each read from
    the index of the words or of the sounds alone, kept when found for every word.

    A set intersection of index-only reads, on both databases. Testing each household of the
    rarest word for the other words in its own keys was several times slower where both
    words are common: on PostgreSQL the planner turns the probe into a join that reads every
    key row of the other words, and on SQLite a country's first and family name took 143 ms
    (p95, a million children) against 43 ms by the intersection."""
    found: list[Select[Any]] = []
    for word in search.words:
        ways = [select(NameKey.household_id).where(*_keys_in(bounds, way))
                for way in word_matches(word)]  # fmt: skip
        found.append(select(union_all(*ways).subquery().c[0]) if len(ways) > 1 else ways[0])
    return select(intersect(*found).subquery().c[0]) if len(found) > 1 else found[0]


def _not_visited_since(cutoff: date, child_id: Any) -> ColumnElement[bool]:
    """The child has no visit on or after ``cutoff`` (one probe of its facts)."""
    return ~exists().where(ChildFacts.child_id == child_id, ChildFacts.last_date >= cutoff)


def _open_case(child_id: Any) -> ColumnElement[bool]:
    return exists().where(Case.child_id == child_id, Case.status != CaseStatus.CLOSED)


def _child_conditions(filters: ChildFilter, today: date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if not filters.include_left:
        where.append(Child.active.is_(True))
    if filters.sex is not None:
        where.append(Child.sex == filters.sex)
    if filters.min_age is not None:
        where.append(Child.birth_date <= add_months(today, -12 * filters.min_age))
    if filters.max_age is not None:
        where.append(Child.birth_date > add_months(today, -12 * (filters.max_age + 1)))
    if filters.open_case is not None:
        where.append(_open_case(Child.id) if filters.open_case else ~_open_case(Child.id))
    if filters.not_visited_months is not None:
        cutoff = add_months(today, -filters.not_visited_months)
        where.append(_not_visited_since(cutoff, Child.id))
    return where


def child_ids_query(
    scope_path: str,
    filters: ChildFilter,
    today: date,
    *,
    wide: bool,
    search: _Search | None,
    areas: Sequence[int] | None = None,
) -> Select[Any]:
    """The ids of the children of a list, newest first (to be limited to a page): ``wide``,
    the subtree holds a tenth of the areas or more; ``search``, the list's search (see
    :class:`_Search`); ``areas``, the areas of the monitor asked for."""
    bounds = _Bounds.of(scope_path, filters.area_path, areas)
    where = _child_conditions(filters, today)
    query = select(Child.id)
    if search is not None and search.pseudonym is not None:
        where.append(Child.pseudonym == search.pseudonym)
        query = query.join(Household, Household.id == Child.household_id)
        where.extend(bounds.on(Household.area_id))
    elif search is not None and not search.common:
        # the children of the households with every word, each with every word itself
        matching = _households_matching(search, bounds)
        where.append(Child.household_id.in_(matching))
        where.extend(_child_has(word) for word in search.words)
    else:
        # Walk the children newest first, testing each household's area (a wide subtree:
        # hidden from SQLite's index choice) or gather the subtree's households' children.
        query = query.join(Household, Household.id == Child.household_id)
        area = unindexed(Household.area_id) if wide else Household.area_id
        where.extend(bounds.on(area))
        if search is not None:
            where.extend(_child_has(word) for word in search.words)
    return query.where(and_(*where)).order_by(Child.id.desc())


def _child_details(ids: list[int], today: date) -> Select[Any]:
    """The rows of a page of children: the child, its household's head and area, its
    latest visit's day and its open cases."""
    open_cases = (
        select(func.count(Case.id))
        .where(Case.child_id == Child.id, Case.status != CaseStatus.CLOSED)
        .correlate(Child)
        .scalar_subquery()
    )
    return (
        select(
            Child,
            Household.head_name.label("head_name"),
            Household.area_id.label("area_id"),
            Area.name.label("area_name"),
            ChildFacts.last_date.label("last_visit"),
            open_cases.label("open_cases"),
        )
        .join(Household, Household.id == Child.household_id)
        .join(Area, Area.id == Household.area_id)
        .outerjoin(ChildFacts, ChildFacts.child_id == Child.id)
        .where(Child.id.in_(ids))
        .order_by(Child.id.desc())
    )


#: The share of the areas from which a list's first page walks the records newest first
#: rather than gather the subtree's (for page ``n``, this times the square root of ``n``).
WALK_SHARE = 0.01


def walks(session: Session, path: str, page: int) -> bool:
    """Whether a list over the subtree at ``path`` walks the records newest first and keeps
    the subtree's (stopping at the page) rather than gather the subtree's records from the
    households' area index and sort them.

    The walk reads about ``page * per_page / share`` records, the gathering ``share * all``
    (``share``: the subtree's part of the records, taken as its part of the areas): the walk
    is the cheaper from a share of ``WALK_SHARE`` for the first page (a district of a country
    of a million children: about 2,500 records read against 20,000), and from a share that
    grows with the square root of the page for the later ones."""
    inside = func.count().filter(Area.path.startswith(path, autoescape=True))
    total, wide = session.execute(select(func.count(), inside).select_from(Area)).one()
    return int(wide) >= WALK_SHARE * math.sqrt(page) * int(total)


def _monitor_areas(session: Session, monitor_id: int | None, scope_path: str) -> list[int] | None:
    """The areas of the scope whose monitor is user ``monitor_id`` (the nearest area with a
    monitor at or above each: ``ipec.monitoring.assignment.areas_of``); None for no filter."""
    return None if monitor_id is None else areas_of(session, monitor_id, scope_path)


#: PostgreSQL's planner settings for a page of the register, for the transaction: an index
#: probe costs about what a page read in sequence does (the data is in memory or on SSD; with
#: the default 4, a search's few hundred households' children were read by a scan of every
#: child), and no parallel workers (a page reads a few thousand rows: starting the workers
#: cost more than the page, 100 ms against 16 in a region).
_POSTGRES_SETTINGS = ("SET LOCAL random_page_cost = 1.1",
                      "SET LOCAL max_parallel_workers_per_gather = 0")  # fmt: skip


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _plan_settings(session: Session) -> None:
    """Apply :data:`_POSTGRES_SETTINGS` on PostgreSQL (``SET LOCAL``: until the caller's
    transaction ends)."""
    if _on_postgresql(session):
        for setting in _POSTGRES_SETTINGS:
            session.execute(text(setting))


def _page(session: Session, ids_query: Select[Any], details: Any, page: int,
          per_page: int) -> Page:  # fmt: skip
    """The page's ids (one more than a page, to know whether another follows), then their
    details."""
    _plan_settings(session)
    ids = list(session.scalars(ids_query.limit(per_page + 1).offset((page - 1) * per_page)))
    rows = list(session.execute(details(ids[:per_page])).all()) if ids else []
    return Page(rows, len(ids) > per_page)


@dataclass(frozen=True, slots=True)
class ChildList:
    """One page of the children of the register, newest first, in the filters."""

    filters: ChildFilter
    today: date
    page: int = 1
    per_page: int = 50

    @property
    def action(self) -> str:
        """The audit log's name for reading it."""
        return "child.list"

    @property
    def entity(self) -> str:
        """What the audit row is about."""
        return "child"

    def page_in(self, session: Session, scope_path: str) -> Page:
        """The page within the subtree at ``scope_path``."""
        areas = _monitor_areas(session, self.filters.monitor_id, scope_path)
        wide = areas is None and walks(session, self.filters.area_path or scope_path, self.page)
        bounds = _Bounds.of(scope_path, self.filters.area_path, areas)
        search = _Search.of(session, self.filters.search, bounds)
        ids = child_ids_query(scope_path, self.filters, self.today, wide=wide, search=search,
                              areas=areas)  # fmt: skip
        return _page(session, ids, lambda found: _child_details(found, self.today), self.page,
                     self.per_page)  # fmt: skip


def _household_conditions(filters: HouseholdFilter, today: date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.open_case is not None:
        with_case = exists().where(
            Child.household_id == Household.id,
            Case.child_id == Child.id,
            Case.status != CaseStatus.CLOSED,
        )
        where.append(with_case if filters.open_case else ~with_case)
    if filters.not_visited_months is not None:
        cutoff = add_months(today, -filters.not_visited_months)
        visited = exists().where(
            Child.household_id == Household.id,
            ChildFacts.child_id == Child.id,
            ChildFacts.last_date >= cutoff,
        )
        where.append(~visited)
    return where


def household_ids_query(
    scope_path: str,
    filters: HouseholdFilter,
    today: date,
    *,
    wide: bool,
    search: _Search | None,
    areas: Sequence[int] | None = None,
) -> Select[Any]:
    """The ids of the households of a list, newest first (to be limited to a page); as
    :func:`child_ids_query`."""
    bounds = _Bounds.of(scope_path, filters.area_path, areas)
    where = _household_conditions(filters, today)
    if search is not None and search.pseudonym is not None:
        of_child = select(Child.household_id).where(Child.pseudonym == search.pseudonym)
        where.append(Household.id.in_(of_child))
        where.extend(bounds.on(Household.area_id))
    elif search is not None and not search.common:
        matching = _households_matching(search, bounds)
        where.append(Household.id.in_(matching))
    else:
        area = unindexed(Household.area_id) if wide else Household.area_id
        where.extend(bounds.on(area))
        if search is not None:
            where.extend(_keys_of(Household.id, word) for word in search.words)
    return select(Household.id).where(and_(*where)).order_by(Household.id.desc())


def _household_details(ids: list[int]) -> Select[Any]:
    """The rows of a page of households: the household, its area, its children (active
    ones, and all) and their open cases."""

    def of_children(*conditions: Any) -> Any:
        return (
            select(func.count(Child.id))
            .where(Child.household_id == Household.id, *conditions)
            .correlate(Household)
            .scalar_subquery()
        )

    open_cases = (
        select(func.count(Case.id))
        .join(Child, Child.id == Case.child_id)
        .where(Child.household_id == Household.id, Case.status != CaseStatus.CLOSED)
        .correlate(Household)
        .scalar_subquery()
    )
    return (
        select(
            Household,
            Area.name.label("area_name"),
            of_children(Child.active.is_(True)).label("active_children"),
            of_children().label("children"),
            open_cases.label("open_cases"),
        )
        .join(Area, Area.id == Household.area_id)
        .where(Household.id.in_(ids))
        .order_by(Household.id.desc())
    )


@dataclass(frozen=True, slots=True)
class HouseholdList:
    """One page of the households of the register, newest first, in the filters."""

    filters: HouseholdFilter
    today: date
    page: int = 1
    per_page: int = 50

    @property
    def action(self) -> str:
        """The audit log's name for reading it."""
        return "household.list"

    @property
    def entity(self) -> str:
        """What the audit row is about."""
        return "household"

    def page_in(self, session: Session, scope_path: str) -> Page:
        """The page within the subtree at ``scope_path``."""
        areas = _monitor_areas(session, self.filters.monitor_id, scope_path)
        wide = areas is None and walks(session, self.filters.area_path or scope_path, self.page)
        bounds = _Bounds.of(scope_path, self.filters.area_path, areas)
        search = _Search.of(session, self.filters.search, bounds)
        ids = household_ids_query(scope_path, self.filters, self.today, wide=wide,
                                  search=search, areas=areas)  # fmt: skip
        return _page(session, ids, _household_details, self.page, self.per_page)

"""The search keys of the register's names (``name_keys``), kept with every write.

Each household has one row per word of its head's name and of its supply unit
(``child_id`` None), and one per word of each child's name, with the word as
:func:`ipec.monitoring.names.words` gives it, its :func:`~ipec.monitoring.names.sound_key`
and a copy of the household's area, so that a search by name reads one index range per
word: the words that start with what was typed, and those that sound like it.

The keys are computed in Python (the sound key has no SQL form) and kept in one place, a
flush hook (:func:`_after_flush`): every household the flush wrote (registered, renamed, its
supply unit changed, moved) or whose children it wrote (added, renamed) has its keys
computed again, all of them, from the records. Bulk writers that bypass the ORM (the demo
seeder) call :func:`refresh_name_keys` once afterwards. :func:`word_matches` is the SQL
condition of one searched word.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, event, insert, or_, select
from sqlalchemy.orm import Session

from ipec.monitoring.models import Child, Household, NameKey, changed
from ipec.monitoring.names import sound_key, words
from ipec.monitoring.sqlhints import unindexed

__all__ = ["MIN_SOUND_WORD", "key_rows", "refresh_name_keys", "word_matches"]

#: A searched word this long or longer also finds the words that sound like it; a shorter
#: one (an initial, "ya") only those that start with it.
MIN_SOUND_WORD = 3
#: Households re-keyed per statement by a bulk refresh.
_CHUNK = 20_000
#: Sorts after every character a word may hold (the last code point; the keys are compared
#: byte by byte, as UTF-8): the words starting with ``w`` are those from ``w`` up to
#: ``w + _AFTER``, one index range.
_AFTER = "\U0010ffff"


@functools.lru_cache(maxsize=262_144)
def _keys_of(text: str) -> tuple[tuple[str, str], ...]:
    """The distinct (word, sound key) pairs of a name, in order."""
    seen: dict[str, str] = {}
    for word in words(text):
        seen.setdefault(word, sound_key(word))
    return tuple(seen.items())


def key_rows(
    household_id: int,
    area_id: int,
    head_name: str,
    supply_unit: str | None,
    children: Collection[tuple[int, str]],
) -> Iterator[dict[str, Any]]:
    """The key rows of a household (its head's name and supply unit) and of its
    ``children`` (id, name)."""
    own = dict(_keys_of(head_name))
    for word, sound in _keys_of(supply_unit or ""):
        own.setdefault(word, sound)
    named: list[tuple[int | None, dict[str, str]]] = [(None, own)]
    named.extend((child_id, dict(_keys_of(name))) for child_id, name in children)
    for child_id, keys in named:
        for word, sound in keys.items():
            yield {"household_id": household_id, "child_id": child_id, "area_id": area_id,
                   "word": word, "sound": sound}  # fmt: skip


def word_matches(word: str, *, probe: bool = False) -> list[ColumnElement[bool]]:
    """The ways a key row matches a searched word (one of ``names.words``): its word starts
    with ``word`` (one range of the words' index) or, for a word of :data:`MIN_SOUND_WORD`
    letters or more, it sounds the same (one value of the sounds' index). ``probe``: the
    columns hidden from SQLite's index choice, for a test of one household's few keys (read
    from the index of the households' keys)."""
    word_column = unindexed(NameKey.word) if probe else NameKey.word
    sound_column = unindexed(NameKey.sound) if probe else NameKey.sound
    ways = [and_(word_column >= word, word_column < word + _AFTER)]
    if len(word) >= MIN_SOUND_WORD:
        ways.append(sound_column == sound_key(word))
    return ways


def _rekey(connection: Connection, household_ids: Collection[int]) -> None:
    """Replace the keys of ``household_ids`` with keys computed from their records."""
    ids = sorted(household_ids)
    if not ids:
        return
    connection.execute(delete(NameKey).where(NameKey.household_id.in_(ids)))
    children: dict[int, list[tuple[int, str]]] = {}
    query = select(Child.household_id, Child.id, Child.name).where(Child.household_id.in_(ids))
    for household_id, child_id, name in connection.execute(query.order_by(Child.id)):
        children.setdefault(household_id, []).append((child_id, name))
    households = select(Household.id, Household.area_id, Household.head_name,
                        Household.supply_unit).where(Household.id.in_(ids))  # fmt: skip
    rows = [
        row
        for household_id, area_id, head, unit in connection.execute(households)
        for row in key_rows(household_id, area_id, head, unit, children.get(household_id, []))
    ]
    if rows:
        connection.execute(insert(NameKey), rows)


def refresh_name_keys(connection: Connection) -> None:
    """Compute every household's keys again (a bulk writer, once its rows are in), in the
    connection's transaction: the names are read a chunk of households at a time and the
    keys written by ``ipec.db.bulk``."""
    import polars as pl  # the bulk path only: importing ipec.monitoring stays light

    from ipec.db.bulk import analyze, bulk_load

    connection.execute(delete(NameKey))
    last = connection.scalar(select(Household.id).order_by(Household.id.desc()).limit(1)) or 0
    with bulk_load(connection, ("name_keys",)) as writer:
        next_id = writer.next_id("name_keys")
        for start in range(0, last, _CHUNK):
            chunk = _chunk_rows(connection, start, start + _CHUNK)
            if not chunk:
                continue
            frame = pl.DataFrame(chunk, schema={"household_id": pl.Int64, "child_id": pl.Int64,
                                                "area_id": pl.Int64, "word": pl.String,
                                                "sound": pl.String}, orient="row")  # fmt: skip
            frame = frame.with_row_index("id", offset=next_id).cast({"id": pl.Int64})
            next_id += frame.height
            writer.write("name_keys", frame)
    analyze(connection, ["name_keys"])


def _chunk_rows(connection: Connection, low: int, high: int) -> list[tuple[Any, ...]]:
    """The key rows of the households with ids in (``low``, ``high``]."""
    within = and_(Household.id > low, Household.id <= high)
    children: dict[int, list[tuple[int, str]]] = {}
    query = (
        select(Child.household_id, Child.id, Child.name)
        .join(Household, Household.id == Child.household_id)
        .where(within)
        .order_by(Child.id)
    )
    for household_id, child_id, name in connection.execute(query):
        children.setdefault(household_id, []).append((child_id, name))
    households = select(Household.id, Household.area_id, Household.head_name,
                        Household.supply_unit).where(within)  # fmt: skip
    return [
        (row["household_id"], row["child_id"], row["area_id"], row["word"], row["sound"])
        for household_id, area_id, head, unit in connection.execute(households)
        for row in key_rows(household_id, area_id, head, unit, children.get(household_id, []))
    ]


#: The columns whose change re-keys a household.
_HOUSEHOLD_KEYED = ("head_name", "supply_unit", "area_id")


def _written_households(session: Session) -> set[int]:
    """The households whose keys the flush changed: new or changed households (a keyed
    column), and those of new or renamed children."""
    found: set[int] = set()
    for record in session.new:
        if isinstance(record, Household):
            found.add(record.id)
        elif isinstance(record, Child):
            found.add(record.household_id)
    for record in session.dirty:
        if isinstance(record, Household) and changed(record, *_HOUSEHOLD_KEYED):
            found.add(record.id)
        elif isinstance(record, Child) and changed(record, "name"):
            found.add(record.household_id)
    return found


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """A child or household about to be deleted loses its keys first (they refer to it)."""
    children = sorted(o.id for o in session.deleted if isinstance(o, Child) and o.id is not None)
    households = sorted(
        o.id for o in session.deleted if isinstance(o, Household) and o.id is not None
    )
    if not (children or households):
        return
    gone = or_(NameKey.child_id.in_(children), NameKey.household_id.in_(households))
    session.connection().execute(delete(NameKey).where(gone))


def _after_flush(session: Session, _context: Any) -> None:
    """Re-key, once per flush, every household the flush wrote (see the module's notes)."""
    written = _written_households(session)
    written -= {o.id for o in session.deleted if isinstance(o, Household)}
    if written:
        _rekey(session.connection(), written)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)

"""Children registered twice: probabilistic record linkage within and across imports.

Pairs are compared only within blocks (records that share a key), so the work grows with
the blocks' sizes, not with the square of the register: the sound of a word of the name with
the birth year (a typo or a transliteration keeps at least one word's sound; day-month swaps
and year-only dates keep the year), and the exact birth date with the sex. A moved household
keeps both. Each pair gets the Fellegi-Sunter score (Fellegi and Sunter, "A theory for record
linkage", JASA 64, 1969): the sum over fields of log2(m/u) for the level at which the field
agrees (m: how often true duplicates agree so, u: how often distinct children do), with the
levels and the m and u below, set for registers of rural households (names typed by ear,
birth dates often estimated). String similarity is RapidFuzz's Jaro-Winkler and token
ratio; sounds are Jellyfish's Metaphone and ipec's own sound key (French and Akan spellings,
``ipec.monitoring.names``). A pair whose score reaches :data:`THRESHOLD` is a candidate,
listed with its score and the fields that agree, for a person to review.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from sqlalchemy.orm import Session

from ipec.auth.access import Principal, children_in_scope
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Child, Household
from ipec.monitoring.names import sound_key, words

__all__ = [
    "THRESHOLD",
    "Candidate",
    "Person",
    "candidates",
    "find_in_scope",
    "people_in_scope",
    "score",
]

#: The score from which a pair is listed (about 2^THRESHOLD times more likely a duplicate
#: than not, before the prior).
THRESHOLD = 10.0
#: Blocks larger than this are split by sex (a very common name in a year).
_BLOCK = 400

#: Field -> agreement level -> (m, u).
_WEIGHTS: dict[str, dict[str, tuple[float, float]]] = {
    "name": {
        "exact": (0.55, 0.002),
        "close": (0.35, 0.01),
        "sound": (0.07, 0.03),
        "none": (0.03, 0.958),
    },
    "sex": {"same": (0.97, 0.5), "other": (0.03, 0.5)},
    "birth_date": {
        "exact": (0.6, 0.003),
        "swapped": (0.1, 0.0005),
        "month": (0.08, 0.02),
        "year": (0.12, 0.1),
        "near": (0.06, 0.15),
        "none": (0.04, 0.7265),
    },
    "head": {"close": (0.7, 0.02), "none": (0.3, 0.98)},
    "area": {"same": (0.8, 0.2), "other": (0.2, 0.8)},
}


@dataclass(frozen=True, slots=True)
class Person:
    """A child as linkage compares it: ``birth_date`` with ``year_only`` when only the
    year is known (the day and month are then not compared)."""

    id: int
    name: str
    sex: str
    birth_date: date
    head: str
    area_id: int
    year_only: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two children that may be one: the score and each field's level of agreement."""

    first: int
    second: int
    score: float
    levels: dict[str, str]

    @property
    def agreeing(self) -> list[str]:
        """The fields that agree (any level but the lowest)."""
        return [name for name, level in self.levels.items() if level not in {"none", "other"}]


@dataclass(frozen=True, slots=True)
class _Features:
    """What comparisons read of a person, computed once: the folded name and head, the
    name's sounds (ipec's key and Metaphone of each word)."""

    name: str
    sounds: tuple[frozenset[str], ...]
    head: str

    @classmethod
    def of(cls, person: Person) -> _Features:
        name = " ".join(words(person.name))
        sounds = tuple(frozenset({sound_key(w), jellyfish.metaphone(w)}) for w in name.split())
        return cls(name, sounds, " ".join(words(person.head)))


def _similar(a: str, b: str) -> float:
    """How alike two folded texts are, 0 to 1 (word order and a missing word forgiven)."""
    return max(fuzz.token_sort_ratio(a, b), fuzz.token_set_ratio(a, b)) / 100


def _name_level(first: _Features, second: _Features) -> str:
    a, b = first.name, second.name
    if a == b:
        return "exact"
    if _similar(a, b) >= 0.88 or JaroWinkler.similarity(a, b) >= 0.93:
        return "close"
    # every word of the shorter name sounds like a word of the other
    short, long = sorted((first.sounds, second.sounds), key=len)
    alike = all(any(word & other for other in long) for word in short)
    return "sound" if short and alike else "none"


def _date_level(first: Person, second: Person) -> str:
    a, b = first.birth_date, second.birth_date
    if first.year_only or second.year_only:
        return "year" if a.year == b.year else ("near" if abs(a.year - b.year) == 1 else "none")
    if a == b:
        return "exact"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swapped"
    if (a.year, a.month) == (b.year, b.month):
        return "month"
    if a.year == b.year:
        return "year"
    return "near" if abs((a - b).days) <= 400 else "none"


def _levels(first: Person, second: Person, features: dict[int, _Features]) -> dict[str, str]:
    one, two = features[first.id], features[second.id]
    return {
        "name": _name_level(one, two),
        "sex": "same" if first.sex == second.sex else "other",
        "birth_date": _date_level(first, second),
        "head": "close" if fuzz.token_sort_ratio(one.head, two.head) >= 85 else "none",
        "area": "same" if first.area_id == second.area_id else "other",
    }


def score(levels: dict[str, str]) -> float:
    """The pair's Fellegi-Sunter score: the sum of log2(m/u) of each field's level."""
    return sum(
        math.log2(m / u) for name, level in levels.items() for m, u in [_WEIGHTS[name][level]]
    )


def _blocks(people: Sequence[Person], features: dict[int, _Features]) -> Iterable[list[Person]]:
    keyed: dict[tuple[object, ...], list[Person]] = defaultdict(list)
    for person in people:
        for word in set(features[person.id].name.split()):
            keyed[("word", sound_key(word), person.birth_date.year)].append(person)
        keyed[("date", person.birth_date, person.sex)].append(person)
    for members in keyed.values():
        if len(members) <= _BLOCK:
            yield members
            continue
        by_sex: dict[str, list[Person]] = defaultdict(list)
        for person in members:
            by_sex[person.sex].append(person)
        yield from by_sex.values()


def candidates(people: Sequence[Person], *, threshold: float = THRESHOLD) -> list[Candidate]:
    """The pairs of ``people`` that may be one child, best first; ``known`` pairs (already
    judged "not a duplicate") are for the caller to drop."""
    features = {person.id: _Features.of(person) for person in people}
    seen: set[tuple[int, int]] = set()
    found: list[Candidate] = []
    for block in _blocks(people, features):
        for index, first in enumerate(block):
            for second in block[index + 1 :]:
                pair = (min(first.id, second.id), max(first.id, second.id))
                if first.id == second.id or pair in seen:
                    continue
                seen.add(pair)
                levels = _levels(first, second, features)
                value = score(levels)
                if value >= threshold:
                    found.append(Candidate(pair[0], pair[1], round(value, 2), levels))
    return sorted(found, key=lambda candidate: (-candidate.score, candidate.first))


def people_in_scope(session: Session, principal: Principal) -> list[Person]:
    """The children on the register in the principal's areas, as linkage compares them."""
    query = (
        children_in_scope(principal)
        .where(Child.active)
        .with_only_columns(
            Child.id,
            Child.name,
            Child.sex,
            Child.birth_date,
            Household.head_name,
            Household.area_id,
        )
    )
    return [
        Person(row[0], row[1], row[2].value, row[3], row[4], row[5])
        for row in session.execute(query.order_by(Child.id))
    ]


def find_in_scope(
    session: Session, principal: Principal, *, threshold: float = THRESHOLD
) -> list[Candidate]:
    """The candidate pairs among the principal's children; each child of a pair listed is
    audit-logged as read by the principal (the list shows their names)."""
    found = candidates(people_in_scope(session, principal), threshold=threshold)
    for child_id in sorted({c.first for c in found} | {c.second for c in found}):
        write_audit(
            session,
            actor=principal.username,
            action="child.read",
            entity="child",
            entity_id=child_id,
            origin="duplicates",
            detail={"list": "duplicates"},
        )
    session.flush()
    return found

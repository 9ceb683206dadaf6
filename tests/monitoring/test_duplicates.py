"""Record linkage finds children registered twice (typos, transliterations, swapped day and
month, year-only dates, moved households) and leaves siblings and namesakes of other
villages alone; measured against a synthetic register whose duplicates were planted."""

from __future__ import annotations

from datetime import date

import pytest

from ipec.monitoring.duplicates import THRESHOLD, Person, candidates, score
from tests.monitoring.synthetic_register import register


def kid(
    person_id: int,
    name: str,
    born: date,
    *,
    head: str = "Kwame Mensah",
    area: int = 1,
    sex: str = "male",
    year_only: bool = False,
) -> Person:
    return Person(person_id, name, sex, born, head, area, year_only)


@pytest.mark.parametrize("seed", [1, 2])
def test_precision_and_recall_on_a_register_with_planted_duplicates(seed: int) -> None:
    people, truth = register(300, seed=seed)
    found = {(candidate.first, candidate.second) for candidate in candidates(people)}
    true_positives = len(found & truth)
    # measured: precision 0.95 and 0.97, recall 0.99 (89 planted among about 980 children);
    # the misses are a typo that moved the space between the names with a year-only date
    assert true_positives / len(found) >= 0.9
    assert true_positives / len(truth) >= 0.95


def test_each_error_a_register_makes_is_still_linked() -> None:
    born = date(2014, 3, 9)
    original = kid(1, "Kwame Mensah", born)
    copies = [
        kid(2, "Kouamé Mensah", born),  # transliteration
        kid(3, "Kwame Mensha", born),  # typo
        kid(4, "Kwame Mensah", date(2014, 9, 3)),  # day and month swapped
        kid(5, "Kwame Mensah", date(2014, 7, 1), year_only=True),  # only the year known
        kid(6, "Kwame Mensah", born, area=2),  # the household moved
    ]
    found = {candidate.second: candidate for candidate in candidates([original, *copies])
             if candidate.first == 1}  # fmt: skip
    assert set(found) == {2, 3, 4, 5, 6}
    assert found[4].levels["birth_date"] == "swapped"
    assert found[5].levels["birth_date"] == "year"
    assert found[6].levels["area"] == "other"
    assert "name" in found[2].agreeing


def test_siblings_and_namesakes_elsewhere_are_not_candidates() -> None:
    people = [
        kid(1, "Kwame Mensah", date(2014, 3, 9)),
        kid(2, "Kofi Mensah", date(2012, 5, 1)),  # his brother
        kid(3, "Ama Mensah", date(2014, 3, 9), sex="female"),  # his twin sister
        kid(4, "Kwame Mensah", date(2009, 11, 20), head="Yaw Owusu", area=7),  # a namesake
    ]
    assert candidates(people) == []


def test_the_score_adds_the_fields_log_likelihood_ratios() -> None:
    best = {"name": "exact", "sex": "same", "birth_date": "exact", "head": "close",
            "area": "same"}  # fmt: skip
    # log2(m/u): 0.55/0.002, 0.97/0.5, 0.6/0.003, 0.7/0.02, 0.8/0.2
    expected = 8.1033 + 0.9560 + 7.6439 + 5.1293 + 2.0
    assert score(best) == pytest.approx(expected, abs=1e-3)
    assert score({**best, "name": "none", "birth_date": "none"}) < THRESHOLD

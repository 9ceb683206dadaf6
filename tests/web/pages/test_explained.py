"""A visit's explanation said again in the reader's language, from its own answers."""

from __future__ import annotations

import doctest
from types import SimpleNamespace
from typing import Any

from ipec.classify import classify_child
from ipec.classify.explain import Wording
from ipec.standards import load_profile
from ipec.web.pages import explained
from ipec.web.pages.explained import explanations
from ipec.web.pages.i18n import load_translations

PROFILE = load_profile("cocoa-ci-2017")
FRENCH = Wording("fr", load_translations()["fr"].gettext)


def _visit(record: dict[str, Any], **changed: Any) -> Any:
    stored = classify_child(record, PROFILE)
    fields = {"id": 7, "record": record, "profile_id": PROFILE.id,
              "profile_version": PROFILE.version, "explanation": stored.explanation}  # fmt: skip
    return SimpleNamespace(**{**fields, **changed})


def test_the_examples_run() -> None:
    assert doctest.testmod(explained).failed == 0


def test_every_kind_of_sentence_is_said_in_french() -> None:
    """Each sentence kind, from visits that make them: a fired rule with a national task, a
    light-work limit, undetermined hours, an unknown age, chores below their threshold."""
    visits = [
        {"age": 9, "econ_any": True, "econ_hours": 3, "haz_tree_felling": True},
        {"age": 13, "econ_any": True, "econ_hours": 20},
        {"age": 10, "econ_any": True, "econ_hours": None},
        {"age": None, "econ_any": False},
        {"age": 16, "econ_any": True, "econ_hours": 10, "chores_any": True, "chores_hours": 5},
    ]
    said = [explanations([_visit(record)], PROFILE, FRENCH)[7] for record in visits]
    english = [_visit(record).explanation for record in visits]
    assert "Le travail comprend « Abat des arbres », sur la liste nationale" in said[0]
    assert "dépassent la limite de" in said[1] or "atteignent la limite de" in said[1]
    assert "Une activité économique a été déclarée, mais les heures sont inconnues" in said[2]
    assert "À redemander : les heures d\u2019activité économique" in said[2]
    assert said[3].startswith("L\u2019âge est inconnu")
    assert "tâches ménagères" in said[4]
    for french, stored in zip(said, english, strict=True):
        assert french != stored
        assert "{" not in french


def test_english_and_other_versions_keep_the_stored_words() -> None:
    record = {"age": 13, "econ_any": True, "econ_hours": 20}
    english = Wording()
    assert explanations([_visit(record, explanation="as stored")], PROFILE, english) == {
        7: "as stored"
    }
    older = _visit(record, profile_version="2016.1", explanation="as stored")
    assert explanations([older], PROFILE, FRENCH) == {7: "as stored"}
    unreadable = _visit(record, explanation="as stored")
    unreadable.record = {"unknown_field": 1}
    assert explanations([unreadable], PROFILE, FRENCH) == {7: "as stored"}

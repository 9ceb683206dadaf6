"""National hazardous-work lists in a profile: each task's code, wording, ages and source are
validated, and a problem names the task's code (docs/profiles.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipec.errors import ProfileError
from ipec.standards import HAZARD_CONDITIONS, Label, load_profile, load_profile_file
from ipec.standards.loader import profile_text

#: Two tasks appended to the national template: every case below changes one thing.
_TASKS = """
[[hazards.national]]
code = "machete_use"
label = { en = "Clears land with a machete", fr = "Défriche à la machette" }
ages = { min = 5, max = 17 }
source = "List, art. 3, item 1"

[[hazards.national]]
code = "spraying"
label = { en = "Sprays pesticides" }
ages = { min = 5, max = 15 }
source = "List, art. 3, item 4"
safeguards_from = 14
"""


def _national(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = profile_text("national-template").replace(
        'id = "national-template"', 'id = "gh-test"'
    ) + _TASKS.replace(old, new, 1)
    path = tmp_path / "national.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_tasks_load_with_their_wording_ages_and_source(tmp_path: Path) -> None:
    profile = load_profile_file(_national(tmp_path))
    machete, spraying = profile.hazards.national
    assert (machete.code, machete.column) == ("machete_use", "haz_machete_use")
    assert machete.label.text("fr") == "Défriche à la machette"
    assert spraying.label.text("fr") == "Sprays pesticides"  # no French: the English wording
    assert spraying.label.text("xx") == "Sprays pesticides"
    assert (spraying.ages.label(), spraying.safeguards_from) == ("5-15", 14)
    assert machete.source == "List, art. 3, item 1"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (
            'code = "spraying"',
            'code = "machete_use"',
            "hazards.national",
            "national hazard code 'machete_use' is given twice",
        ),
        (
            'code = "spraying"',
            'code = "heavy_loads"',
            "hazards.national",
            "national hazard code 'heavy_loads' is a built-in hazardous condition",
        ),
        (
            'code = "spraying"',
            'code = "Spraying-2"',
            "hazards.national[1].code",
            "national hazard code 'Spraying-2' is not snake_case",
        ),
        (
            "ages = { min = 5, max = 15 }",
            "ages = { min = 5, max = 19 }",
            "(top level)",
            "national hazard 'spraying' (hazards.national) applies to ages 5-19, outside the "
            "scope 5-17",
        ),
        (
            "ages = { min = 5, max = 17 }",
            "ages = { min = 3, max = 17 }",
            "(top level)",
            "national hazard 'machete_use' (hazards.national) applies to ages 3-17",
        ),
        (
            "safeguards_from = 14",
            "safeguards_from = 16",
            "hazards.national[1]",
            "national hazard 'spraying': safeguards_from 16 must lie above 5 and within its "
            "ages 5-15",
        ),
        (
            'label = { en = "Sprays pesticides" }',
            'label = { fr = "Pulvérise" }',
            "hazards.national[1].label.en",
            "missing field",
        ),
        (
            'label = { en = "Sprays pesticides" }',
            'label = { en = "Sprays", de = "Sprüht" }',
            "hazards.national[1].label.de",
            "unknown field",
        ),
        ('source = "List, art. 3, item 4"\n', "", "hazards.national[1].source", "missing field"),
    ],
)
def test_bad_tasks_are_refused_naming_the_code(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    path = _national(tmp_path, old, new)
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    message = caught.value.one_line()
    assert message.startswith(f"{path}: key '{key}': "), message
    assert problem in message


def test_a_national_code_under_conditions_is_unknown_there(tmp_path: Path) -> None:
    path = _national(tmp_path)
    text = path.read_text(encoding="utf-8").replace('"heavy_loads", "dangerous_tools"',
                                                    '"heavy_loads", "machete_use"')  # fmt: skip
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    message = caught.value.one_line()
    assert "key 'hazards.conditions': unknown hazard code(s) 'machete_use'" in message
    assert "[[hazards.national]]" in message


def test_label_languages_are_the_pages_languages() -> None:
    assert set(Label.model_fields) == {"en", "fr"}


def test_the_cocoa_example_cites_its_list_and_keeps_the_programme_thresholds() -> None:
    cocoa, sdg = load_profile("cocoa-ci-2017"), load_profile("sdg-8.7.1")
    assert "Arrêté n°2017-017 MEPS/CAB" in cocoa.source
    assert "2 juin 2017" in cocoa.source
    assert "paraphrased" in cocoa.notes
    assert (cocoa.ages, cocoa.economic, cocoa.chores) == (sdg.ages, sdg.economic, sdg.chores)
    assert cocoa.hazards.conditions == HAZARD_CONDITIONS
    tasks = cocoa.hazards.national
    assert len(tasks) == 7
    for task in tasks:
        assert task.ages.label() == "5-17", task.code  # the arrêté's title: under 18
        assert task.label.fr, task.code
        assert task.source.startswith("Arrêté n°2017-017 MEPS/CAB"), task.code
    assert {"land_clearing", "tree_felling", "field_burning", "spraying"} <= {
        task.code for task in tasks
    }


def test_the_template_shows_a_national_task_in_comments() -> None:
    text = profile_text("national-template")
    assert "# [[hazards.national]]" in text
    assert load_profile("national-template").hazards.national == ()

"""Shipped profiles load; bad profile files are named with their key and problem."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ipec.errors import ProfileError
from ipec.standards import load_profile, load_profile_file, shipped_profile_ids
from ipec.standards.loader import profile_text

SHIPPED = {
    "cocoa-ci-2017",
    "sdg-8.7.1",
    "sdg-8.7.1-econ",
    "mics6-2017",
    "mics4-5",
    "ilo-global-estimates",
    "national-template",
}


def test_every_standard_of_the_methodology_ships() -> None:
    assert set(shipped_profile_ids()) == SHIPPED


@pytest.mark.parametrize("profile_id", sorted(SHIPPED))
def test_shipped_profiles_state_identity_and_source(profile_id: str) -> None:
    profile = load_profile(profile_id)
    assert profile.id == profile_id
    assert profile.version
    assert len(profile.source) > 40
    text = profile_text(profile_id)
    for key in ("operator", "[ages]", "[economic]", "[chores]", "[hazards]", "water_firewood"):
        assert key in text


def test_methodology_table_values() -> None:
    """The thresholds of METHODOLOGY section 2, restated."""
    sdg = load_profile("sdg-8.7.1")
    assert (sdg.economic.below_light_work_hours, sdg.economic.light_work_max_hours) == (1, 14)
    assert sdg.economic.long_hours == 43
    assert [(b.ages.label(), b.hours) for b in sdg.chores.bands] == [("5-14", 21)]
    assert sdg.hazards.conditions == ()
    assert not load_profile("sdg-8.7.1-econ").chores.counted
    mics = load_profile("mics6-2017")
    assert [(b.ages.label(), b.hours) for b in mics.chores.bands] == [("5-14", 28), ("15-17", 43)]
    assert len(mics.hazards.conditions) == 8
    assert load_profile("mics4-5").hazards.conditions == ()
    ilo = load_profile("ilo-global-estimates")
    assert ilo.economic.below_light_work_hours == "any"
    assert ilo.hazards.industries == ("B", "F")
    assert not ilo.chores.counted
    for profile_id in SHIPPED:
        assert load_profile(profile_id).operator.value == ">="


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "national.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _template(tmp_path: Path, old: str, new: str) -> Path:
    text = profile_text("national-template")
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_user_profile_file_loads(tmp_path: Path) -> None:
    path = _template(tmp_path, 'id = "national-template"', 'id = "gh-2023"')
    assert load_profile(str(path)).id == "gh-2023"
    assert load_profile(path).ages.minimum == 14


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("long_hours = 43", "long_hours = -4", "economic.long_hours", "greater than or equal"),
        (
            "light_work_max_hours = 14",
            "light_work_max_hours = 200",
            "economic.light_work_max_hours",
            "less than or equal to 168",
        ),
        (
            '"heavy_loads", "dangerous_tools"',
            '"heavy_loads", "lava"',
            "hazards.conditions",
            "unknown hazard code(s) 'lava'",
        ),
        (
            'industries = ["B", "F", "0220"]',
            'industries = ["B", "Z9"]',
            "hazards.industries",
            "not ISIC Rev.4",
        ),
        (
            'occupations = ["8111", "9312", "9611"]',
            'occupations = ["81x"]',
            "hazards.occupations",
            "not ISCO-08",
        ),
        ('operator = ">="\n', "", "operator", "missing field"),
        ('operator = ">="', 'operator = "=>"', "operator", "'>=' or '>'"),
        ("minimum = 14 ", "minimum = 19 ", "ages", "light_work <= minimum <= hazardous"),
        (
            "hazardous_with_safeguards = 16",
            "hazardous_with_safeguards = 12",
            "ages",
            "must lie between",
        ),
        (
            "scope = { min = 5, max = 17 }",
            "scope = { min = 17, max = 5 }",
            "ages.scope",
            "min age 17 is above max age 5",
        ),
        ("counted = false", "counted = true", "chores", "no chores band"),
        ("counted = false", "colour = 1\ncounted = false", "chores.colour", "unknown field"),
        (
            'below_light_work_hours = "any"',
            'below_light_work_hours = "some"',
            "economic.below_light_work_hours",
            'or "any"',
        ),
    ],
)
def test_bad_profile_files(tmp_path: Path, old: str, new: str, key: str, problem: str) -> None:
    path = _template(tmp_path, old, new)
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    message = caught.value.one_line()
    assert message.startswith(f"{path}: key '{key}': ")
    assert problem in message
    assert "\n" not in message


def test_overlapping_chores_bands(tmp_path: Path) -> None:
    text = profile_text("mics6-2017").replace("{ min = 15, max = 17 }", "{ min = 14, max = 17 }")
    with pytest.raises(ProfileError, match="chores bands 5-14 and 14-17 overlap"):
        load_profile_file(_write(tmp_path, text))


def test_chores_band_outside_scope(tmp_path: Path) -> None:
    text = profile_text("mics6-2017").replace("{ min = 15, max = 17 }", "{ min = 15, max = 19 }")
    with pytest.raises(ProfileError, match="outside the scope 5-17"):
        load_profile_file(_write(tmp_path, text))


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "id = \n")
    with pytest.raises(ProfileError, match=r"national.toml: not valid TOML"):
        load_profile_file(path)


def test_missing_file_and_unknown_id(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(tmp_path / "absent.toml")
    with pytest.raises(ProfileError) as caught:
        load_profile("sdg-9")
    assert "unknown profile 'sdg-9'" in caught.value.one_line()
    assert "sdg-8.7.1" in caught.value.one_line()


def test_template_is_valid_toml_with_comments() -> None:
    text = profile_text("national-template")
    assert text.count("#") > 20
    assert tomllib.loads(text)["id"] == "national-template"


def test_a_file_may_not_change_a_shipped_profile_under_its_id(tmp_path: Path) -> None:
    same = _write(tmp_path, profile_text("sdg-8.7.1"))
    assert load_profile_file(same) == load_profile("sdg-8.7.1")
    changed = _write(tmp_path, profile_text("sdg-8.7.1").replace("hours = 21", "hours = 5"))
    with pytest.raises(ProfileError) as caught:
        load_profile_file(changed)
    assert "changes the rules of the shipped profile 'sdg-8.7.1'" in caught.value.one_line()
    assert "key 'id'" in caught.value.one_line()


def test_the_title_in_each_language(tmp_path: Path) -> None:
    profile = load_profile("sdg-8.7.1")
    assert profile.title_in("en") == profile.title
    assert profile.title_in("fr").startswith("ODD 8.7.1 : travail des enfants")
    assert profile.title_in("pt") == profile.title  # a language it has no title in
    english = 'en = "National profile template (example values, not a country\'s law)"'
    path = _template(tmp_path, english, "en = 'Another title'")
    with pytest.raises(ProfileError, match=r"label.en .'Another title'. differs from the title"):
        load_profile_file(path)
    bare = _template(tmp_path, "[label]\n", "[unused]\n")
    with pytest.raises(ProfileError, match="unused"):
        load_profile_file(bare)

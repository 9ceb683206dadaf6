"""``ipec profiles list|show|check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipec.cli.main import run
from ipec.standards import shipped_profile_ids
from ipec.standards.loader import profile_text


def test_list_shows_every_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["profiles", "list"]) == 0
    out = capsys.readouterr().out
    for profile_id in shipped_profile_ids():
        assert profile_id in out


def test_show_prints_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["profiles", "show", "mics6-2017"]) == 0
    assert capsys.readouterr().out.strip() == profile_text("mics6-2017").strip()


def test_check_good_and_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.toml"
    good.write_text(profile_text("national-template"), encoding="utf-8")
    assert run(["profiles", "check", str(good)]) == 0
    assert capsys.readouterr().out.startswith("ok: national-template 0.1")
    bad = tmp_path / "bad.toml"
    bad.write_text(profile_text("national-template").replace("long_hours = 43", "long_hours = -1"))
    assert run(["profiles", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: key 'economic.long_hours':")


def test_check_passes_on_the_cocoa_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cocoa.toml"
    path.write_text(profile_text("cocoa-ci-2017"), encoding="utf-8")
    assert run(["profiles", "check", str(path)]) == 0
    assert capsys.readouterr().out.startswith("ok: cocoa-ci-2017 2017.1: Cocoa sector")


def test_check_names_the_national_task_at_fault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = profile_text("cocoa-ci-2017").replace('id = "cocoa-ci-2017"', 'id = "my-cocoa"')
    cases = {
        'code = "tree_felling"': (
            'code = "land_clearing"',
            "key 'hazards.national': national hazard code 'land_clearing' is given twice",
        ),
        'code = "field_burning"': (
            'code = "chemicals"',
            "national hazard code 'chemicals' is a built-in hazardous condition",
        ),
        'code = "spraying"': (
            'code = "spraying"\nsafeguards_from = 25',
            "national hazard 'spraying': safeguards_from 25 must lie above 5",
        ),
    }
    for old, (new, problem) in cases.items():
        path = tmp_path / "cocoa.toml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        assert run(["profiles", "check", str(path)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"error: {path}: key "), err
        assert problem in err, err

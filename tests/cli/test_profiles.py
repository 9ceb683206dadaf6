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

"""The ``ipec`` entry point: help, version, usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ipec import __version__
from ipec.cli.main import run


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ipec {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["classify", "--help"],
        ["explain", "--help"],
        ["profiles", "--help"],
        ["profiles", "list", "--help"],
        ["profiles", "show", "--help"],
        ["profiles", "check", "--help"],
    ],
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert "Usage: ipec" in out
    assert len(out.splitlines()) > 4


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["classify"]) == 2
    assert "Missing" in capsys.readouterr().err


def test_console_script_runs_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ipec", "profiles", "show", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: unknown profile 'nope'")
    assert "Traceback" not in done.stderr

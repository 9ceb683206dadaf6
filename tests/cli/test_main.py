"""The ``ipec`` entry point: help, version, usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ipec import __version__
from ipec.cli.main import LAZY_COMMANDS, run


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


#: What the entry point must not import before a command needs it: the survey stack (scipy,
#: matplotlib, polars), the database (sqlalchemy) and the web application (fastapi).
_HEAVY = ("scipy", "matplotlib", "polars", "sqlalchemy", "fastapi", "ipec.survey", "ipec.db")


def test_importing_the_entry_point_stays_lazy() -> None:
    """``ipec --version`` and ``ipec --help`` start without the heavy libraries: each command
    is imported when it runs (``LAZY_COMMANDS``). A fresh interpreter, so that nothing an
    earlier test imported hides a regression."""
    code = (
        "import sys; from ipec.cli.main import run; run(['--help']); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {_HEAVY!r} "
        f"or any(m.startswith(h + '.') or m == h for h in {_HEAVY!r})))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)  # fmt: skip
    assert found.stdout.strip().splitlines()[-1] == "[]"


def test_the_help_lines_are_the_commands_own() -> None:
    """``ipec --help`` lists each command with a line kept beside its module name; it must be
    the command's own first line, which only importing the command can tell."""
    for name, lazy in LAZY_COMMANDS.items():
        assert lazy.load(name).get_short_help_str(limit=1000) == lazy.help, name


def test_every_lazy_command_runs_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in LAZY_COMMANDS:
        assert run([name, "--help"]) == 0, name
        assert f"Usage: ipec {name}" in capsys.readouterr().out

"""The documentation names every command, option, record column and profile key (drift test)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ipec.classify.record import CHILD_FIELDS, OUTPUT_FIELDS
from ipec.cli.main import LAZY_COMMANDS
from ipec.standards.model import Ages, Chores, Economic, Hazards, Label, NationalHazard, Profile

DOCS = Path(__file__).parents[1] / "docs"
README = Path(__file__).parents[1] / "README.md"


def _commands(commands: dict[str, Any], prefix: str = "ipec") -> list[tuple[str, Any]]:
    """Every command under ``commands`` (name -> command), groups walked down."""
    found: list[tuple[str, Any]] = []
    for name, command in sorted(commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if hasattr(command, "commands"):
            found.extend(_commands(command.commands, path))
    return found


#: The commands are loaded lazily by the entry point: load each one here.
COMMANDS = _commands({name: lazy.load(name) for name, lazy in LAZY_COMMANDS.items()})


def test_every_command_is_found() -> None:
    """The walk reaches the subcommands (a walk that found nothing would test nothing)."""
    paths = {path for path, _ in COMMANDS}
    expected = {"ipec classify", "ipec survey estimate", "ipec db upgrade", "ipec users create"}
    assert expected <= paths
    assert len(paths) > 15


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_cli_reference_names_every_command_and_option(path: str, command: Any) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    if not hasattr(command, "commands"):
        assert f"`{path}" in text
    for parameter in command.params:
        if parameter.param_type_name == "option":
            assert any(option in text for option in parameter.opts if option != "--help"), (
                f"{path} {parameter.opts}"
            )


def test_classify_doc_names_every_column() -> None:
    text = (DOCS / "classify.md").read_text(encoding="utf-8")
    for field in (*CHILD_FIELDS, *OUTPUT_FIELDS):
        assert f"`{field.name}`" in text, field.name


def test_profiles_doc_names_every_key() -> None:
    text = (DOCS / "profiles.md").read_text(encoding="utf-8")
    for model in (Profile, Ages, Economic, Chores, Hazards, NationalHazard, Label):
        for key in model.model_fields:
            assert re.search(rf"`{key}`", text), key


def test_readme_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        assert (README.parent / target).exists(), target

"""The documentation names every command, option, record column and profile key (drift test)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import typer

from ipec.classify.record import CHILD_FIELDS, OUTPUT_FIELDS
from ipec.cli.main import app
from ipec.standards.model import Ages, Chores, Economic, Hazards, Label, NationalHazard, Profile

DOCS = Path(__file__).parents[1] / "docs"
README = Path(__file__).parents[1] / "README.md"


def _commands(group: click.Group, prefix: str = "ipec") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


COMMANDS = _commands(typer.main.get_group(app))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_cli_reference_names_every_command_and_option(path: str, command: click.Command) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    if not isinstance(command, click.Group):
        assert f"`{path}" in text
    for parameter in command.params:
        if isinstance(parameter, click.Option):
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

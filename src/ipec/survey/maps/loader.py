"""Load a shipped variable map by id, or a user's map file by path."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ipec.errors import DataError
from ipec.standards.loader import is_path
from ipec.survey.maps.model import SurveyMap

__all__ = ["load_map", "shipped_map_ids"]


def _shipped() -> dict[str, Path]:
    folder = resources.files("ipec.survey.maps")
    return {
        entry.name.removesuffix(".toml"): Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def shipped_map_ids() -> list[str]:
    """Ids of the variable maps that ship with ipec."""
    return sorted(_shipped())


def load_map(id_or_path: str | Path) -> SurveyMap:
    """A shipped map (``mics6``) or a map file; errors name the file and the key."""
    text = str(id_or_path)
    shipped = _shipped()
    if text in shipped:
        path = shipped[text]
    elif is_path(text):
        path = Path(text)
    else:
        raise DataError(
            f"unknown variable map '{text}'",
            hint=f"use {', '.join(shipped_map_ids())} or the path of a map file (.toml)",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError("no such variable map file", source=str(path)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot read the variable map ({exc})", source=str(path)) from None
    try:
        return SurveyMap.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        problem = str(first["msg"]).removeprefix("Value error, ")
        raise DataError(
            f"key '{key}': {problem}",
            source=str(path),
            hint="see docs/survey.md for the map format",
        ) from None

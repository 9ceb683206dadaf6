"""Find, read and validate profile files, shipped or the user's own.

Every problem becomes a :class:`ProfileError` naming the file, the key and what is wrong, so a
person editing a national profile can fix it without reading code.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ipec.errors import ProfileError
from ipec.standards.model import Profile

__all__ = [
    "is_path",
    "load_profile",
    "load_profile_file",
    "parse_profile",
    "profile_text",
    "shipped_profile_ids",
]

_PROFILE_DIR = "profiles"


def _shipped_files() -> dict[str, Any]:
    folder = resources.files("ipec.standards").joinpath(_PROFILE_DIR)
    return {
        entry.name.removesuffix(".toml"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def shipped_profile_ids() -> list[str]:
    """Ids of the profiles that ship with ipec, sorted."""
    return sorted(_shipped_files())


def _key_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as a TOML key path, e.g. ``chores.bands[1].hours``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}" if text else part
    return text or "(top level)"


def parse_profile(data: dict[str, Any], *, source: str) -> Profile:
    """Validate already-parsed TOML data; ``source`` names it in errors."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        key = _key_path(tuple(first["loc"]))
        problem = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "missing":
            problem = "missing field"
        elif first["type"] == "extra_forbidden":
            problem = "unknown field (check its spelling against the national template)"
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ProfileError(
            f"{problem}{more}",
            source=source,
            key=key,
            hint="see `ipec profiles show national-template` for every field",
        ) from None


def load_profile_file(path: str | Path) -> Profile:
    """Read and validate a profile from a TOML file.

    A file may use the id of a shipped profile only if its rules are the same: results and
    stored classifications are labelled by id and version, so two meanings of one id would
    mix silently.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError("no such profile file", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read the file ({exc})", source=str(path)) from None
    profile = _parse_text(text, source=str(path))
    if profile.id in _shipped_files() and profile != _load_shipped(profile.id):
        raise ProfileError(
            f"the file changes the rules of the shipped profile '{profile.id}' but keeps its id",
            source=str(path),
            key="id",
            hint="give your profile its own id (and version)",
        )
    return profile


def _parse_text(text: str, *, source: str) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"not valid TOML: {exc}", source=source) from None
    return parse_profile(data, source=source)


@cache
def _load_shipped(profile_id: str) -> Profile:
    entry = _shipped_files()[profile_id]
    profile = _parse_text(entry.read_text(encoding="utf-8"), source=f"{profile_id}.toml")
    if profile.id != profile_id:
        raise ProfileError(
            f"the file declares id '{profile.id}'", source=f"{profile_id}.toml", key="id"
        )
    return profile


def is_path(id_or_path: str | Path) -> bool:
    """A file path (a .toml name or anything with a folder) rather than a shipped id."""
    text = str(id_or_path)
    return isinstance(id_or_path, Path) or text.endswith(".toml") or "/" in text or "\\" in text


def profile_text(id_or_path: str | Path) -> str:
    """The TOML text of a shipped profile or a profile file, comments included."""
    if is_path(id_or_path):
        return Path(id_or_path).read_text(encoding="utf-8")
    load_profile(id_or_path)
    text: str = _shipped_files()[str(id_or_path)].read_text(encoding="utf-8")
    return text


def load_profile(id_or_path: str | Path) -> Profile:
    """A shipped profile by id, or a user's profile file by path (anything ending in .toml)."""
    text = str(id_or_path)
    if is_path(id_or_path):
        return load_profile_file(text)
    if text in _shipped_files():
        return _load_shipped(text)
    raise ProfileError(
        f"unknown profile '{text}'",
        hint=f"use one of {', '.join(shipped_profile_ids())} or the path of a .toml file",
    )

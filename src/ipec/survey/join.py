"""A household file joined to the survey file, as a variable map's ``[join]`` declares.

MICS puts household variables (wealth quintile ``windex5``, area, the household's own
answers) in ``hh``, and children in ``hl`` or ``fs``; every child row takes its household's
variables, matched on the household keys (``HH1`` cluster, ``HH2`` household). The joined file
behaves as one survey file to the map: its variables are the survey file's and the household
file's, its rows the survey file's, in their order (row numbers in errors stay the file's).

Checked before any estimate, naming the file and the keys: every key is in both files, the
household file has one row per household (duplicated keys are listed), and every row of the
survey file finds its household.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ipec.errors import DataError
from ipec.survey.maps.model import JoinFile, SurveyMap
from ipec.survey.readers import SurveyFile, open_survey

__all__ = ["JoinedFile", "joined_file"]

_SHOWN = 3


@dataclass(frozen=True)
class JoinedFile(SurveyFile):
    """A survey file with its household file's variables (see :func:`joined_file`)."""

    household: SurveyFile | None = None
    #: (survey file's spelling, household file's spelling) of each key
    key_pairs: tuple[tuple[str, str], ...] = ()
    #: the household file's variables taken, as it spells them
    taken: tuple[str, ...] = ()
    key_types: Mapping[str, Any] = field(default_factory=dict)

    def read(self, variables: Iterable[str], *, text: Iterable[str] = ()) -> pl.LazyFrame:
        """The named variables, each row with its household's (a left join that keeps the
        survey file's rows in their order)."""
        names = list(dict.fromkeys(variables))
        codes = list(text)
        mine = set(self.taken)
        from_household = [name for name in names if name in mine]
        keys = [left for left, _ in self.key_pairs]
        own = [name for name in names if name not in mine]
        left = SurveyFile.read(self, list(dict.fromkeys([*own, *keys])), text=codes)
        if not from_household or self.household is None:
            return left.select(names)
        right = self.household.read(
            [*(right for _, right in self.key_pairs), *from_household],
            text=[name for name in codes if name in mine],
        ).rename({right: left_key for left_key, right in self.key_pairs if right != left_key})
        cast = [pl.col(key).cast(self.key_types[key]) for key in keys]
        joined = left.with_columns(cast).join(
            right.with_columns(cast), on=keys, how="left", maintain_order="left"
        )
        return joined.select(names)


def _key(file: SurveyFile, name: str, what: str) -> str:
    found = file.find(name)
    if found is None:
        raise DataError(
            f"join key {name} not found in the {what}",
            source=file.source,
            hint="correct [join].keys in the map (MICS household keys: HH1, HH2)",
        )
    return found


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _described(rows: pl.DataFrame) -> str:
    return "; ".join(
        ", ".join(f"{name}={_shown(value)}" for name, value in row.items())
        for row in rows.head(_SHOWN).iter_rows(named=True)
    )


def _key_types(left: pl.Schema, right: pl.Schema, pairs: tuple[tuple[str, str], ...],
               source: str) -> dict[str, Any]:  # fmt: skip
    """Keys are compared as numbers when both files hold numbers, else as text."""
    types: dict[str, Any] = {}
    for mine, theirs in pairs:
        numeric = (left[mine].is_numeric(), right[theirs].is_numeric())
        if numeric[0] != numeric[1]:
            raise DataError(
                f"join key {mine} holds numbers in one file and text in the other",
                source=source,
                hint="store the household keys the same way in both files",
            )
        types[mine] = pl.Float64 if numeric[0] else pl.String
    return types


def _check(file: JoinedFile, main: SurveyFile) -> None:
    """One row per household, and a household for every row of the survey file."""
    assert file.household is not None
    household = file.household
    keys = [left for left, _ in file.key_pairs]
    cast = [pl.col(key).cast(file.key_types[key]) for key in keys]
    theirs = (
        household.read([right for _, right in file.key_pairs])
        .rename({right: left for left, right in file.key_pairs if right != left})
        .with_columns(cast)
        .collect()
    )
    repeated = theirs.filter(pl.struct(keys).is_duplicated()).unique(maintain_order=True)
    if repeated.height:
        raise DataError(
            f"the household file lists {repeated.height:,} household(s) more than once "
            f"({_described(repeated)})",
            source=household.source,
            hint="a household file has one row per household: check [join].file and "
            "[join].keys in the map",
        )
    ours = main.read(keys).with_columns(cast).with_row_index("_row").collect()
    lost = ours.join(theirs, on=keys, how="anti", maintain_order="left")
    if lost.height:
        raise DataError(
            f"{lost.height:,} row(s) have no household in {household.path.name} "
            f"({_described(lost.drop('_row'))})",
            source=main.source,
            rows=lost["_row"].head(_SHOWN).to_list(),
            row_count=lost.height,
            hint="join the household file of the same survey, or check [join].keys",
        )


def _taken(spec: JoinFile, main: SurveyFile, household: SurveyFile, keys: set[str]) -> list[str]:
    if spec.variables:
        taken = []
        for name in spec.variables:
            found = household.find(name)
            if found is None:
                raise DataError(
                    f"variable {name} ([join].variables) not found in the household file",
                    source=household.source,
                    hint="correct [join].variables in the map",
                )
            taken.append(found)
        return [name for name in dict.fromkeys(taken) if name not in keys]
    own = {name.casefold() for name in main.variables}
    return [v for v in household.variables if v.casefold() not in own and v not in keys]


def joined_file(file: SurveyFile, survey_map: SurveyMap) -> SurveyFile:
    """``file`` with the household file of the map's ``[join]`` (``file`` itself without one),
    after checking the keys; errors name the file, the key and the households or rows."""
    spec = survey_map.join
    if spec is None:
        return file
    path = Path(spec.file)
    household = open_survey(path if path.is_absolute() else file.path.parent / path)
    pairs = tuple(
        (_key(file, key, "survey file"), _key(household, key, "household file"))
        for key in spec.keys
    )
    taken = _taken(spec, file, household, {right for _, right in pairs})
    shadowed = {name.casefold() for name in taken}
    variables = (*(v for v in file.variables if v.casefold() not in shadowed), *taken)
    labels = {k: v for k, v in file.value_labels.items() if k.casefold() not in shadowed}
    labels |= {name: household.value_labels[name] for name in taken
               if name in household.value_labels}  # fmt: skip
    left_schema = file.read([left for left, _ in pairs]).collect_schema()
    right_schema = household.read([right for _, right in pairs]).collect_schema()
    base = {f.name: getattr(file, f.name) for f in dataclasses.fields(SurveyFile)}
    joined = JoinedFile(
        **{**base, "variables": variables, "value_labels": labels},
        household=household,
        key_pairs=pairs,
        taken=tuple(taken),
        key_types=_key_types(left_schema, right_schema, pairs, file.source),
    )
    _check(joined, file)
    return joined

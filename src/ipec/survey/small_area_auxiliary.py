"""Area covariates for small-area estimation: read, check and match an auxiliary file.

The auxiliary file (CSV or Parquet, from a census or administrative records) has one row per
area: its code, numeric covariates and, optionally, the number of children, to turn
prevalences into counts. Every problem is a :class:`~ipec.errors.DataError` naming the
column and the rows or areas: a missing column, an area listed twice, a covariate that is not
a number, a missing value. Codes are compared as people write them: ``"07"``, ``"7"`` and
``"7.0"`` are the same area.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError
from ipec.files import read_table

__all__ = ["AreaMatch", "Auxiliary", "area_key", "match_areas", "read_auxiliary"]

FloatArray = npt.NDArray[np.float64]
_MISSING = ("", "NA", "N/A", ".", "NaN", "nan")
_SHOWN = 8


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return f"{shown} (and {len(names) - _SHOWN} more)" if len(names) > _SHOWN else shown


def area_key(code: str) -> str:
    """An area code as people write it: ``" 07 "``, ``"7"`` and ``"7.0"`` are ``"7"``."""
    text = code.strip()
    try:
        number = float(text)
    except ValueError:
        return text
    if number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return text


@dataclass(frozen=True, slots=True)
class Auxiliary:
    """One row per area: its code, covariates (areas x names) and optional child population."""

    source: str
    area_column: str
    areas: tuple[str, ...]
    names: tuple[str, ...]
    values: FloatArray
    population: FloatArray | None = None
    population_column: str | None = None

    def rows(self, areas: Sequence[str]) -> list[int]:
        """The row of each of ``areas`` (codes compared with :func:`area_key`)."""
        index = {area_key(area): i for i, area in enumerate(self.areas)}
        return [index[area_key(area)] for area in areas]


def _numbers(frame: pl.DataFrame, column: str, source: str) -> FloatArray:
    """A column as floats (NaN where empty); a value that is not a number is an error."""
    text = frame.get_column(column).cast(pl.String).str.strip_chars()
    missing = text.is_null() | text.is_in(list(_MISSING))
    values = text.cast(pl.Float64, strict=False)
    bad = ~missing & values.is_null()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy()).tolist()
        examples = ", ".join(repr(v) for v in text.filter(bad).unique(maintain_order=True)[:3])
        raise DataError(
            f"holds values that are not numbers ({examples}); covariates must be numeric",
            source=source,
            column=column,
            rows=rows[:5],
            row_count=len(rows),
            hint="recode text covariates as numbers (0/1 indicators), or leave the column out "
            "with --covariates",
        )
    out: FloatArray = values.fill_null(np.nan).to_numpy().astype(np.float64)
    return out


def read_auxiliary(
    path: str | Path,
    *,
    area_column: str,
    covariates: Sequence[str] | None = None,
    population_column: str | None = None,
) -> Auxiliary:
    """Read the auxiliary file and check it.

    ``covariates``: the columns to use, by default every column but the area and population
    columns. Errors name the file, the column and the rows or areas: an absent column, an
    empty or repeated area code, a value that is not a number, a missing value, a negative
    population.
    """
    source = str(path)
    frame = read_table(path, text_columns=(area_column,))
    wanted = [area_column, *(covariates or ()), *([population_column] if population_column else [])]
    absent = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if absent:
        raise DataError(
            f"no column {', '.join(absent)}",
            source=source,
            hint=f"the file has {', '.join(frame.columns)}",
        )
    chosen = list(covariates) if covariates is not None else [
        c for c in frame.columns if c not in {area_column, population_column}
    ]  # fmt: skip
    if not chosen:
        raise DataError(
            "no covariates: the file has only the area code (and population) column",
            source=source,
            hint="add columns of numeric area characteristics",
        )
    codes = frame.get_column(area_column).cast(pl.String).fill_null("").to_list()
    keys = [area_key(code) for code in codes]
    empty = [i for i, key in enumerate(keys) if not key]
    if empty:
        raise DataError("rows with no area code", source=source, column=area_column,
                        rows=empty[:5], row_count=len(empty))  # fmt: skip
    counts = Counter(keys)
    repeated = [key for key, count in counts.items() if count > 1]
    if repeated:
        raise DataError(
            f"area(s) {_listed(repeated)} are listed more than once",
            source=source,
            column=area_column,
            hint="give one row per area",
        )
    values = np.column_stack([_numbers(frame, c, source) for c in chosen])
    missing = np.isnan(values)
    if missing.any():
        areas = [codes[i] for i in np.flatnonzero(missing.any(axis=1))]
        columns = [chosen[j] for j in np.flatnonzero(missing.any(axis=0))]
        raise DataError(
            f"area(s) {_listed(areas)} have no value of {', '.join(columns)}",
            source=source,
            hint="fill in every covariate of every area, or leave the covariate out",
        )
    population = None
    if population_column is not None:
        population = _numbers(frame, population_column, source)
        bad = np.isnan(population) | (population < 0)
        if bad.any():
            areas = [codes[i] for i in np.flatnonzero(bad)]
            raise DataError(
                f"area(s) {_listed(areas)} have no population, or a negative one",
                source=source,
                column=population_column,
            )
    return Auxiliary(
        source=source,
        area_column=area_column,
        areas=tuple(code.strip() for code in codes),
        names=tuple(chosen),
        values=values,
        population=population,
        population_column=population_column,
    )


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """Survey areas with their rows of the auxiliary file, and the file's areas not sampled."""

    rows: tuple[int, ...]
    no_sample: tuple[int, ...]

    def no_sample_areas(self, auxiliary: Auxiliary) -> tuple[str, ...]:
        """The codes of the auxiliary file's areas with no sample."""
        return tuple(auxiliary.areas[i] for i in self.no_sample)


def match_areas(survey_areas: Sequence[str], auxiliary: Auxiliary, *, area: str) -> AreaMatch:
    """Find each survey area in the auxiliary file.

    A survey area missing from the file is an error (it has no covariates); so is a file none
    of whose areas is in the survey (the codes of the two are shown). The file's areas that
    the survey did not sample are returned: they get synthetic estimates.
    """
    index = {area_key(code): i for i, code in enumerate(auxiliary.areas)}
    keys = [area_key(code) for code in survey_areas]
    absent = [code for code, key in zip(survey_areas, keys, strict=True) if key not in index]
    if len(absent) == len(keys) and keys:
        raise DataError(
            f"none of the survey's {area} levels is an area of the auxiliary file",
            source=auxiliary.source,
            column=auxiliary.area_column,
            hint=f"the survey has {_listed(list(survey_areas))}; the file has "
            f"{_listed(list(auxiliary.areas))}: give the areas as the survey's estimates "
            "name them (the map's or the file's labels, else the codes)",
        )
    if absent:
        raise DataError(
            f"the survey's {area} level(s) {_listed(absent)} are not in the auxiliary file",
            source=auxiliary.source,
            column=auxiliary.area_column,
            hint="add a row of covariates for each",
        )
    rows = tuple(index[key] for key in keys)
    taken = set(rows)
    no_sample = tuple(i for i in range(len(auxiliary.areas)) if i not in taken)
    return AreaMatch(rows=rows, no_sample=no_sample)

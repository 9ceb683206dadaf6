"""Classify children in bulk: a Polars frame in, the same frame with the verdict columns out."""

from __future__ import annotations

from typing import overload

import polars as pl

from ipec.classify.prepare import prepare
from ipec.classify.rules import output_expressions
from ipec.standards.loader import load_profile
from ipec.standards.model import Profile

__all__ = ["classify", "resolve_profile"]


def resolve_profile(profile: Profile | str) -> Profile:
    """Accept a loaded profile, a shipped id or a path to a profile file."""
    return profile if isinstance(profile, Profile) else load_profile(profile)


@overload
def classify(
    frame: pl.DataFrame,
    profile: Profile | str,
    *,
    source: str | None = None,
    allow_unknown_age: bool = False,
) -> pl.DataFrame: ...


@overload
def classify(
    frame: pl.LazyFrame,
    profile: Profile | str,
    *,
    source: str | None = None,
    allow_unknown_age: bool = False,
) -> pl.LazyFrame: ...


def classify(
    frame: pl.DataFrame | pl.LazyFrame,
    profile: Profile | str,
    *,
    source: str | None = None,
    allow_unknown_age: bool = False,
) -> pl.DataFrame | pl.LazyFrame:
    """Add the classification columns (see ``ipec.classify.record``) to every child.

    A DataFrame gives a DataFrame, a LazyFrame a LazyFrame. The input is validated first (one
    aggregate pass); bad data raises :class:`ipec.errors.DataError` naming ``source``, the
    column, the first offending rows and the fix. A missing age is such an error unless
    ``allow_unknown_age``: the child's status is then ``undetermined`` (a field record whose
    age is not known yet).
    """
    rules = resolve_profile(profile)
    prepared = prepare(frame, rules, source=source, allow_unknown_age=allow_unknown_age)
    lazy = prepared.frame
    for layer in output_expressions(rules, lazy.collect_schema(), prepared.code_values):
        lazy = lazy.with_columns(layer)
    return lazy.collect() if isinstance(frame, pl.DataFrame) else lazy

"""Domain specs: which result column (level) each group of the group table belongs to.

A spec is a column name or a tuple of column names (crossed cells). Its label in results is the
column names joined by "*" ("sex*age_group") and each level's label the values joined the same
way ("female*5-11"). Rows with a null in a domain column belong to no level of that spec (R's
``svyby`` drops NA groups) but stay in the design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ipec.errors import DesignError
from ipec.survey.kernel import factorize
from ipec.survey.sufficient import GroupTable

__all__ = ["DomainSpec", "Levels", "normalise_by", "spec_levels"]

IntArray = npt.NDArray[np.int64]
DomainSpec = str | tuple[str, ...]
TOTAL = "total"


@dataclass(frozen=True, slots=True)
class Levels:
    """Levels of one spec: ``group_col[g]`` is the level index of group g, -1 for none."""

    by: str
    labels: tuple[str, ...]
    group_col: IntArray

    @property
    def n(self) -> int:
        """Number of levels."""
        return len(self.labels)


def normalise_by(by: DomainSpec | Sequence[DomainSpec] | None) -> list[tuple[str, ...]]:
    """Accept "sex", ("sex", "age") or a list of such; return a list of column tuples."""
    if by is None:
        return []
    if isinstance(by, str):
        return [(by,)]
    if isinstance(by, tuple) and all(isinstance(c, str) for c in by):
        return [by] if by else []
    out: list[tuple[str, ...]] = []
    for spec in by:
        if isinstance(spec, str):
            out.append((spec,))
        elif isinstance(spec, tuple) and spec and all(isinstance(c, str) for c in spec):
            out.append(spec)
        else:
            raise DesignError(f"not a domain spec: {spec!r}", hint="use a column name or a tuple")
    return out


def spec_levels(table: GroupTable, spec: tuple[str, ...] | None) -> Levels:
    """Levels present in the data for ``spec`` (None = the whole sample), in sorted order."""
    n_groups = table.n_rows.size
    if spec is None:
        return Levels(TOTAL, (TOTAL,), np.zeros(n_groups, dtype=np.int64))
    key = np.zeros(n_groups, dtype=np.int64)
    valid = np.ones(n_groups, dtype=np.bool_)
    bound = 1
    for c in spec:
        dec = table.decoders[c]
        code = table.codes[c]
        valid &= code != dec.null_code
        key = key * (dec.null_code + 1) + code
        bound *= dec.null_code + 1
    idx, uniq = factorize(key[valid], bound)
    values: list[tuple[object, ...]] = []
    for packed in uniq.tolist():
        parts: list[object] = []
        rest = packed
        for c in reversed(spec):
            base = table.decoders[c].null_code + 1
            parts.append(table.decoders[c].decode(rest % base))
            rest //= base
        values.append(tuple(reversed(parts)))
    order = sorted(range(len(values)), key=lambda i: values[i])
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(values), dtype=np.int64)
    group_col = np.full(n_groups, -1, dtype=np.int64)
    group_col[valid] = rank[idx]
    labels = tuple("*".join(str(v) for v in values[i]) for i in order)
    return Levels("*".join(spec), labels, group_col)

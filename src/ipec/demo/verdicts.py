"""Visits classified in bulk by ``ipec.classify``, with the reasons and explanation a visit
recorded one by one stores.

The explanation is a function of the fields ``explain_row`` reads alone, so it is computed
once per distinct combination of them (a few hundred thousand for three million visits) and
joined back.
"""

from __future__ import annotations

import json

import polars as pl

from ipec.classify import REASON_COLUMNS, Reason, classify, hazard_columns, reason_column
from ipec.classify.explain import explain_row, sentences
from ipec.standards import Profile

__all__ = ["Verdicts"]

#: Every field of a classified row that ``explain_row`` reads besides the hazard flags
#: (:func:`ipec.classify.hazard_columns`: the R190 conditions and the national list).
_EXPLAIN_READS = (
    "in_scope",
    "age",
    "economic_hours",
    "in_economic_activity",
    "in_chores",
    "chores_hours_total",
    "child_labour",
    "missing_values",
    "safeguards",
    "isic",
    "isco",
    *REASON_COLUMNS,
)
#: Each reason code and its column, in the order a visit lists them.
_REASONS = tuple((reason.value, reason_column(reason)) for reason in Reason)


class Verdicts:
    """Classifies records under ``profile``; keeps the texts of the combinations seen."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.reads = (*_EXPLAIN_READS, *hazard_columns(profile))
        self.known: pl.DataFrame | None = None

    def classify(self, records: pl.DataFrame) -> pl.DataFrame:
        """``records`` with the classification columns (``ipec.classify.classify``)."""
        return classify(records, self.profile)

    def texts(self, verdicts: pl.DataFrame) -> pl.DataFrame:
        """Columns ``reasons`` (JSON text, as ``json.dumps`` of the reason codes) and
        ``explanation`` (``explain_row``'s findings in sentences), row for row."""
        keys = [name for name in self.reads if name in verdicts.columns]
        distinct = verdicts.select(keys).unique()
        if self.known is not None:
            distinct = distinct.join(self.known, on=keys, how="anti", nulls_equal=True)
        reasons, explanations = [], []
        for row in distinct.iter_rows(named=True):
            reasons.append(json.dumps([code for code, column in _REASONS if row[column]]))
            findings = explain_row(row, self.profile)
            explanations.append(sentences(findings))
        fresh = distinct.with_columns(
            pl.Series("reasons", reasons, dtype=pl.String),
            pl.Series("explanation", explanations, dtype=pl.String),
        )
        self.known = fresh if self.known is None else pl.concat([self.known, fresh])
        found = verdicts.select(keys).join(
            self.known, on=keys, how="left", nulls_equal=True, maintain_order="left"
        )
        return found.select("reasons", "explanation")

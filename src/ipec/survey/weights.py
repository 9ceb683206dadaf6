"""Normalised weights, as MICS tabulations use them: scaled so that they sum to the number of
cases.

MICS distributes weights (``hhweight``, ``fsweight``) normalised so that the weighted number of
cases equals the unweighted number nationally; its tables' "number of children" columns are
then sample counts, not population totals. A survey whose weights are expansion factors (a
labour force survey) gets the same columns by scaling its weighted counts by
cases / sum of weights (:func:`count_scale`, :func:`scale_counts`).

Only the counts are scaled: the estimates keep the survey's weights. Shares, standard errors,
intervals and degrees of freedom would not change with scaled weights (the factor cancels out
of every ratio), but the design effect against simple random sampling without replacement
would: it takes the sum of the weights as the population size, which normalised weights shrink
to the sample size (the finite population correction of the comparison becomes 0).
"""

from __future__ import annotations

import polars as pl

from ipec.errors import DataError
from ipec.survey.mapping import MappedSurvey

__all__ = ["count_scale", "scale_counts"]


def count_scale(mapped: MappedSurvey) -> tuple[int, float]:
    """The number of cases the map keeps (completed, positive weight) and the factor that
    makes their weights sum to it: cases / sum of weights.

    >>> import polars as pl
    >>> from ipec.survey.design import SurveyDesign
    >>> from ipec.survey.mapping import MappedSurvey, MappingReport
    >>> frame = pl.LazyFrame({"_weight": [100.0, 300.0]})
    >>> survey = MappedSurvey(frame, SurveyDesign(weight="_weight"), "demo", {}, {},
    ...                       MappingReport(), {})
    >>> count_scale(survey)
    (2, 0.005)
    """
    weight = mapped.weight_columns[0]
    query = mapped.frame.select(pl.len().alias("n"), pl.col(weight).sum().alias("w"))
    row = query.collect(engine="streaming" if mapped.streaming else "auto")
    cases, total = int(row["n"][0]), float(row["w"][0] or 0.0)
    if cases == 0 or total <= 0:
        raise DataError(
            "the weights cannot be normalised: no case has a positive weight",
            source=mapped.source,
            hint="check the weight variable named in the map",
        )
    return cases, cases / total


def scale_counts(frame: pl.DataFrame, factor: float) -> pl.DataFrame:
    """Estimates with their weighted counts (``n_weighted``) multiplied by ``factor``."""
    if factor == 1.0 or "n_weighted" not in frame.columns:
        return frame
    return frame.with_columns(pl.col("n_weighted") * factor)

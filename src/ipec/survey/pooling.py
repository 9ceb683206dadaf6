"""Several surveys (rounds, countries) estimated as one pooled design.

The rows of every survey share one file or dataset and a survey identifier variable (a
country code, a round number; in a hive-partitioned dataset the partition column). Pooling
follows what a design-based analysis of stacked samples needs:

- the surveys are independent samples, so each survey's strata are strata of the pooled
  design, nested within the survey (a survey without strata is one stratum), and its PSUs
  are PSUs of their (survey, stratum): the same stratum or PSU code in two surveys names two
  units, as R ``svydesign(strata = ~interaction(survey, stratum), nest = TRUE)`` reads them;
- the identifier is a breakdown (``--by survey``): estimates by survey come from the pooled
  design and equal each survey's own, the whole-sample row is the pooled estimate;
- the weights may be rescaled per survey before pooling (:data:`Rescale`): each survey's
  weights are multiplied by one factor, target / sum of its weights, so a survey's own
  estimates do not change, only its share of the pooled one.

``none`` keeps the weights: right when they are expansion factors (they sum to each
population), as labour force surveys ship them; a pooled estimate then weighs each country by
its population, as global and regional estimates do (ILO, *Methodology of the global
estimates of child labour, 2012-2016*, 2017: national figures are combined in proportion to
the countries' child populations). ``sample`` makes
each survey's weights sum to its number of cases (the MICS and DHS "normalised" weights),
so each survey counts by its sample size. ``population`` makes them sum to a population the
user gives per survey: the rule of the DHS sampling manual for pooling surveys whose weights
are normalised ("de-normalise" each survey's weights by its target population over its
number of cases; ICF International, *Demographic and Health Survey Sampling and Household
Listing Manual*, 2012, p. 28), which for normalised weights is this factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

import polars as pl

from ipec.errors import DataError
from ipec.rows import RowCheck

__all__ = [
    "POOL_DOMAIN",
    "Pooling",
    "Rescale",
    "key_ranges",
    "missing_survey_check",
    "nested_key",
    "parse_populations",
    "rescale_factors",
    "rescaled",
]

Rescale = Literal["none", "sample", "population"]
#: The breakdown (domain) that holds the survey identifier.
POOL_DOMAIN = "survey"


@dataclass(frozen=True, slots=True)
class Pooling:
    """How the surveys of one file or dataset are pooled: the identifier ``variable``, the
    weight ``rescale`` rule and, for ``population``, each survey's population by its
    identifier as the estimates name it (its label, else its code)."""

    variable: str
    rescale: Rescale = "none"
    populations: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rescale not in get_args(Rescale):
            raise DataError(
                f"unknown weight rescaling {self.rescale!r}",
                hint=f"use one of {', '.join(get_args(Rescale))}",
            )
        if self.rescale == "population" and not self.populations:
            raise DataError(
                "rescaling to populations needs each survey's population",
                hint="give --survey-population ID=N for every survey",
            )
        if self.populations and self.rescale != "population":
            raise DataError(
                "survey populations are given but the weights are not rescaled to them",
                hint="add --rescale-weights population, or leave out --survey-population",
            )


def parse_populations(items: list[str]) -> dict[str, float]:
    """``["GHA=5200000", "ZWE=4100000"]`` to {survey: population}, each a positive number."""
    found: dict[str, float] = {}
    for item in items:
        survey, sep, number = item.rpartition("=")
        try:
            value = float(number)
        except ValueError:
            value = float("nan")
        if not sep or not survey.strip() or not value > 0:
            raise DataError(
                f"--survey-population {item!r}: give ID=N, N a positive number",
                hint="e.g. --survey-population GHA=5200000",
            )
        if survey.strip() in found:
            raise DataError(f"--survey-population gives survey {survey.strip()} twice")
        found[survey.strip()] = value
    return found


def rescale_factors(
    pooling: Pooling, levels: tuple[str, ...], totals: pl.DataFrame, *, source: str
) -> tuple[list[float], dict[str, dict[str, float]]]:
    """The factor of each survey level (in level order) and, per survey, its cases, sum of
    weights, factor and rescaled sum, from ``totals`` (columns level, cases, weights)."""
    sums = {int(row["level"]): row for row in totals.iter_rows(named=True)}
    if pooling.rescale == "population":
        unknown = sorted(set(pooling.populations) - set(levels))
        missing = [level for level in levels if level not in pooling.populations]
        if unknown or missing:
            parts = [f"no population for {', '.join(missing)}"] if missing else []
            parts += [f"no survey {', '.join(unknown)} in the data"] if unknown else []
            raise DataError(
                f"survey populations do not match the surveys: {'; '.join(parts)}",
                source=source,
                hint=f"the surveys are {', '.join(levels)}",
            )
    factors: list[float] = []
    summary: dict[str, dict[str, float]] = {}
    for index, level in enumerate(levels):
        row = sums.get(index, {"cases": 0, "weights": 0.0})
        cases, weights = int(row["cases"]), float(row["weights"] or 0.0)
        if pooling.rescale == "none" or weights <= 0:
            factor = 1.0
        elif pooling.rescale == "sample":
            factor = cases / weights
        else:
            factor = pooling.populations[level] / weights
        factors.append(factor)
        summary[level] = {
            "cases": cases,
            "weights": weights,
            "factor": factor,
            "rescaled_weights": weights * factor,
        }
    return factors, summary


def missing_survey_check(variable: str) -> RowCheck:
    """Every row used belongs to a survey."""
    return RowCheck(
        variable,
        pl.col(variable).is_null(),
        "survey identifier is missing",
        "give every row its survey (round or country), or leave out --survey-id",
    )


def key_ranges(schema: pl.Schema, variables: Mapping[str, str], in_use: pl.Expr) -> list[pl.Expr]:
    """The smallest and largest code of each integer design variable (stratum, PSU) among
    the rows used, named ``pool:lo:NAME`` and ``pool:hi:NAME``: with them a (survey, code)
    pair packs into one integer."""
    exprs: list[pl.Expr] = []
    for name, variable in variables.items():
        if schema[variable].is_integer():
            values = pl.col(variable).filter(in_use).cast(pl.Int64)
            exprs += [values.min().alias(f"pool:lo:{name}"), values.max().alias(f"pool:hi:{name}")]
    return exprs


def nested_key(column: str, survey: pl.Expr, facts: pl.DataFrame) -> pl.Expr:
    """``column`` (a stratum or PSU) made unique across surveys: (survey, code) packed into
    one integer for integer codes, else text joined with a separator no code holds."""
    lo_name, hi_name = f"pool:lo:{column}", f"pool:hi:{column}"
    if lo_name in facts.columns:
        low, high = facts[lo_name][0], facts[hi_name][0]
        low = 0 if low is None else int(low)
        span = 1 if high is None else int(high) - low + 1
        packed = survey.cast(pl.Int64) * span + (pl.col(column).cast(pl.Int64) - low)
        return packed.alias(column)
    text = pl.concat_str([survey.cast(pl.String), pl.col(column).cast(pl.String)], separator="\x1f")
    return text.alias(column)


def rescaled(weight: str, survey: pl.Expr, factors: list[float]) -> pl.Expr:
    """``weight`` times its survey's factor."""
    if all(factor == 1.0 for factor in factors):
        return pl.col(weight)
    factor = pl.lit(pl.Series(factors, dtype=pl.Float64)).gather(survey.cast(pl.Int64))
    return (pl.col(weight) * factor).alias(weight)

"""Estimates of a survey file's own variables with the design of its map: the share of a code,
means, totals and ratios, as R ``svyciprop``, ``svymean``, ``svytotal`` and ``svyratio`` do
on the same design (missing values left out, R ``na.rm=TRUE``).

A request is written as on the command line:

- ``NAME``: the mean of NAME, or its proportion when NAME holds only 0 and 1;
- ``NAME:mean``, ``NAME:total``, ``NAME:proportion`` (a 0/1 variable);
- ``NAME=CODE``: the share of rows whose NAME is CODE, among rows where NAME is known;
- a ratio ``NUM/DEN``: the ratio of the totals of NUM and DEN, over rows where both are known;
- ``NAME:quantiles``: the quartiles and median with Woodruff intervals, as R ``svyquantile``
  (``interval.type = "mean"``, ``qrule = "math"``; :mod:`ipec.survey.quantiles`).

Every row the map keeps is used (no profile scope applies to the file's own variables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from ipec.errors import DataError
from ipec.files import read_table
from ipec.survey.analysis import EstimateOptions, level_labels
from ipec.survey.calibrate import PostStratify, Rake, calibrated_estimate
from ipec.survey.estimate import estimate
from ipec.survey.flags import NOTE_SEPARATOR
from ipec.survey.indicators import Indicator, Mean, Proportion, Ratio, Total
from ipec.survey.mapping import VARIABLE, MappedSurvey
from ipec.survey.quantiles import quantiles

__all__ = [
    "VariableRequest",
    "estimate_variables",
    "parse_ratio",
    "parse_variable",
    "read_margins",
]

Kind = Literal["auto", "mean", "total", "proportion", "code", "ratio", "quantiles"]
_KINDS = ("mean", "total", "proportion", "quantiles")
QUARTILES = (0.25, 0.5, 0.75)
_ZERO_DENOMINATOR = "the denominator's total is zero in this domain"


@dataclass(frozen=True, slots=True)
class VariableRequest:
    """One estimate of the file's variables: ``name`` (and ``denominator`` for a ratio)."""

    name: str
    kind: Kind = "auto"
    code: float | None = None
    denominator: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        """The file variables it reads."""
        return (self.name,) if self.denominator is None else (self.name, self.denominator)

    @property
    def label(self) -> str:
        """How the request is named in the output's ``indicator`` column."""
        if self.kind == "ratio":
            return f"{self.name}/{self.denominator}"
        if self.kind == "code":
            return f"{self.name}={_code_text(self.code)}"
        return self.name if self.kind in ("auto", "quantiles") else f"{self.name}:{self.kind}"


def _code_text(code: float | None) -> str:
    return str(int(code)) if code is not None and code.is_integer() else str(code)


def parse_variable(text: str) -> VariableRequest:
    """A ``--variable`` value.

    >>> parse_variable("CB7=1")
    VariableRequest(name='CB7', kind='code', code=1.0, denominator=None)
    >>> parse_variable("hours:total").kind
    'total'
    """
    text = text.strip()
    if "=" in text:
        name, _, code = text.partition("=")
        try:
            value = float(code)
        except ValueError:
            raise DataError(
                f"--variable {text}: the code {code!r} is not a number",
                hint="write NAME=CODE with the numeric code, e.g. CB7=1",
            ) from None
        return VariableRequest(_name(name, text), "code", code=value)
    name, _, kind = text.partition(":")
    if kind and kind not in _KINDS:
        raise DataError(
            f"--variable {text}: unknown kind {kind!r}",
            hint=f"use NAME, NAME=CODE or NAME:{'|'.join(_KINDS)}",
        )
    return VariableRequest(_name(name, text), kind or "auto")  # type: ignore[arg-type]


def parse_ratio(text: str) -> VariableRequest:
    """A ``--ratio NUM/DEN`` value.

    >>> parse_ratio("hours/age").label
    'hours/age'
    """
    numerator, slash, denominator = text.strip().partition("/")
    if not slash:
        raise DataError(f"--ratio {text}: write NUMERATOR/DENOMINATOR", hint="e.g. hours/age")
    return VariableRequest(_name(numerator, text), "ratio", denominator=_name(denominator, text))


def read_margins(path: Path) -> dict[str, dict[int, float]]:
    """Population totals from a CSV with columns ``variable``, ``level`` (a whole-number code)
    and ``total``: {variable: {level: total}}. A bad row is named with its line number."""
    frame = read_table(path)
    missing = [c for c in ("variable", "level", "total") if c not in frame.columns]
    if missing:
        raise DataError(
            f"the totals file has no column {', '.join(missing)}",
            source=str(path),
            hint="give the columns variable, level and total",
        )
    margins: dict[str, dict[int, float]] = {}
    for line, (variable, level, total) in enumerate(
        frame.select("variable", "level", "total").rows(), start=2
    ):
        try:
            code, value = float(level), float(total)
        except (TypeError, ValueError):
            code, value = float("nan"), float("nan")
        if not variable or not code.is_integer() or not value >= 0:
            raise DataError(
                f"line {line}: needs a variable, a whole-number level and a total >= 0 "
                f"(got {variable!r}, {level!r}, {total!r})",
                source=str(path),
            )
        if int(code) in margins.setdefault(variable, {}):
            raise DataError(
                f"line {line}: {variable} level {level} is given twice", source=str(path)
            )
        margins[variable][int(code)] = value
    if not margins:
        raise DataError("the totals file has no rows", source=str(path))
    return margins


def _totals(totals: Mapping[int, float]) -> dict[str | int, float]:
    return {int(code): float(total) for code, total in totals.items()}


def _name(name: str, text: str) -> str:
    name = name.strip()
    if not name:
        raise DataError(f"{text!r} names no variable", hint="write the file's variable name")
    return name


def _column(name: str) -> str:
    return f"{VARIABLE}{name}"


def _indicators(
    frame: pl.DataFrame, requests: Sequence[VariableRequest]
) -> tuple[pl.DataFrame, list[Indicator]]:
    """The indicator of each request, with the derived columns (shares of a code) added."""
    derived: list[pl.Expr] = []
    indicators: list[Indicator] = []
    for i, request in enumerate(requests):
        column = _column(request.name)
        values = frame[column].drop_nulls()
        binary = bool(values.is_in([0.0, 1.0]).all())
        if request.kind == "ratio":
            assert request.denominator is not None
            indicators.append(Ratio(column, _column(request.denominator), name=request.label))
        elif request.kind == "code":
            share = f"__share{i}"
            derived.append((pl.col(column) == request.code).cast(pl.Float64).alias(share))
            indicators.append(Proportion(share, name=request.label))
        elif request.kind == "proportion" or (request.kind == "auto" and binary):
            if not binary:
                raise DataError(
                    f"--variable {request.label}: {request.name} holds values other than 0 "
                    "and 1, so it has no proportion",
                    hint=f"ask for the share of one code ({request.name}=1) or its mean",
                )
            indicators.append(Proportion(column, name=request.label))
        elif request.kind == "total":
            indicators.append(Total(column, name=request.label))
        else:
            indicators.append(Mean(column, name=request.label))
    return frame.with_columns(derived), indicators


def _quantile_rows(
    frame: pl.DataFrame,
    mapped: MappedSurvey,
    request: VariableRequest,
    by: Sequence[tuple[str, ...]],
    options: EstimateOptions,
) -> pl.DataFrame:
    """The quartiles and median of one variable, as rows of the estimates table (kind
    ``quantile``, indicator ``NAME p50``); design effects do not apply to them."""
    found = quantiles(
        frame,
        mapped.design,
        _column(request.name),
        QUARTILES,
        by=list(by),
        level=options.level,
        df=options.df,
    )
    n = found["n_unweighted"].cast(pl.Int64)
    return found.select(
        "by",
        "level",
        (
            pl.lit(f"{request.name} p")
            + (pl.col("quantile") * 100).round(0).cast(pl.Int64).cast(pl.String)
        ).alias("indicator"),
        pl.lit("quantile").alias("kind"),
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        n.alias("n_unweighted"),
        pl.Series("flag", options.flags.flags(n.to_numpy())),
    )


def estimate_variables(
    mapped: MappedSurvey,
    requests: Sequence[VariableRequest],
    *,
    by: Sequence[tuple[str, ...]] = (),
    options: EstimateOptions | None = None,
    missing_codes: Sequence[float] = (),
    calibration: Mapping[str, Mapping[int, float]] | None = None,
) -> pl.DataFrame:
    """The tidy estimates table of the file's variables, one row per (breakdown, level,
    request), with the columns of :func:`ipec.survey.analysis.estimate_survey` but
    ``profile``; ``missing_codes`` are values that mean unknown (97, 98, 99), left out.

    The map must have been read with the requests' variables (``map_survey(variables=...)``).
    ``calibration``: population totals by level code of one variable (post-stratification,
    R ``postStratify``) or of several (raking, R ``rake``), read with the survey too; the
    estimates then use the calibrated weights and the calibrated design's standard errors
    (:mod:`ipec.survey.calibrate`).
    """
    if not requests:
        raise DataError("no variables to estimate", hint="give --variable NAME or --ratio A/B")
    chosen = options or EstimateOptions()
    margins = dict(calibration or {})
    if margins and any(r.kind == "quantiles" for r in requests):
        raise DataError(
            "quantiles are not estimated on calibrated weights",
            hint="ask for the quantiles in a run without --calibrate",
        )
    wanted = list(dict.fromkeys([*(v for r in requests for v in r.variables), *margins]))
    unknown = [name for name in wanted if _column(name) not in mapped.frame.collect_schema()]
    if unknown:
        raise DataError(f"variable(s) {', '.join(unknown)} were not read with the survey")
    codes = [float(c) for c in missing_codes]
    frame = mapped.frame.select(
        *mapped.design_columns,
        *mapped.domains,
        *(
            pl.when(pl.col(_column(n)).is_in(codes))
            .then(None)
            .otherwise(pl.col(_column(n)))
            .alias(_column(n))
            for n in wanted
        ),
    ).collect()  # fmt: skip
    estimated = [r for r in requests if r.kind != "quantiles"]
    frame, indicators = _indicators(frame, estimated)
    parts = []
    if indicators and margins:
        frame = frame.with_columns(
            pl.col(_column(name)).cast(pl.Int64).alias(f"__margin:{name}") for name in margins
        )
        steps = [PostStratify(f"__margin:{name}", _totals(t)) for name, t in margins.items()]
        parts.append(
            calibrated_estimate(
                frame,
                mapped.design,
                indicators,
                by=list(by),
                calibration=steps[0] if len(steps) == 1 else Rake(steps),
                df=chosen.df,
                ci=chosen.ci,
                level=chosen.level,
                flags=chosen.flags,
            ).to_polars()
        )
    elif indicators:
        parts.append(
            estimate(
                frame,
                mapped.design,
                indicators,
                by=list(by),
                df=chosen.df,
                ci=chosen.ci,
                level=chosen.level,
                flags=chosen.flags,
            ).to_polars()
        )
    parts += [
        _quantile_rows(frame, mapped, request, by, chosen)
        for request in requests
        if request.kind == "quantiles"
    ]
    result = pl.concat(parts, how="diagonal_relaxed")
    zero = (pl.col("kind") == "ratio") & (pl.col("n_unweighted") > 0)
    zero = zero & ~pl.col("estimate").is_finite().fill_null(value=False)
    labels = level_labels(mapped, by)
    return (
        result.with_columns(
            pl.when(zero)
            .then(pl.col("flag") + NOTE_SEPARATOR + _ZERO_DENOMINATOR)
            .otherwise(pl.col("flag"))
            .alias("flag")
        )
        .join(labels, on=["by", "level"], how="left", maintain_order="left")
        .with_columns(pl.col("label").alias("level"))
        .drop("label", "_spec", "_level")
    )

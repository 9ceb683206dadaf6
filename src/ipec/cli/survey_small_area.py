"""``ipec survey small-area``: Fay-Herriot estimates of child labour by area (district).

Reads the survey through its map, estimates the indicator directly in every area, reads the
area covariates, fits the model and writes one row per area, with the model fit beside it
(:mod:`ipec.survey.small_area_estimates`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, get_args

import typer

from ipec.classify import resolve_profile
from ipec.cli.survey import FileArgument, LonelyOption, MapOption, check_output, choice
from ipec.errors import DataError
from ipec.files import atomic_output, check_output_path, table_format
from ipec.maps import read_boundaries
from ipec.survey.analysis import INDICATOR_LABELS, EstimateOptions
from ipec.survey.design import LonelyPsu
from ipec.survey.pipeline import open_mapped, run_metadata
from ipec.survey.small_area import FayHerriotMethod
from ipec.survey.small_area_auxiliary import read_auxiliary
from ipec.survey.small_area_estimates import (
    SmallAreaResult,
    direct_by_area,
    small_area_estimates,
)
from ipec.survey.small_area_map import estimates_map, write_estimates_map

__all__ = ["small_area_command"]

_FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json"}
_SHOWN = 10


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _write_json(path: Path, content: dict[str, Any]) -> None:
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(_clean(content), indent=1), encoding="utf-8")


def _listed(names: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return f"{shown} (and {len(names) - _SHOWN} more)" if len(names) > _SHOWN else shown


def _report(result: SmallAreaResult, auxiliary: str) -> None:
    fit = result.fit
    if result.no_sample:
        typer.echo(
            f"{len(result.no_sample)} area(s) of {auxiliary} are not in the survey's sample "
            f"(synthetic estimates): {_listed(result.no_sample)}",
            err=True,
        )
    if result.zero_cases:
        typer.echo(
            f"area(s) with no case in scope (synthetic estimates where the auxiliary file has "
            f"them): {_listed(result.zero_cases)}",
            err=True,
        )
    reasons = result.smoothing.reasons
    undefined = [a for a, r in zip(fit.areas, reasons, strict=True) if "undefined" in r]
    if undefined:
        typer.echo(
            f"warning: area(s) {_listed(undefined)} have a direct variance of zero or "
            "undefined: their variance is smoothed",
            err=True,
        )
    smoothed = int(result.smoothing.smoothed.sum())
    if smoothed:
        typer.echo(
            f"{smoothed} area(s) with smoothed variances (pooled design effect "
            f"{result.smoothing.pooled_deff:.3g})",
            err=True,
        )
    outside = result.frame.filter(result.frame["flag"].str.contains("outside 0-1"))
    if outside.height:
        typer.echo(
            f"warning: estimates outside 0-1 in {_listed(outside['area'].to_list())}",
            err=True,
        )
    coefficients = ", ".join(
        f"{name} {b:.4g} (se {se:.3g})"
        for name, b, se in zip(fit.names, fit.coefficients, fit.coefficient_se, strict=True)
    )
    typer.echo(
        f"Fay-Herriot ({fit.method}) on {len(fit.areas)} areas: model variance "
        f"{fit.model_variance:.4g} (se {fit.model_variance_se:.3g}); {coefficients}; "
        f"log-likelihood {fit.loglike:.4g}, AIC {fit.aic:.4g}",
        err=True,
    )


def _boundaries(
    choropleth: Path | None, boundaries: Path | None, others: tuple[Path | None, ...]
) -> dict[str, str] | None:
    """The boundaries to draw with, read before the survey (so a bad file costs nothing)."""
    if choropleth is None and boundaries is None:
        return None
    if choropleth is None or boundaries is None:
        raise DataError("--choropleth and --boundaries go together",
                        hint="give both to draw the map, or neither")  # fmt: skip
    if choropleth.suffix.lower() != ".svg":
        raise DataError("the map is written as .svg", source=str(choropleth))
    check_output_path(choropleth)
    if choropleth.resolve() in {other.resolve() for other in others if other is not None}:
        raise DataError("--choropleth would overwrite another file", source=str(choropleth))
    return read_boundaries(boundaries)


def _draw(path: Path, shapes: dict[str, str], result: SmallAreaResult, indicator: str,
          area: str) -> None:  # fmt: skip
    """Write the map of the estimates, and list the estimated areas it could not draw."""
    level = round(100 * result.level)
    title = f"{INDICATOR_LABELS[indicator]} by {area}: estimate and {level}% interval"
    drawn = estimates_map(result.frame, shapes, title=title)
    write_estimates_map(path, drawn)
    missing = [code for code in drawn.undrawn if code in set(result.frame["area"].cast(str))]
    if missing:
        typer.echo(f"{len(missing)} area(s) have no boundary and are not on the map: "
                   f"{_listed(missing)}", err=True)  # fmt: skip
    typer.echo(f"wrote the map to {path}", err=True)


def small_area_command(
    file: FileArgument,
    survey_map: MapOption,
    profile: Annotated[
        str,
        typer.Option("--profile", "-p", help="Standards profile: a shipped id or a profile file."),
    ],
    area: Annotated[
        str,
        typer.Option(
            "--area",
            help="The areas: a breakdown of the map (region, or a background variable such "
            "as district).",
        ),
    ],
    auxiliary: Annotated[
        Path,
        typer.Option(
            "--auxiliary",
            help="Area covariates (.csv or .parquet): one row per area, its code, numeric "
            "covariates and optionally the number of children.",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="One row per area: .csv, .parquet or .json (the .json holds the model fit too).",
        ),
    ],
    area_column: Annotated[
        str | None,
        typer.Option(
            "--area-column",
            help="The auxiliary file's column of area codes (default: the --area name).",
        ),
    ] = None,
    covariates: Annotated[
        str | None,
        typer.Option(
            "--covariates",
            help="Covariates, comma-separated (default: every column but the area and "
            "population columns).",
        ),
    ] = None,
    population_column: Annotated[
        str | None,
        typer.Option(
            "--population-column",
            help="The auxiliary file's column of children in scope, to give counts.",
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="Model variance estimator: REML (Fisher scoring) or FH (Fay-Herriot moments).",
        ),
    ] = "REML",
    smooth_below: Annotated[
        int,
        typer.Option(
            "--smooth-below",
            help="Areas with fewer cases (or a zero or undefined direct variance) get a "
            "pooled-design-effect variance; 0 smooths nothing.",
        ),
    ] = 100,
    indicator: Annotated[
        str, typer.Option("--indicator", help="The indicator (a proportion) to estimate.")
    ] = "child_labour",
    fit_output: Annotated[
        Path | None,
        typer.Option(
            "--fit",
            help="Where to write the model fit (JSON); default beside a .csv or .parquet "
            "OUTPUT, named like it with .fit.json (a .json OUTPUT holds the fit too).",
        ),
    ] = None,
    lonely_psu: LonelyOption = "fail",
    choropleth: Annotated[
        Path | None,
        typer.Option(
            "--choropleth",
            help="Also draw the estimates as a map (.svg, offline: no tiles), each area "
            "shaded by its estimate and named with its interval; needs --boundaries.",
        ),
    ] = None,
    boundaries: Annotated[
        Path | None,
        typer.Option(
            "--boundaries",
            help="The areas' boundaries for --choropleth: GeoJSON in longitude and latitude "
            "degrees, each feature's 'code' property the area's code (the file ipec areas "
            "import reads).",
        ),
    ] = None,
) -> None:
    """Small-area (Fay-Herriot) estimates of child labour for every area, with their MSEs.

    Direct design-based estimates by area and their variances, the areas' covariates from
    the auxiliary file, an area-level model (REML or FH), and per area: the direct estimate
    and SE, the EBLUP and its Prasad-Rao MSE, or a synthetic estimate for areas of the
    auxiliary file with no sample. The model's coefficients, variance and fit go to --fit.
    """
    kind = table_format(output, formats=_FORMATS)
    check_output(output, file, formats=_FORMATS)
    chosen: FayHerriotMethod = choice(method, get_args(FayHerriotMethod), "--method")  # type: ignore[assignment]
    lonely: LonelyPsu = choice(lonely_psu, get_args(LonelyPsu), "--lonely-psu")  # type: ignore[assignment]
    if indicator not in INDICATOR_LABELS:
        raise DataError(
            f"unknown indicator {indicator!r}", hint=f"use {', '.join(INDICATOR_LABELS)}"
        )
    if smooth_below < 0:
        raise DataError("--smooth-below must be 0 or more")
    fit_path = fit_output
    if fit_path is None and kind != "json":
        fit_path = output.with_name(f"{output.stem}.fit.json")
    if fit_path is not None:
        check_output_path(fit_path)
        if fit_path.resolve() in {output.resolve(), file.resolve(), auxiliary.resolve()}:
            raise DataError("--fit would overwrite another file", source=str(fit_path))
    if auxiliary.resolve() == output.resolve():
        raise DataError("the output would overwrite the auxiliary file", source=str(output))
    shapes = _boundaries(choropleth, boundaries, (output, file, auxiliary, fit_path))
    names = [c.strip() for c in covariates.split(",") if c.strip()] if covariates else None
    aux = read_auxiliary(
        auxiliary,
        area_column=area_column or area,
        covariates=names,
        population_column=population_column,
    )
    rules = resolve_profile(profile)
    options = EstimateOptions()
    mapped = open_mapped(file, survey_map, lonely_psu=lonely)
    direct = direct_by_area(mapped, rules, area, indicator=indicator, options=options)
    result = small_area_estimates(
        direct, aux, area=area, method=chosen, smooth_below=smooth_below, level=options.level
    )
    metadata = run_metadata(mapped, rules, options, survey_map) | {
        "indicator": indicator,
        "area": area,
        "auxiliary": str(auxiliary),
        "covariates": list(aux.names),
        "population_column": population_column,
    }
    content = {"metadata": metadata, "model": result.model_summary()}
    if kind == "json":
        _write_json(output, content | {"areas": result.frame.to_dicts()})
    else:
        with atomic_output(output) as temporary:
            if kind == "csv":
                result.frame.write_csv(temporary)
            else:
                result.frame.write_parquet(temporary)
    if fit_path is not None:
        _write_json(fit_path, content)
    if choropleth is not None and shapes is not None:
        _draw(choropleth, shapes, result, indicator, area)
    for warning in mapped.report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    _report(result, str(auxiliary))
    where = f"{output} and the model fit to {fit_path}" if fit_path else str(output)
    typer.echo(f"wrote {result.frame.height} areas to {where}", err=True)

"""``ipec survey sdg``: SDG 8.7.1 for the SDG global database, as SDMX or its CSV layout.

From survey microdata (with ``--map``) the SDG 8.7.1 table is estimated as ``ipec survey
tables`` does; without ``--map`` FILE is the output of ``ipec survey tables`` or ``estimate``
under the SDG profiles. Either way the figures are ipec's estimates; this command codes and
writes them (:mod:`ipec.survey.sdg_report`). The SDMX libraries load only when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, get_args

import polars as pl
import typer

from ipec.cli.survey import (
    CiOption,
    DfOption,
    LonelyOption,
    ParenthesiseOption,
    SuppressOption,
    choice,
)
from ipec.errors import DataError
from ipec.files import check_output_path, read_table
from ipec.survey.analysis import EstimateOptions
from ipec.survey.design import LonelyPsu
from ipec.survey.estimate import DfMethod
from ipec.survey.flags import FlagRule
from ipec.survey.intervals import CiMethod

__all__ = ["sdg_command"]

_NUMBERS = ("estimate", "se", "ci_low", "ci_high", "n_unweighted")
_SHOWN = 6  # estimates listed by name under one reason; more are counted


def _sex_codes(text: str) -> dict[str, str] | None:
    """``"Homme=M,Femme=F"`` to a mapping of sex levels to CL_SEX codes."""
    if not text.strip():
        return None
    pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
    if any(len(pair) != 2 or pair[1].strip() not in {"M", "F"} for pair in pairs):
        raise DataError(f"--sex-codes {text!r}: give LEVEL=M,LEVEL=F")
    return {level.strip(): code.strip() for level, code in pairs}


def _read_estimates(file: Path) -> pl.DataFrame:
    frame = read_table(file)
    present = [c for c in _NUMBERS if c in frame.columns]
    try:
        return frame.with_columns(pl.col(present).cast(pl.Float64))
    except pl.exceptions.PolarsError:
        raise DataError(
            "these are not ipec estimates (a number column holds text)",
            source=str(file),
            hint="give the output of 'ipec survey tables' or 'estimate', or the survey with --map",
        ) from None


def sdg_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="Survey microdata (with --map), or the .csv/.parquet output of 'ipec survey "
            "tables' or 'estimate' under the SDG profiles (without --map)."
        ),
    ],
    ref_area: Annotated[
        str,
        typer.Option(
            "--ref-area", help="The country: its M49 code (Ghana: 288) or ISO alpha-3 (GHA)."
        ),
    ],
    period: Annotated[
        str,
        typer.Option(
            "--time-period", "--year", help="The year the survey refers to (TIME_PERIOD)."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Output: .xml (SDMX-ML 2.1) or .csv (the SDG database layout; --format "
            "sdmx-csv for SDMX-CSV).",
        ),
    ],
    survey_map: Annotated[
        str | None,
        typer.Option(
            "--map", "-m", help="Variable map, when FILE is survey microdata (mics6 or a .toml)."
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="sdmx-ml, sdmx-csv or sdg-csv (default: from the output's suffix)."
        ),
    ] = None,
    nature: Annotated[
        str,
        typer.Option("--nature", help="NATURE of the data (CL_NATURE): C country data, CA, E..."),
    ] = "C",
    source: Annotated[
        str | None,
        typer.Option("--source", help="SOURCE_DETAIL: the survey, e.g. 'Ghana MICS 2017-2018'."),
    ] = None,
    time_detail: Annotated[
        str | None,
        typer.Option("--time-detail", help="TIME_DETAIL: the fieldwork period, e.g. 2017-2018."),
    ] = None,
    sex_codes: Annotated[
        str,
        typer.Option(
            "--sex-codes",
            help="Sex levels that are not male/female words, as LEVEL=M,LEVEL=F.",
        ),
    ] = "",
    ci: CiOption = "logit",
    df: DfOption = "domain",
    lonely_psu: LonelyOption = "fail",
    suppress_below: SuppressOption = 25,
    parenthesise_below: ParenthesiseOption = 50,
) -> None:
    """Write SDG 8.7.1 (both series, by sex and age) as SDMX for the SDG global database.

    The observations follow the SDG data structure (IAEG-SDGs:SDG 1.14): series
    SL_TLF_CHLDEC and SL_TLF_CHLDEA, percentages, REF_AREA the M49 code. Ages 5-11 (no code
    in the structure), other breakdowns and suppressed cells are left out, and listed.
    """
    from ipec.survey.sdg_areas import ref_area as find_area
    from ipec.survey.sdg_report import sdg_format, sdg_observations, time_period, write_sdg

    area = find_area(ref_area)
    year = time_period(period)
    chosen = sdg_format(output, fmt)
    codes = _sex_codes(sex_codes)
    check_output_path(output)
    if output.resolve() == file.resolve():
        raise DataError("the output would overwrite the input", source=str(output))
    options = EstimateOptions(
        ci=choice(ci, get_args(CiMethod), "--ci"),  # type: ignore[arg-type]
        df=choice(df, get_args(DfMethod), "--df"),  # type: ignore[arg-type]
        flags=FlagRule(suppress_below, parenthesise_below),
    )
    lonely: LonelyPsu = choice(lonely_psu, get_args(LonelyPsu), "--lonely-psu")  # type: ignore[assignment]
    warnings: list[str] = []
    if survey_map is not None:
        from ipec.survey.pipeline import open_mapped
        from ipec.survey.tables import sdg_table

        mapped = open_mapped(file, survey_map, lonely_psu=lonely)
        estimates = sdg_table(mapped, options)
        warnings += mapped.report.warnings
    elif not file.is_file():
        raise DataError("no such file", source=str(file), hint="check the path")
    else:
        estimates = _read_estimates(file)
    result = sdg_observations(
        estimates,
        area=area,
        period=year,
        nature=nature,
        source=source,
        time_detail=time_detail,
        sex_codes=codes,
        source_name=str(file),
    )
    write_sdg(result, output, chosen)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    for (reason,), rows in result.left_out.group_by("reason", maintain_order=True):
        cells = [f"{p} {b}={lv}" for p, b, lv in rows.select("profile", "by", "level").rows()]
        shown = ", ".join(cells) if len(cells) <= _SHOWN else f"{len(cells)} estimates"
        typer.echo(f"left out: {reason}: {shown}", err=True)
    series = ", ".join(result.frame.get_column("SERIES").unique(maintain_order=True).to_list())
    typer.echo(
        f"wrote {result.frame.height} SDG 8.7.1 observations ({series}) for {area.name} "
        f"({area.code}), {year}, to {output}",
        err=True,
    )

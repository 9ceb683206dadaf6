"""``ipec survey replicate``: add replicate weights to a survey file (R ``as.svrepdesign``).

The survey is read through its variable map; the replicate weights are made from the map's
design for the rows it uses and written, after the file's own columns, to a new file. Rows the
map leaves out (interviews not completed, weight zero) get replicate weights of 0.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, get_args

import numpy as np
import polars as pl
import typer

from ipec.cli.survey import FileArgument, LonelyOption, MapOption, check_output, choice
from ipec.errors import DataError
from ipec.survey.design import LonelyPsu, ReplicateDesign, ReplicateType
from ipec.survey.make_replicates import replicate_weights
from ipec.survey.mapping import FILE_ROW
from ipec.survey.pipeline import open_mapped
from ipec.survey.readers import SURVEY_FORMATS, FileLabels, read_whole
from ipec.survey.writers import write_survey

__all__ = ["map_lines", "replicate_command"]

_WORK_PREFIX = "ipecrep"


def _check_request(file: Path, output: Path, type_: str, lonely_psu: str) -> None:
    check_output(output, file, formats=SURVEY_FORMATS)
    choice(type_, get_args(ReplicateType), "--type")
    choice(lonely_psu, get_args(LonelyPsu), "--lonely-psu")


def _check_prefix(columns: list[str], prefix: str, source: str) -> None:
    """No column of the file may look like a replicate weight of ``prefix`` (a map reads every
    prefix1, prefix2, ... column, without regard to case)."""
    wanted = prefix.casefold()
    taken = [c for c in columns if c.casefold().startswith(wanted) and c[len(prefix) :].isdigit()]
    if taken:
        raise DataError(
            f"the file already has column(s) {', '.join(taken[:5])} named like the replicate "
            "weights",
            source=source,
            column=taken[0],
            hint="choose another --prefix",
        )


def _number(value: float) -> str:
    return repr(float(value))


def map_lines(design: ReplicateDesign, prefix: str) -> list[str]:
    """The ``[design.replicates]`` lines of a variable map that read these weights."""
    lines = [
        "[design.replicates]",
        f'prefix = "{prefix}"',
        f'type = "{design.type}"',
        f"count = {len(design.replicates)}",
        f"scale = {_number(design.effective_scale)}",
    ]
    if design.rho is not None:
        lines.append(f"rho = {_number(design.rho)}")
    rscales = design.effective_rscales
    if any(r != 1 for r in rscales):
        shown = [rscales[0]] if len(set(rscales)) == 1 else list(rscales)
        lines.append(f"rscales = [{', '.join(_number(r) for r in shown)}]")
    lines.append(f"df = {design.design_df}")
    return lines


def replicate_command(
    file: FileArgument,
    survey_map: MapOption,
    type_: Annotated[
        str,
        typer.Option(
            "--type",
            "-t",
            help="Replicate type, as R as.svrepdesign: JKn (stratified jackknife), JK1 "
            "(unstratified), BRR or Fay (two PSUs per stratum) or bootstrap.",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the file's columns plus the replicate weights: .dta, .sav, "
            ".zsav, .csv or .parquet.",
        ),
    ],
    replicates: Annotated[
        int | None,
        typer.Option("--replicates", "-r", help="Number of bootstrap replicates (default 50)."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Random seed of the bootstrap (same seed, same weights)."),
    ] = None,
    rho: Annotated[
        float | None, typer.Option("--rho", help="Fay's factor, between 0 and 1 (type Fay).")
    ] = None,
    prefix: Annotated[
        str, typer.Option("--prefix", help="Replicate weights are named PREFIX1, PREFIX2, ...")
    ] = "repw",
    lonely_psu: LonelyOption = "fail",
) -> None:
    """Add replicate weights made from the map's design (as R as.svrepdesign) to FILE.

    Writes every column of FILE plus PREFIX1..PREFIXR, full analysis weights; rows the map
    leaves out (not completed, weight zero) get 0. Prints the [design.replicates] lines of a
    variable map that reads them.
    """
    _check_request(file, output, type_, lonely_psu)
    mapped = open_mapped(file, survey_map, lonely_psu=lonely_psu)  # type: ignore[arg-type]
    design = mapped.design
    if isinstance(design, ReplicateDesign):
        raise DataError(
            "the map reads replicate weights already; replicate weights are made from a "
            "design with PSUs (and strata)",
            source=mapped.source,
            hint="use a map whose [design] names psu and strata",
        )
    frame = mapped.frame.select(FILE_ROW, *design.columns).collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with_reps, rep_design = replicate_weights(
            frame,
            design,
            type_,  # type: ignore[arg-type]
            replicates=replicates,
            rho=rho,
            seed=seed,
            prefix=_WORK_PREFIX,
        )
    original, file_labels = read_whole(file)
    _check_prefix(original.columns, prefix, mapped.source)
    if original.height != mapped.report.rows_in_file:
        raise DataError("the file changed while it was being read", source=mapped.source)
    rows = with_reps[FILE_ROW].to_numpy()
    names = [f"{prefix}{i}" for i in range(1, len(rep_design.replicates) + 1)]
    columns = []
    for work, name in zip(rep_design.replicates, names, strict=True):
        values = np.zeros(original.height)
        values[rows] = with_reps[work].to_numpy()
        columns.append(pl.Series(name, values, dtype=pl.Float64))
    labels = {name: f"{rep_design.type} replicate weight {i}" for i, name in enumerate(names, 1)}
    written = FileLabels({**file_labels.columns, **labels}, file_labels.values)
    write_survey(original.with_columns(columns), output, written)
    for message in [*mapped.report.warnings, *(str(w.message) for w in caught)]:
        typer.echo(f"warning: {message}", err=True)
    report = mapped.report
    typer.echo(
        f"wrote {original.height:,} rows ({report.rows_used:,} used) with {len(names)} "
        f"{rep_design.type} replicate weights {names[0]}..{names[-1]} to {output}",
        err=True,
    )
    typer.echo(
        "to use them, give the map's [design] the weight and keep only (no psu, strata or "
        "fpc) and add:",
        err=True,
    )
    for line in map_lines(rep_design, prefix):
        typer.echo(f"  {line}", err=True)

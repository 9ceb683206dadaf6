"""``ipec classify`` and ``ipec explain``: the rules engine on a file, or on one child."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from ipec.classify import REASON_COLUMNS, classify, classify_child, resolve_profile
from ipec.classify.record import CHILD_FIELDS
from ipec.errors import DataError
from ipec.files import read_table, write_table

__all__ = ["classify_command", "explain_command"]

_CODE_COLUMNS = tuple(field.name for field in CHILD_FIELDS if field.kind == "code")

ProfileOption = Annotated[
    str,
    typer.Option(
        "--profile",
        "-p",
        help="A shipped profile id (see `ipec profiles list`) or the path of a profile file.",
    ),
]


def _summary(frame: pl.DataFrame, profile_id: str) -> Table:
    # counted in one select over the columns shown: filtering the frame first would copy
    # every column of it (seconds for ten million children)
    in_scope = pl.col("in_scope").fill_null(value=False)
    total = int(frame.select(in_scope.sum()).item())
    table = Table(title=f"{total:,} children in scope, profile {profile_id}")
    table.add_column("")
    table.add_column("children", justify="right")
    table.add_column("share", justify="right")
    rows = [
        ("child labour", "child_labour"),
        ("  hazardous work", "hazardous_work"),
        ("permitted work", "permitted_work"),
        ("undetermined (ask again)", "undetermined"),
        ("hours unknown", "hours_unknown"),
        *((f"  {column.removeprefix('reason_')}", column) for column in REASON_COLUMNS),
    ]
    counts = frame.select(pl.col(column).filter(in_scope).sum() for _, column in rows).row(0)
    for (label, _), count in zip(rows, counts, strict=True):
        share = f"{count / total:.1%}" if total else "-"
        table.add_row(label, f"{count:,}", share)
    return table


def classify_command(
    input_file: Annotated[
        Path, typer.Argument(help="Children to classify: a .csv or .parquet file.")
    ],
    profile: ProfileOption,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Where to write: .csv or .parquet, chosen by extension."
        ),
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no summary.")] = False,
) -> None:
    """Classify every child in INPUT_FILE under a profile and write the verdicts to OUTPUT.

    INPUT_FILE has one row per child with the canonical columns: age, econ_any, econ_hours
    (required) and optionally sex, chores_any, chores_hours, water_any, water_hours,
    firewood_any, firewood_hours, haz_heavy_loads, haz_dangerous_tools, haz_dust_fumes,
    haz_extreme_temperature, haz_noise_vibration, haz_heights, haz_chemicals, haz_other,
    haz_night_work, haz_abuse, haz_underground_confined, isic, isco, wfcl_other, safeguards,
    and haz_<code> for each task of the profile's national hazardous-work list.
    Flags are true/false, yes/no or 1/0; empty hours mean unknown.

    OUTPUT keeps every input column and adds in_scope, in_economic_activity, in_chores,
    economic_hours, chores_hours_total, hours_unknown, one reason_* flag per reason code,
    child_labour, hazardous_work, permitted_work, undetermined, missing_values and work_status
    (undetermined: unknown hours that could cross a threshold; missing_values names them).
    Nothing is written when the input has errors.
    """
    rules = resolve_profile(profile)
    if output.resolve() == input_file.resolve():
        raise DataError("the output would overwrite the input", source=str(output))
    console = Console(stderr=True)
    with console.status("classifying", spinner="dots"):
        frame = read_table(input_file, text_columns=_CODE_COLUMNS)
        result = classify(frame, rules, source=str(input_file))
        write_table(result, output)
    if not quiet:
        Console().print(_summary(result, f"{rules.id} {rules.version}"))
        typer.echo(f"wrote {result.height:,} rows to {output}", err=True)


def _parse_assignment(text: str) -> tuple[str, str | None]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise DataError(f"'{text}' is not FIELD=VALUE", hint="write for example age=12")
    return name.strip(), (value.strip() or None)


def explain_command(
    fields: Annotated[
        list[str],
        typer.Argument(
            help="The child's canonical fields, e.g. age=12 econ_any=yes econ_hours=20.",
        ),
    ],
    profile: ProfileOption,
) -> None:
    """Classify one child and explain, in plain language, which rules fired and why.

    A field left empty (econ_hours=) is unknown: when it could change the verdict, the status
    is undetermined and the explanation says what to ask again.

    Example: ipec explain -p sdg-8.7.1 age=10 econ_any=yes econ_hours=6
    """
    record = dict(_parse_assignment(text) for text in fields)
    result = classify_child(record, profile)
    typer.echo(f"{result.status.value} under {result.profile_id} {result.profile_version}")
    for finding in result.findings:
        code = f"[{finding.reason.value}] " if finding.reason else ""
        typer.echo(f"- {code}{finding.text}")

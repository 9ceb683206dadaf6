"""``ipec survey``: situational analysis from survey microdata."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, get_args

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ipec.classify import resolve_profile
from ipec.errors import DataError
from ipec.files import check_output_path, table_format
from ipec.standards import Profile
from ipec.survey.analysis import (
    DEFAULT_INDICATORS,
    INDICATOR_LABELS,
    EstimateOptions,
    estimate_survey,
    parse_by,
)
from ipec.survey.design import LonelyPsu
from ipec.survey.estimate import DfMethod
from ipec.survey.flags import FlagRule
from ipec.survey.intervals import CiMethod
from ipec.survey.mapping import MappedSurvey
from ipec.survey.maps import load_map
from ipec.survey.output import OUTPUT_FORMATS, write_estimates
from ipec.survey.pipeline import open_mapped, run_metadata
from ipec.survey.pooling import Pooling, Rescale, parse_populations
from ipec.survey.readers import SURVEY_FORMATS, open_survey
from ipec.survey.variables import (
    estimate_variables,
    parse_ratio,
    parse_variable,
    read_margins,
)

__all__ = ["app", "check_output", "choice"]

app = typer.Typer(
    help="Situational analysis: survey microdata to SDG 8.7.1 and MICS-style estimates.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

FileArgument = Annotated[
    Path, typer.Argument(help="Survey microdata: .dta, .sav, .zsav, .csv or .parquet.")
]
MapOption = Annotated[
    str,
    typer.Option(
        "--map", "-m", help="Variable map: a shipped id (mics6, mics5) or a map file (.toml)."
    ),
]
ProfileOption = Annotated[
    str,
    typer.Option("--profile", "-p", help="Standards profile: a shipped id or a profile file."),
]
OutputOption = Annotated[
    Path,
    typer.Option("--output", "-o", help="Output file: .csv, .parquet, .json or .xlsx."),
]
CiOption = Annotated[
    str,
    typer.Option(
        "--ci",
        help="Interval for proportions: logit (as R svyciprop and Stata; refitted on every "
        "replicate of a replicate design), xlogit (the logit interval in closed form), beta "
        "(Korn-Graubard), wald, or mics (estimate +/- 2 SE).",
    ),
]
DfOption = Annotated[
    str,
    typer.Option(
        "--df",
        help="Degrees of freedom: domain (per domain, as R), design (PSUs minus strata, as "
        "Stata) or infinite.",
    ),
]
LonelyOption = Annotated[
    str,
    typer.Option(
        "--lonely-psu",
        help="Strata with one PSU: fail (name them), remove, certainty, adjust or average.",
    ),
]
SuppressOption = Annotated[
    int, typer.Option("--suppress-below", help="Suppress cells with fewer unweighted cases.")
]
ParenthesiseOption = Annotated[
    int,
    typer.Option("--parenthesise-below", help="Parenthesise cells with fewer unweighted cases."),
]
StreamingOption = Annotated[
    bool | None,
    typer.Option(
        "--streaming/--in-memory",
        help="Read the survey as a lazy query in batches (memory bounded by PSUs x cells, for "
        "Parquet and CSV files larger than memory) or whole into memory; by default, "
        "streaming above 256 MB on disk. The results are the same.",
        show_default=False,
    ),
]

SurveyIdOption = Annotated[
    str | None,
    typer.Option(
        "--survey-id",
        help="Pool several surveys (rounds, countries) held in one file or dataset: the "
        "variable that tells them apart. Strata and PSUs are nested within survey, the "
        "breakdown 'survey' gives each survey's estimates, the total is the pooled one.",
    ),
]
RescaleOption = Annotated[
    str,
    typer.Option(
        "--rescale-weights",
        help="With --survey-id: none (weights as in the file: expansion factors), sample "
        "(each survey's weights sum to its number of cases) or population (each survey's "
        "weights sum to its --survey-population).",
    ),
]
PopulationsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--survey-population",
        help="With --rescale-weights population: a survey and its population, ID=N "
        "(repeatable, one per survey).",
    ),
]

NormaliseOption = Annotated[
    bool,
    typer.Option(
        "--normalise-weights",
        help="Show the numbers of children of weights scaled to sum to the number of cases, "
        "as MICS tabulations do (sample counts); shares and standard errors do not change.",
    ),
]

_CI: tuple[str, ...] = get_args(CiMethod)
_DF: tuple[str, ...] = get_args(DfMethod)
_LONELY: tuple[str, ...] = get_args(LonelyPsu)


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise DataError(f"{option} {value!r} is not one of {', '.join(allowed)}")
    return value


def _options(
    ci: str, df: str, lonely_psu: str, suppress: int, parenthesise: int
) -> tuple[EstimateOptions, LonelyPsu]:
    ci_method: CiMethod = choice(ci, _CI, "--ci")  # type: ignore[assignment]
    df_method: DfMethod = choice(df, _DF, "--df")  # type: ignore[assignment]
    lonely: LonelyPsu = choice(lonely_psu, _LONELY, "--lonely-psu")  # type: ignore[assignment]
    flags = FlagRule(suppress, parenthesise)
    return EstimateOptions(ci=ci_method, df=df_method, flags=flags), lonely


def pooling(survey_id: str | None, rescale: str, populations: list[str] | None) -> Pooling | None:
    """The pooling the options ask for; options of a pooling without --survey-id are refused."""
    if survey_id is None:
        if rescale != "none" or populations:
            raise DataError("--rescale-weights and --survey-population go with --survey-id")
        return None
    rule: Rescale = choice(rescale, get_args(Rescale), "--rescale-weights")  # type: ignore[assignment]
    return Pooling(survey_id, rule, parse_populations(populations or []))


def _estimates_to_file(
    file: Path,
    survey_map: str,
    profile: str | None,
    output: Path,
    settings: tuple[EstimateOptions, LonelyPsu],
    compute: Callable[[MappedSurvey, Profile | None, EstimateOptions], pl.DataFrame],
    noun: str,
    variables: Sequence[str] = (),
    streaming: bool | None = None,
    pool: Pooling | None = None,
) -> None:
    """Check the request, read the survey, compute, write atomically, report warnings."""
    check_output(output, file)
    rules = resolve_profile(profile) if profile else None
    options, lonely = settings
    with Console(stderr=True).status("reading the survey", spinner="dots") as status:
        # one estimate or table set: the columns as read, not copied into one chunk each
        mapped = open_mapped(file, survey_map, lonely_psu=lonely, variables=variables,
                             streaming=streaming, pool=pool, one_chunk=False)  # fmt: skip
        status.update("classifying and estimating")
        result = compute(mapped, rules, options)
        status.update("writing")
        write_estimates(
            result,
            output,
            metadata=run_metadata(mapped, rules, options, survey_map),
            domain_labels=mapped.domain_labels,
        )
    for warning in mapped.report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"wrote {result.height:,} {noun} to {output}", err=True)


def check_output(
    output: Path, source: Path, *, html: bool = False, formats: dict[str, str] = OUTPUT_FORMATS
) -> None:
    """Refuse a bad output before any work: wrong type, a folder, or the input itself."""
    if html:
        if output.suffix.lower() not in {".html", ".htm"}:
            raise DataError(
                "the report is an HTML file", source=str(output), hint="end the name in .html"
            )
    else:
        table_format(output, formats=formats)
    check_output_path(output)
    if output.resolve() == source.resolve():
        raise DataError("the output would overwrite the input", source=str(output))


@app.command("estimate")
def estimate_command(
    file: FileArgument,
    survey_map: MapOption,
    output: OutputOption,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            help="Standards profile: a shipped id or a profile file (not with --variable).",
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="Breakdowns, comma-separated; cross with '*': sex,age_group,area,sex*age_group."
            " Known: sex, age_group, age_band, area, region and the map's background variables.",
        ),
    ] = "sex,age_group,area",
    indicators: Annotated[
        str,
        typer.Option(
            "--indicators",
            help="Comma-separated indicators; the default is child labour, hazardous work, "
            "each reason, economic activity, chores and hazardous conditions.",
        ),
    ] = ",".join(DEFAULT_INDICATORS),
    ci: CiOption = "logit",
    df: DfOption = "domain",
    lonely_psu: LonelyOption = "fail",
    suppress_below: SuppressOption = 25,
    parenthesise_below: ParenthesiseOption = 50,
    variable: Annotated[
        list[str] | None,
        typer.Option(
            "--variable",
            help="Estimate a variable of the file instead of the profile's indicators "
            "(repeatable): NAME (mean, or proportion of a 0/1 variable), NAME=CODE (share of "
            "a code), NAME:mean, NAME:total, NAME:proportion or NAME:quantiles (quartiles and "
            "median, as R svyquantile).",
        ),
    ] = None,
    ratio: Annotated[
        list[str] | None,
        typer.Option("--ratio", help="Ratio of two variables' totals, NUM/DEN (repeatable)."),
    ] = None,
    calibrate: Annotated[
        Path | None,
        typer.Option(
            "--calibrate",
            help="With --variable: a CSV of population totals (columns variable, level, "
            "total); one variable post-stratifies (R postStratify), several rake (R rake).",
        ),
    ] = None,
    missing: Annotated[
        str,
        typer.Option(
            "--missing",
            help="Codes of --variable and --ratio variables that mean unknown, "
            "comma-separated (e.g. 97,98,99); left out like empty values.",
        ),
    ] = "",
    streaming: StreamingOption = None,
    survey_id: SurveyIdOption = None,
    rescale_weights: RescaleOption = "none",
    survey_population: PopulationsOption = None,
) -> None:
    """Estimate child labour indicators with standard errors and intervals, by domain.

    Reads FILE through the variable map, classifies every child under the profile and writes
    one row per (by, level, indicator) with estimate, se, ci_low, ci_high, df, deff, cv,
    n_unweighted, n_weighted and flag. Proportions are on the 0-1 scale; the whole-sample row
    has by = total. An .xlsx output is laid out like the published MICS tables.

    With --variable or --ratio, the file's own variables are estimated instead, with the
    map's design and every row it keeps (no profile, no age scope).
    """
    wanted = [name.strip() for name in indicators.split(",") if name.strip()]
    requests = [parse_variable(v) for v in variable or []]
    requests += [parse_ratio(r) for r in ratio or []]
    missing_codes = _numbers(missing, "--missing")
    if requests and profile is not None:
        raise DataError(
            "--profile classifies children; --variable and --ratio estimate the file's own "
            "variables: give one or the other"
        )
    if not requests and profile is None:
        raise DataError("give --profile (the child labour indicators) or --variable/--ratio")
    if calibrate is not None and not requests:
        raise DataError("--calibrate goes with --variable or --ratio")
    margins = read_margins(calibrate) if calibrate is not None else {}
    pool = pooling(survey_id, rescale_weights, survey_population)

    def compute(
        mapped: MappedSurvey, rules: Profile | None, options: EstimateOptions
    ) -> pl.DataFrame:
        specs = parse_by(by, list(mapped.domains))
        if rules is None:
            return estimate_variables(
                mapped,
                requests,
                by=specs,
                options=options,
                missing_codes=missing_codes,
                calibration=margins,
            )
        return estimate_survey(mapped, rules, by=specs, indicators=wanted, options=options)

    settings = _options(ci, df, lonely_psu, suppress_below, parenthesise_below)
    names = [name for request in requests for name in request.variables] + list(margins)
    _estimates_to_file(file, survey_map, profile, output, settings, compute, "estimates",
                       variables=names, streaming=streaming, pool=pool)  # fmt: skip


def _numbers(text: str, option: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise DataError(f"{option} {text!r}: give numbers separated by commas") from None


@app.command("tables")
def tables_command(
    file: FileArgument,
    survey_map: MapOption,
    profile: ProfileOption,
    output: OutputOption,
    ci: CiOption = "logit",
    df: DfOption = "domain",
    lonely_psu: LonelyOption = "fail",
    suppress_below: SuppressOption = 25,
    parenthesise_below: ParenthesiseOption = 50,
    normalise_weights: NormaliseOption = False,
    streaming: StreamingOption = None,
    survey_id: SurveyIdOption = None,
    rescale_weights: RescaleOption = "none",
    survey_population: PopulationsOption = None,
) -> None:
    """Write the standard table set: SDG 8.7.1 (both series) and MICS6 PR.3.1-PR.3.4.

    The PR tables use the chosen profile (a national one included), with a row for every
    background variable the map finds, the weighted and unweighted numbers of children and
    each table's footnotes. An .xlsx output has one sheet per table.
    """
    settings = _options(ci, df, lonely_psu, suppress_below, parenthesise_below)
    pool = pooling(survey_id, rescale_weights, survey_population)

    def compute(
        mapped: MappedSurvey, rules: Profile | None, options: EstimateOptions
    ) -> pl.DataFrame:
        from ipec.survey.tables import standard_tables  # only this command

        assert rules is not None  # the command requires a profile
        return standard_tables(mapped, rules, options, normalise=normalise_weights)

    _estimates_to_file(file, survey_map, profile, output, settings, compute, "table cells",
                       streaming=streaming, pool=pool)  # fmt: skip


@app.command("report")
def report_command(
    file: FileArgument,
    survey_map: MapOption,
    profile: ProfileOption,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The report file (.html), self-contained.")
    ],
    compare: Annotated[
        str,
        typer.Option(
            "--compare",
            help="Other profiles to compare the headline with, comma-separated "
            "(e.g. mics6-2017,ilo-global-estimates).",
        ),
    ] = "",
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: en or fr.")] = "en",
    population: Annotated[
        float | None,
        typer.Option(
            "--population",
            help="Number of children aged 5-17 in the population, to turn shares into counts "
            "(default: the weighted count of the sample).",
        ),
    ] = None,
    ci: CiOption = "logit",
    df: DfOption = "domain",
    lonely_psu: LonelyOption = "fail",
    suppress_below: SuppressOption = 25,
    parenthesise_below: ParenthesiseOption = 50,
    normalise_weights: NormaliseOption = False,
    streaming: StreamingOption = None,
    survey_id: SurveyIdOption = None,
    rescale_weights: RescaleOption = "none",
    survey_population: PopulationsOption = None,
    boundaries: Annotated[
        Path | None,
        typer.Option(
            "--boundaries",
            help="The regions' boundaries (GeoJSON in longitude and latitude degrees, each "
            "feature's 'code' property the region as the report names it): child labour by "
            "region is drawn as a map too.",
        ),
    ] = None,
) -> None:
    """Write the situational analysis report: one HTML file with headline figures, charts,
    the standard tables and the methodology, in English or French.

    The file holds everything it shows (no script, font or image from elsewhere): it opens
    offline, reads on a phone and prints to PDF.
    """
    from ipec.survey.report import write_report  # matplotlib: this command only

    check_output(output, file, html=True)
    pool = pooling(survey_id, rescale_weights, survey_population)
    options, lonely = _options(ci, df, lonely_psu, suppress_below, parenthesise_below)
    with Console(stderr=True).status("building the report", spinner="dots"):
        write_report(
            file,
            output,
            survey_map=survey_map,
            profile=profile,
            compare=[item.strip() for item in compare.split(",") if item.strip()],
            lang=lang,
            population=population,
            options=options,
            lonely_psu=lonely,
            normalise_weights=normalise_weights,
            streaming=streaming,
            pool=pool,
            boundaries=boundaries,
        )
    typer.echo(f"wrote the report to {output}", err=True)


@app.command("synth")
def synth_command(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Where to write: .parquet, .csv, .dta, .sav or .zsav."),
    ],
    children: Annotated[
        int, typer.Option("--children", "-n", help="Number of children (rows).")
    ] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same file).")] = 2019,
) -> None:
    """Write a synthetic survey shaped like a MICS6 file for children age 5-17.

    It has the MICS6 variables and codes (read it with --map mics6; a Stata or SPSS file
    carries their value labels), a stratified cluster design (about 100 children per cluster,
    up to 500 strata) and realistic patterns. It is invented data, for demos, tests and
    benchmarks.
    """
    from ipec.survey.synth import SYNTH_LABELS, SynthDesign, synthetic_mics6  # this command
    from ipec.survey.writers import write_survey  # this command only

    table_format(output, formats=SURVEY_FORMATS)
    design = SynthDesign.for_size(children, seed=seed)
    console = Console(stderr=True)
    with console.status(f"generating {children:,} children", spinner="dots"):
        write_survey(synthetic_mics6(design), output, SYNTH_LABELS)
    typer.echo(
        f"wrote {children:,} children in {design.clusters:,} clusters and {design.strata} strata "
        f"to {output}",
        err=True,
    )


@app.command("inspect")
def inspect_command(file: FileArgument, survey_map: MapOption) -> None:
    """Report on data quality: what the map found, code frequencies, values out of range,
    and the share of reported activities whose hours are unknown."""
    from ipec.survey.inspect import inspect_survey  # this command only

    console = Console()
    with Console(stderr=True).status("reading the survey", spinner="dots"):
        survey_file = open_survey(file)
        the_map = load_map(survey_map)
        mapped = open_mapped(file, survey_map)
        report = inspect_survey(survey_file, the_map, mapped)
    rows = report.mapping
    console.print(f"[bold]{escape(report.source)}[/bold] through map {escape(report.map_id)}")
    console.print(
        f"rows: {rows.rows_in_file:,} in the file, {rows.rows_not_completed:,} not completed, "
        f"{rows.rows_zero_weight:,} with zero weight, {rows.rows_used:,} used"
    )
    console.print("design: " + ", ".join(f"{k} {v:,}" for k, v in report.design.items()))
    for warning in rows.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    if rows.missing:
        missing = "; ".join(f"{k} ({', '.join(v)})" for k, v in rows.missing.items())
        console.print(f"not in the file: {escape(missing)}")
    table = Table(title="Mapped variables")
    for column in ("field", "variable", "most frequent codes (count)", "missing", "out of range"):
        table.add_column(column)
    for quality in report.variables:
        codes = ", ".join(f"{code} ({count:,})" for code, count in quality.frequencies[:6])
        out = f"{quality.out_of_range:,}" if quality.out_of_range else "0"
        cells = (quality.field, quality.variable, codes, f"{quality.missing:,}", out)
        table.add_row(*(escape(cell) for cell in cells))
    console.print(table)
    for field_name, unknown, reported in report.unknown_hours:
        share = f"{unknown / reported:.1%}" if reported else "-"
        console.print(f"unknown {field_name}: {unknown:,} of {reported:,} reporting ({share})")
    console.print(f"indicators available: {', '.join(INDICATOR_LABELS)}")

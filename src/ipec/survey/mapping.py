"""Apply a variable map: raw survey variables and codes to the canonical child record.

The result holds the canonical fields of ``ipec.classify``, the canonical domains (``sex``,
``age_group``, ``area``, ``region`` and the background variables found) and the design columns,
with a report of what was mapped, what was missing and what was dropped. Every data problem is
named with the file, the raw variable and the file's row numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ipec.classify.prepare import MAX_WEEKLY_HOURS
from ipec.classify.record import REQUIRED_COLUMNS
from ipec.errors import DataError
from ipec.rows import RowCheck, first_line, raise_failed
from ipec.survey.design import LonelyPsu, ReplicateDesign, SurveyDesign
from ipec.survey.join import joined_file
from ipec.survey.maps.model import DomainVariable, SurveyMap
from ipec.survey.pooling import (
    POOL_DOMAIN,
    Pooling,
    key_ranges,
    missing_survey_check,
    nested_key,
    rescale_factors,
    rescaled,
)
from ipec.survey.readers import SurveyFile

__all__ = [
    "AGE_BANDS",
    "AGE_GROUPS",
    "AGE_YEARS",
    "FILE_ROW",
    "PSU",
    "PSU2",
    "REPLICATE",
    "STRATUM",
    "VARIABLE",
    "WEIGHT",
    "MappedSurvey",
    "MappingReport",
    "code_text",
    "map_survey",
]

WEIGHT, PSU, STRATUM, FILE_ROW = "_weight", "_psu", "_stratum", "_file_row"
PSU2 = "_psu2"
VARIABLE = "var:"
REPLICATE = "_replicate"
AGE_GROUPS = ("5-11", "12-14", "15-17")
AGE_BANDS = ("5-14", "15-17")
AGE_YEARS = tuple(str(age) for age in range(5, 18))
_AGE_GROUP_BOUNDS = ((5, 11), (12, 14), (15, 17))
_LOOKUP_LIMIT = 4096


@dataclass
class MappingReport:
    """What the map found in the file, what it did not, and what it dropped."""

    mapped: dict[str, list[str]] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rows_in_file: int = 0
    rows_not_completed: int = 0
    rows_zero_weight: int = 0
    #: Pooled surveys: the identifier, the rescaling rule and each survey's cases, sum of
    #: weights and factor (empty for one survey).
    pooled: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_used(self) -> int:
        return self.rows_in_file - self.rows_not_completed - self.rows_zero_weight


@dataclass(frozen=True)
class MappedSurvey:
    """The canonical frame of a survey, its design and the levels of each domain, in order."""

    frame: pl.LazyFrame
    design: SurveyDesign | ReplicateDesign
    source: str
    domains: Mapping[str, tuple[str, ...]]
    domain_labels: Mapping[str, str]
    report: MappingReport
    raw_variables: Mapping[str, list[str]]
    #: The frame is a lazy query over the file (read again by each step), not held in memory.
    streaming: bool = False

    @property
    def weight_columns(self) -> tuple[str, ...]:
        """The full-sample weight and any replicate weights (all zero out of a domain)."""
        if isinstance(self.design, ReplicateDesign):
            return (self.design.weight, *self.design.replicates)
        return (self.design.weight,)

    @property
    def has_chores(self) -> bool:
        """Household chores were mapped (profiles that count chores need them)."""
        schema = self.frame.collect_schema()
        return "chores_any" in schema and "chores_hours" in schema

    @property
    def design_columns(self) -> tuple[str, ...]:
        """Every column the design reads."""
        if isinstance(self.design, ReplicateDesign):
            return self.weight_columns
        return self.design.columns


def _one_of(column: pl.Expr, codes: Sequence[int]) -> pl.Expr:
    """The column holds one of ``codes``, whatever its numeric type (Stata ints, SPSS floats)."""
    return column.cast(pl.Float64).is_in([float(code) for code in codes])


def _resolve(file: SurveyFile, candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        found = file.find(name)
        if found is not None:
            return found
    return None


def _collect(query: pl.LazyFrame, file: SurveyFile, *, streaming: bool = True) -> pl.DataFrame:
    """Run a query over the file; a file that breaks while being read is named as such."""
    try:
        return query.collect(engine="streaming" if streaming else "auto")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(
            f"cannot read the {file.kind} file ({first_line(exc)})",
            source=file.source,
            hint="check that the file is complete and of the type its extension says",
        ) from None


def _numeric_check(schema: pl.Schema, variable: str) -> RowCheck | None:
    dtype = schema[variable]
    if dtype.is_numeric() or dtype == pl.Boolean:
        return None
    as_number = pl.col(variable).cast(pl.Float64, strict=False)
    return RowCheck(
        variable,
        as_number.is_null() & pl.col(variable).is_not_null(),
        "codes must be numbers",
        "recode the variable to numeric codes, or map another variable",
    )


def _recode(column: pl.Expr, old: list[Any], new: list[int], values: list[Any]) -> pl.Expr:
    """Codes to level numbers (codes not in ``old`` to null); a lookup table when all the
    ``values`` present are small integers, which is several times faster than a hash lookup."""
    integral = all(isinstance(v, int | float) and float(v).is_integer() for v in values)
    if values and integral and max(values) - min(values) < _LOOKUP_LIMIT:
        low = int(min(values))
        table: list[int | None] = [None] * (int(max(values)) - low + 1)
        for code, level in zip(old, new, strict=True):
            table[int(code) - low] = level
        lookup = pl.lit(pl.Series(table, dtype=pl.UInt16))
        return lookup.gather(column.cast(pl.Int64) - low)
    return column.replace_strict(old, new, default=None, return_dtype=pl.UInt16)


def _domain_expr(
    name: str, variable: str, spec: DomainVariable, file: SurveyFile, values: list[Any]
) -> tuple[pl.Expr, tuple[str, ...], list[Any]]:
    """The domain column as level numbers (0, 1, ...), its level labels in code order, and the
    codes present that have no label.

    Levels are carried as small integers, not text: grouping millions of rows by them is cheap,
    and results get their labels back at the end (``MappedSurvey.domains``).
    """
    codes = spec.codes or {
        code_text(code): str(label) for code, label in file.value_labels.get(variable, {}).items()
    }
    present = {code_text(value): value for value in values}
    if codes:
        levels = tuple(dict.fromkeys(label for code, label in _by_code(codes) if code in present))
        labelled = {code: codes[code] for code in present if code in codes}
    else:
        levels = tuple(code for code, _ in _by_code({code: code for code in present}))
        labelled = {code: code for code in present}
    index = {label: i for i, label in enumerate(levels)}
    old = [present[code] for code in labelled]
    new = [index[label] for label in labelled.values()]
    no_label = [present[code] for code in present if code not in labelled]
    expr = _recode(pl.col(variable), old, new, list(present.values()))
    return expr.alias(name), levels, no_label


def code_text(value: Any) -> str:
    """A code as people write it: 12, not 12.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _by_code(codes: Mapping[str, str]) -> list[tuple[str, str]]:
    def order(item: tuple[str, str]) -> tuple[int, float | str]:
        code = item[0]
        try:
            return (0, float(code))
        except ValueError:
            return (1, code)

    return sorted(codes.items(), key=order)


def _age_band(age: pl.Expr) -> pl.Expr:
    """5-14 and 15-17 (level numbers 0 and 1): the SDG 8.7.1 table reports 5-14 too."""
    band = pl.when(age.is_between(5, 14)).then(0).when(age.is_between(15, 17)).then(1)
    return band.otherwise(None).cast(pl.UInt16).alias("age_band")


def _age_year(age: pl.Expr) -> pl.Expr:
    """Single years 5-17 as level numbers 0-12, for charts by age."""
    return pl.when(age.is_between(5, 17)).then(age - 5).cast(pl.UInt16).alias("age_year")


def _age_group(age: pl.Expr) -> pl.Expr:
    """5-11, 12-14, 15-17 as level numbers 0, 1, 2."""
    group = pl.lit(None, dtype=pl.UInt16)
    for i, (low, high) in reversed(list(enumerate(_AGE_GROUP_BOUNDS))):
        group = pl.when(age.is_between(low, high)).then(pl.lit(i, dtype=pl.UInt16)).otherwise(group)
    return group.alias("age_group")


@dataclass(frozen=True)
class _DesignVars:
    weight: str
    psu: str | None
    strata: str | None
    keep: tuple[str, list[int]] | None
    replicates: tuple[str, ...] = ()
    psu2: str | None = None
    fpc: str | None = None
    fpc2: str | None = None

    @property
    def columns(self) -> dict[str, str]:
        """Canonical design column -> the file's variable, for those the design has.

        The fpc columns keep the file's name, so that the design's checks of their values
        (constant within a stratum, a population no smaller than the sample) name it."""
        pairs = (
            (PSU, self.psu),
            (STRATUM, self.strata),
            (PSU2, self.psu2),
            (self.fpc, self.fpc),
            (self.fpc2, self.fpc2),
        )
        return {name: variable for name, variable in pairs if name and variable}

    @property
    def fpc_columns(self) -> tuple[str, ...]:
        """The fpc variables, which are numbers."""
        return tuple(v for v in (self.fpc, self.fpc2) if v is not None)


def _required(file: SurveyFile, names: tuple[str, ...], what: str, key: str) -> str | None:
    """The file's variable for a declared design key; a declared key never goes unused."""
    if not names:
        return None
    found = _resolve(file, names)
    if found is None:
        raise DataError(
            f"{what} variable not found (looked for {', '.join(names)})",
            source=file.source,
            hint=f"correct [design].{key} in the map, or remove it",
        )
    return found


def _resolve_design(file: SurveyFile, survey_map: SurveyMap, report: MappingReport) -> _DesignVars:
    names = survey_map.design
    weight = _resolve(file, names.weight)
    if weight is None:
        raise DataError(
            f"weight variable not found (looked for {', '.join(names.weight)})",
            source=file.source,
            hint="name the weight variable in the map's [design] section",
        )
    psu = _resolve(file, names.psu) if names.psu else None
    if names.psu and psu is None:
        raise DataError(
            f"cluster (PSU) variable not found (looked for {', '.join(names.psu)})",
            source=file.source,
            hint="name the PSU variable in the map's [design] section",
        )
    strata = _resolve(file, names.strata) if names.strata else None
    if names.strata and strata is None:
        report.warnings.append(
            f"no stratum variable ({', '.join(names.strata)}) in the file: the design uses "
            "PSUs only, which overstates the standard errors of a stratified sample"
        )
    keep = None
    if names.keep is not None:
        keep_var = file.find(names.keep.variable)
        if keep_var is None:
            raise DataError(
                f"variable {names.keep.variable} (completed interviews) not found",
                source=file.source,
                hint="remove [design].keep from the map if the file holds completed interviews",
            )
        keep = (keep_var, list(names.keep.values))
    replicates: tuple[str, ...] = ()
    if names.replicates is not None:
        replicates = _replicate_columns(file, names.replicates.prefix)
        declared = names.replicates.count
        if declared is not None and declared != len(replicates):
            raise DataError(
                f"the map declares {declared} replicate weights but the file has "
                f"{len(replicates)} ({replicates[0]} ... {replicates[-1]})",
                source=file.source,
                hint="correct [design].replicates.count, or check the file's replicate columns",
            )
        rscales = names.replicates.rscales
        if rscales is not None and len(rscales) not in (1, len(replicates)):
            raise DataError(
                f"[design].replicates.rscales has {len(rscales)} values for the file's "
                f"{len(replicates)} replicate weights",
                source=file.source,
                hint="give one rscale per replicate column, in column order",
            )
    return _DesignVars(
        weight,
        psu,
        strata,
        keep,
        replicates,
        psu2=_required(file, names.psu2, "second-stage unit", "psu2"),
        fpc=_required(file, names.fpc, "first-stage fpc", "fpc"),
        fpc2=_required(file, names.fpc2, "second-stage fpc", "fpc2"),
    )


def _replicate_columns(file: SurveyFile, prefix: str) -> tuple[str, ...]:
    """The file's prefix1, prefix2, ... columns in number order (case-insensitive prefix)."""
    wanted = prefix.casefold()
    numbered = []
    for variable in file.variables:
        rest = variable[len(prefix) :]
        if variable.casefold().startswith(wanted) and rest.isdigit():
            numbered.append((int(rest), variable))
    if len(numbered) < 2:
        raise DataError(
            f"replicate weights {prefix}1, {prefix}2, ... not found",
            source=file.source,
            hint="check [design].replicates.prefix in the map",
        )
    return tuple(variable for _, variable in sorted(numbered))


def _resolve_child(
    file: SurveyFile, survey_map: SurveyMap, report: MappingReport
) -> dict[str, list[str]]:
    found_vars: dict[str, list[str]] = {}
    for name, candidates in survey_map.child.items():
        if survey_map.kind_of(name) == "flag":
            found = [v for v in (file.find(c) for c in candidates) if v is not None]
            missing = [c for c in candidates if file.find(c) is None]
        else:
            one = _resolve(file, candidates)
            found, missing = ([one], []) if one else ([], list(candidates))
        if missing:
            report.missing[name] = missing
        if found:
            report.mapped[name] = found
            found_vars[name] = found
        elif name in REQUIRED_COLUMNS:
            raise DataError(
                f"variable {', '.join(candidates)} ({name}) not found",
                source=file.source,
                hint="check the file against the variable map, or pass another map",
            )
    if not {"chores_any", "chores_hours"} <= set(found_vars):
        report.warnings.append(
            "no household chores variables: profiles that count chores cannot be used, and the "
            "SDG 8.7.1 series with chores and table PR.3.2 are left out"
        )
    return found_vars


def _resolve_domains(
    file: SurveyFile, survey_map: SurveyMap, report: MappingReport
) -> dict[str, tuple[str, DomainVariable]]:
    found: dict[str, tuple[str, DomainVariable]] = {}
    for name, spec in {**survey_map.domains, **survey_map.background}.items():
        variable = _resolve(file, spec.variable)
        if variable is None:
            report.missing[name] = list(spec.variable)
        else:
            report.mapped[name] = [variable]
            found[name] = (variable, spec)
    return found


def _child_columns(
    child_vars: Mapping[str, list[str]], survey_map: SurveyMap
) -> tuple[list[pl.Expr], list[RowCheck]]:
    """Canonical child fields from raw variables, and the checks on their values."""
    yes = list(survey_map.yes_codes)
    known = [*survey_map.yes_codes, *survey_map.no_codes, *survey_map.no_response_codes]
    unknown = list(survey_map.unknown_hours_codes)
    expressions: list[pl.Expr] = []
    checks: list[RowCheck] = []
    for name, variables in child_vars.items():
        kind = survey_map.kind_of(name)
        first = pl.col(variables[0])
        if kind == "flag":
            flags = [_one_of(pl.col(v), yes).fill_null(value=False) for v in variables]
            expressions.append(pl.any_horizontal(flags).alias(name))
            checks += [
                RowCheck(
                    v,
                    pl.col(v).is_not_null() & ~_one_of(pl.col(v), known),
                    f"codes other than {', '.join(map(str, known))} (yes, no, no response)",
                    "recode the variable, or list its codes in the map (yes_codes, no_codes, "
                    "no_response_codes)",
                )
                for v in variables
            ]
        elif kind == "hours":
            valid = pl.when(_one_of(first, unknown)).then(None).otherwise(first.cast(pl.Float64))
            checks.append(
                RowCheck(
                    variables[0],
                    (valid < 0) | (valid > MAX_WEEKLY_HOURS),
                    "hours must lie between 0 and 168 a week (or be an unknown code)",
                    f"correct the hours; codes {unknown} mean unknown",
                )
            )
            expressions.append(valid.alias(name))
        elif kind == "age":
            age = first.cast(pl.Float64)
            checks += [
                RowCheck(
                    variables[0],
                    age.is_null(),
                    "age is missing",
                    "every completed interview needs an age",
                ),
                RowCheck(
                    variables[0],
                    (age != age.floor()) | (age < 0) | (age > 120),
                    "age is not a whole number of years",
                    "give ages in completed years",
                ),
            ]
            expressions.append(age.cast(pl.Int16, strict=False).alias(name))
        else:
            expressions.append(first.alias(name))
    return expressions, checks


def _weight_checks(weight: str, completed: pl.Expr) -> list[RowCheck]:
    """Every completed interview needs a usable weight (zero is allowed: it is excluded)."""
    w = pl.col(weight).cast(pl.Float64)
    return [
        RowCheck(
            weight,
            completed & w.is_null(),
            "weight is missing",
            "every completed interview needs a weight",
        ),
        RowCheck(
            weight,
            completed & ((w < 0) | ~w.is_finite()),
            "weight is negative or not finite",
            "correct the weights",
        ),
    ]


def _cluster_checks(dv: _DesignVars) -> list[RowCheck]:
    """Every used interview belongs to a PSU (and a second-stage unit), every PSU to a
    stratum, and every unit has its fpc."""
    missing = (
        (dv.psu, "PSU is missing", "every interview belongs to a cluster"),
        (dv.strata, "PSU without stratum", "give every PSU its stratum"),
        (
            dv.psu2,
            "second-stage unit is missing",
            "every interview belongs to a second-stage unit (household, dwelling)",
        ),
    )
    checks = [
        RowCheck(column, pl.col(column).is_null(), problem, fix)
        for column, problem, fix in missing
        if column is not None
    ]
    checks += [
        RowCheck(
            fpc,
            pl.col(fpc).cast(pl.Float64).is_null()
            | ~pl.col(fpc).cast(pl.Float64).is_finite()
            | (pl.col(fpc).cast(pl.Float64) <= 0),
            "fpc is missing, zero or negative",
            "give every row the population size or sampling fraction of its unit",
        )
        for fpc in dv.fpc_columns
    ]
    return checks


def _domain_columns(
    domain_vars: Mapping[str, tuple[str, DomainVariable]],
    file: SurveyFile,
    facts: pl.DataFrame,
) -> tuple[list[pl.Expr], dict[str, tuple[str, ...]], dict[str, str], dict[str, int]]:
    """Domain columns as level numbers, their labels, display names and the number of rows
    whose code has no label, from the codes and their counts in ``facts``."""
    expressions: list[pl.Expr] = []
    domains: dict[str, tuple[str, ...]] = {
        "age_group": AGE_GROUPS,
        "age_band": AGE_BANDS,
        "age_year": AGE_YEARS,
    }
    labels: dict[str, str] = {
        "age_group": "Age",
        "age_band": "Age (5-14, 15-17)",
        "age_year": "Age in years",
    }
    unlabelled: dict[str, int] = {}
    for name, (variable, spec) in domain_vars.items():
        counts = {row[variable]: row["__n"] for row in facts[f"values:{name}"][0]}
        expr, levels, no_label = _domain_expr(name, variable, spec, file, list(counts))
        unlabelled[name] = sum(counts[code] for code in no_label)
        expressions.append(expr)
        domains[name] = levels
        labels[name] = spec.label or name.replace("_", " ").capitalize()
    return expressions, domains, labels, unlabelled


def _design(
    dv: _DesignVars, survey_map: SurveyMap, lonely_psu: LonelyPsu, *, pooled: bool = False
) -> SurveyDesign | ReplicateDesign:
    spec = survey_map.design.replicates
    if spec is not None:
        return ReplicateDesign(
            WEIGHT,
            [f"{REPLICATE}{i}" for i in range(1, len(dv.replicates) + 1)],
            spec.type,
            rho=spec.rho,
            scale=spec.scale,
            rscales=spec.rscales,
            mse=spec.mse,
            degf=spec.df,
        )
    have = dv.columns
    return SurveyDesign(
        weight=WEIGHT,
        psu=PSU if PSU in have else None,
        strata=STRATUM if STRATUM in have or pooled else None,
        fpc=dv.fpc,
        psu2=PSU2 if PSU2 in have else None,
        fpc2=dv.fpc2,
        nest=survey_map.design.nest,
        lonely_psu=lonely_psu,
        fpc_kind=survey_map.design.fpc_kind,
    )


_DomainVars = dict[str, tuple[str, DomainVariable]]


def _pool_variable(
    file: SurveyFile, pool: Pooling | None, dv: _DesignVars, domain_vars: _DomainVars
) -> tuple[str | None, _DomainVars]:
    """The survey identifier's variable, for a design that can be pooled, and the domains
    with the identifier first."""
    if pool is None:
        return None, domain_vars
    if dv.replicates:
        raise DataError(
            "surveys with replicate weights cannot be pooled",
            source=file.source,
            hint="pool with the linearised design (strata and PSUs), or estimate each survey "
            "on its own",
        )
    variable = _file_variable(file, pool.variable)
    spec = DomainVariable(variable=(variable,), label="Survey")
    # first (the mapping finds its codes there), and in place of a map's own "survey"
    others = {name: found for name, found in domain_vars.items() if name != POOL_DOMAIN}
    return variable, {POOL_DOMAIN: (variable, spec), **others}


def _pool_checks(
    variable: str | None,
    dv: _DesignVars,
    schema: pl.Schema,
    in_use: pl.Expr,
    checks: list[RowCheck],
) -> list[pl.Expr]:
    """Add the check that every row has a survey to ``checks``; the ranges of the integer
    strata and PSU codes, to nest them within survey."""
    if variable is None:
        return []
    checks.append(missing_survey_check(variable))
    keys = {name: dv.columns[name] for name in (STRATUM, PSU) if name in dv.columns}
    return key_ranges(schema, keys, in_use)


def _partitions_checked(file: SurveyFile, dv: _DesignVars, pool_var: str | None) -> tuple[str, ...]:
    """The partition columns of a hive-partitioned dataset read as one survey with PSUs,
    read too so that PSU codes shared across partitions are noticed."""
    if pool_var is not None or dv.psu is None:
        return ()
    return file.partition_columns


def _spanning_psus(
    file: SurveyFile, dv: _DesignVars, pool_var: str | None, in_use: pl.Expr
) -> list[pl.Expr]:
    """For a hive-partitioned dataset read as one survey: per partition column, how many
    more (stratum, PSU, partition) triples there are than (stratum, PSU) pairs, i.e. whether
    a PSU code is found under two partitions (two rounds sharing codes, read as one)."""
    columns = _partitions_checked(file, dv, pool_var)
    if not columns:
        return []
    keys = [pl.col(v) for v in (dv.strata, dv.psu) if v is not None]
    pairs = pl.struct(keys).filter(in_use).n_unique()
    return [
        (pl.struct([*keys, pl.col(column)]).filter(in_use).n_unique() - pairs).alias(
            f"span:{column}"
        )
        for column in columns
    ]


def _warn_spanning(facts: pl.DataFrame, report: MappingReport) -> None:
    for name in facts.columns:
        if name.startswith("span:") and facts[name][0]:
            column = name.removeprefix("span:")
            report.warnings.append(
                f"PSU codes are found under two or more values of the partition "
                f"{column}: if the partitions are different surveys (rounds, "
                f"countries), pool them with --survey-id {column}; as read, their clusters "
                "are merged"
            )


def _pooled_columns(  # noqa: PLR0917 - the mapping's state, internal
    pool: Pooling,
    used: pl.LazyFrame,
    survey_expr: pl.Expr,
    domains: Mapping[str, tuple[str, ...]],
    unlabelled: Mapping[str, int],
    facts: pl.DataFrame,
    file: SurveyFile,
    dv: _DesignVars,
    report: MappingReport,
) -> list[pl.Expr]:
    """The stratum and PSU nested within survey and the weights rescaled per survey."""
    levels = domains[POOL_DOMAIN]
    if unlabelled[POOL_DOMAIN]:
        raise DataError(
            f"{unlabelled[POOL_DOMAIN]} rows have a survey identifier ({pool.variable}) "
            "whose code has no label",
            source=file.source,
            hint="label every code of the survey identifier, or remove its value labels",
        )
    totals = pl.DataFrame(schema={"level": pl.Int64, "cases": pl.UInt32, "weights": pl.Float64})
    if pool.rescale != "none":
        weight = pl.col(dv.weight).cast(pl.Float64)
        totals = _collect(
            used.group_by(level=survey_expr.cast(pl.Int64)).agg(
                pl.len().alias("cases"), weight.sum().alias("weights")
            ),
            file,
        )
    factors, summary = rescale_factors(pool, levels, totals, source=file.source)
    report.pooled = {"variable": pool.variable, "rescale": pool.rescale, "surveys": summary}
    survey = pl.col(POOL_DOMAIN)
    columns = [rescaled(WEIGHT, survey, factors)]
    if dv.strata is not None:
        columns.append(nested_key(STRATUM, survey, facts))
    else:  # a survey without strata is one stratum
        columns.append(survey.alias(STRATUM))
    if dv.psu is not None:
        columns.append(nested_key(PSU, survey, facts))
    return columns


def _file_variable(file: SurveyFile, name: str) -> str:
    found = file.find(name)
    if found is None:
        raise DataError(
            f"variable {name} not found",
            source=file.source,
            hint="check the name (case does not matter) with ipec survey inspect",
        )
    return found


def _needed_variables(
    dv: _DesignVars,
    child_vars: Mapping[str, list[str]],
    domain_vars: Mapping[str, tuple[str, DomainVariable]],
) -> list[str]:
    design = [dv.weight, *dv.columns.values(), *dv.replicates]
    if dv.keep is not None:
        design.append(dv.keep[0])
    children = [v for names in child_vars.values() for v in names]
    return list(dict.fromkeys([*design, *children, *(v for v, _ in domain_vars.values())]))


#: Row tests of the mapping, carried as columns while it checks the file.
_COMPLETED, _IN_USE = "__completed", "__in_use"


def map_survey(  # noqa: PLR0915 - the steps of one pass over the file, in order
    file: SurveyFile,
    survey_map: SurveyMap,
    *,
    lonely_psu: LonelyPsu = "fail",
    streaming: bool = False,
    variables: Sequence[str] = (),
    pool: Pooling | None = None,
    one_chunk: bool = True,
) -> MappedSurvey:
    """Read the mapped variables of ``file`` and build the canonical child frame and design.

    ``variables``: more of the file's own variables (numeric) to carry as they are, named
    ``var:NAME`` in the frame, for estimates of the file's variables with the same design.

    By default the needed variables are read into memory once and the canonical frame is built
    once. With ``streaming=True`` nothing is held in memory: checks and domain levels come from
    one streaming pass and the frame stays a lazy query over the file, so a Parquet file larger
    than memory can be analysed (each later step reads the file again).

    A map's ``[join]`` adds the household file's variables first (:mod:`ipec.survey.join`).

    ``pool``: the rows are several surveys told apart by ``pool.variable``; their strata and
    PSUs are nested within survey, the identifier is the breakdown ``survey`` and the weights
    are rescaled per survey as ``pool.rescale`` says (:mod:`ipec.survey.pooling`).

    ``one_chunk`` (in memory): hold each column in one chunk. It pays when many estimates
    select from the frame (the report); for one estimate or the table set, the copy costs
    more than it saves (at 5 million children, a third more peak memory and 4-7% more CPU).
    """
    file = joined_file(file, survey_map)
    source = file.source
    report = MappingReport()
    dv = _resolve_design(file, survey_map, report)
    child_vars = _resolve_child(file, survey_map, report)
    domain_vars = _resolve_domains(file, survey_map, report)
    pool_var, domain_vars = _pool_variable(file, pool, dv, domain_vars)
    extra = {name: _file_variable(file, name) for name in dict.fromkeys(variables)}
    raw_needed = list(
        dict.fromkeys(
            [
                *_needed_variables(dv, child_vars, domain_vars),
                *extra.values(),
                *_partitions_checked(file, dv, pool_var),
            ]
        )
    )
    code_vars = {v for name in ("isic", "isco") for v in child_vars.get(name, [])}
    texts = {*code_vars, pool_var, *_partitions_checked(file, dv, pool_var)}  # may be text
    raw = file.read(raw_needed, text=code_vars).with_row_index(FILE_ROW)
    if not streaming:
        raw = _collect(raw, file, streaming=False).lazy()
    schema = raw.collect_schema()
    # Text columns that should hold numbers are checked first (every later check casts them).
    numeric = [
        check
        for variable in raw_needed
        if variable not in texts and (check := _numeric_check(schema, variable)) is not None
    ]
    if numeric:
        found = _collect(raw.select(c.bad.any().alias(f"n:{i}") for i, c in enumerate(numeric)),
                         file, streaming=streaming)  # fmt: skip
        for i, check in enumerate(numeric):
            if found[f"n:{i}"][0]:
                raise_failed(raw, check, source=source, index=FILE_ROW)

    is_completed = _one_of(pl.col(dv.keep[0]), dv.keep[1]) if dv.keep else pl.lit(value=True)
    weight = pl.col(dv.weight).cast(pl.Float64)
    # the row tests computed once, as columns every check reads
    raw = raw.with_columns(
        is_completed.alias(_COMPLETED), (is_completed & (weight > 0)).alias(_IN_USE)
    )
    completed, in_use = pl.col(_COMPLETED), pl.col(_IN_USE)
    weight_checks = [
        check
        for column in (dv.weight, *dv.replicates)
        for check in _weight_checks(column, completed)
    ]
    child_exprs, checks = _child_columns(child_vars, survey_map)
    checks += _cluster_checks(dv)
    ranges = _pool_checks(pool_var, dv, schema, in_use, checks)
    spans = _spanning_psus(file, dv, pool_var, in_use)
    # Every count, check and domain code the mapping needs, in one pass over the file.
    facts = _collect(
        raw.select(
            pl.len().alias("rows"),
            completed.sum().alias("completed"),
            in_use.sum().alias("used"),
            *(check.bad.sum().alias(f"weight:{i}") for i, check in enumerate(weight_checks)),
            *((check.bad & in_use).sum().alias(f"check:{i}") for i, check in enumerate(checks)),
            *(
                pl.col(variable).filter(in_use).drop_nulls().value_counts(name="__n").implode()
                .alias(f"values:{name}")
                for name, (variable, _) in domain_vars.items()
            ),
            *ranges,
            *spans,
        ),
        file,
        streaming=streaming,
    )  # fmt: skip
    for i, check in enumerate(weight_checks):
        if facts[f"weight:{i}"][0]:
            raise_failed(raw, check, source=source, index=FILE_ROW)
    _warn_spanning(facts, report)
    report.rows_in_file = int(facts["rows"][0])
    report.rows_not_completed = report.rows_in_file - int(facts["completed"][0])
    report.rows_zero_weight = int(facts["completed"][0]) - int(facts["used"][0])
    used = raw.filter(in_use)
    for i, check in enumerate(checks):
        if facts[f"check:{i}"][0]:
            raise_failed(used, check, source=source, index=FILE_ROW)

    expressions: list[pl.Expr] = [pl.col(FILE_ROW), weight.alias(WEIGHT)]
    expressions += [
        pl.col(column).cast(pl.Float64).alias(f"{REPLICATE}{i}")
        for i, column in enumerate(dv.replicates, start=1)
    ]
    expressions += [
        pl.col(variable).cast(pl.Float64).alias(name)
        if name in dv.fpc_columns
        else pl.col(variable).alias(name)
        for name, variable in dv.columns.items()
    ]
    expressions += child_exprs
    expressions += [
        pl.col(variable).cast(pl.Float64).alias(f"{VARIABLE}{name}")
        for name, variable in extra.items()
    ]
    domain_exprs, domains, labels, unlabelled = _domain_columns(domain_vars, file, facts)
    expressions += domain_exprs
    for name, count in unlabelled.items():
        if count:
            report.warnings.append(
                f"{name}: {count} rows of {domain_vars[name][0]} hold codes with no label; "
                "they are left out of the breakdown by this variable"
            )
    canonical = used.select(expressions).with_columns(
        _age_group(pl.col("age")), _age_band(pl.col("age")), _age_year(pl.col("age"))
    )
    if pool is not None:  # the survey identifier is the first domain
        pooled = _pooled_columns(pool, used, domain_exprs[0], domains, unlabelled, facts,
                                 file, dv, report)  # fmt: skip
        canonical = canonical.with_columns(pooled)
    if not streaming:
        # one chunk per column: a frame read in row groups and filtered holds hundreds of
        # chunks, and every later select of columns chunked unlike the classification's new
        # ones copies them all again
        collected = canonical.collect()
        canonical = (collected.rechunk() if one_chunk else collected).lazy()
    design = _design(dv, survey_map, lonely_psu, pooled=pool is not None)
    return MappedSurvey(
        frame=canonical,
        design=design,
        source=source,
        domains=domains,
        domain_labels=labels,
        report=report,
        raw_variables={**child_vars, **{k: [v] for k, (v, _) in domain_vars.items()}},
        streaming=streaming,
    )

"""SDG 8.7.1 observations from ipec's estimates, ready for the SDG global database.

The SDG global database publishes SDG 8.7.1 as two series of percentages by sex and age:
``SL_TLF_CHLDEC`` (profile ``sdg-8.7.1``) and ``SL_TLF_CHLDEA`` (``sdg-8.7.1-econ``). This
module turns the SDG 8.7.1 table of :func:`ipec.survey.tables.sdg_table` (or the output of
``ipec survey tables`` / ``estimate`` under those profiles) into one row per observation,
coded as the SDG data structure codes it (:mod:`ipec.survey.sdg_structure`). Nothing is
estimated here: the values are ipec's estimates times 100.

What cannot be written is left out and said, never changed: ages 5-11 (the structure's age
code list has no code for them), breakdowns the SDG series do not have (area, region, ...),
cells with too few cases to show (display flag ``*`` or ``-``). Cells shown in parentheses
(25-49 unweighted cases by default) are written with observation status ``U`` (low
reliability) and a footnote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import polars as pl

from ipec.errors import DataError
from ipec.survey.flags import NOTE_SEPARATOR, display_flag
from ipec.survey.sdg_areas import RefArea, ref_area
from ipec.survey.sdg_structure import (
    AGE_CODES,
    ATTRIBUTES,
    DIMENSIONS,
    PROFILE_SERIES,
    check_observations,
)

__all__ = [
    "SDG_FORMATS",
    "SdgFormat",
    "SdgObservations",
    "sdg_format",
    "sdg_observations",
    "time_period",
    "write_sdg",
]

SdgFormat = Literal["sdmx-ml", "sdmx-csv", "sdg-csv"]
#: Output formats and the file suffix each needs.
SDG_FORMATS: Mapping[str, str] = {"sdmx-ml": ".xml", "sdmx-csv": ".csv", "sdg-csv": ".csv"}

_SDG_TABLE = "SDG-8.7.1"
_SEX_WORDS = {
    "M": {"m", "male", "males", "boy", "boys", "man", "men", "masculin", "homme", "garcon",
          "garcons", "hombre", "masculino", "nino", "ninos", "menino", "meninos"},
    "F": {"f", "female", "females", "girl", "girls", "woman", "women", "feminin", "femme",
          "fille", "filles", "mujer", "femenino", "nina", "ninas", "menina", "meninas"},
}  # fmt: skip
_PLAIN = str.maketrans("éèçñ", "eecn")  # féminin, garçon, niño
_LEFT_OUT_SCHEMA = {"profile": pl.String, "by": pl.String, "level": pl.String, "reason": pl.String}


@dataclass(frozen=True, slots=True)
class SdgObservations:
    """SDG 8.7.1 observations for one country and year.

    ``frame``: one row per observation, the 15 dimensions, ``TIME_PERIOD``, ``OBS_VALUE``
    (a percentage) and the attributes, coded as the SDG data structure codes them.
    ``left_out``: the estimates that were not written and why (profile, by, level, reason).
    """

    frame: pl.DataFrame
    left_out: pl.DataFrame
    area: RefArea
    period: str

    def to_polars(self) -> pl.DataFrame:
        """The observations (a copy that shares no state with this object)."""
        return self.frame.clone()


def time_period(value: int | str) -> str:
    """The TIME_PERIOD of an annual observation: a four-digit year.

    >>> time_period(2019)
    '2019'
    """
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text) or not 1950 <= int(text) <= 2100:
        raise DataError(
            f"time period {value!r} is not a year",
            hint="give the year the survey refers to, e.g. 2019 (the end of fieldwork for a "
            "survey that spans two years, as the SDG database does)",
        )
    return text


def _sex_code(level: str, sex_codes: Mapping[str, str] | None) -> str:
    if sex_codes is not None and level in sex_codes:
        return sex_codes[level]
    plain = level.strip().lower().translate(_PLAIN)
    for code, words in _SEX_WORDS.items():
        if plain in words:
            return code
    raise DataError(
        f"sex level {level!r} is neither male nor female to ipec",
        hint="label the map's sex codes 'male' and 'female', or give the codes "
        "(--sex-codes 'LEVEL=M,LEVEL=F')",
    )


def _age_level(by: str, level: str) -> str:
    """ipec's age level of one row of the SDG table (5-17 when it is not split by age)."""
    parts = dict(zip(by.split("*"), level.split("*"), strict=True))
    return parts.get("age_group", parts.get("age_band", "5-17"))


def _sex_level(by: str, level: str) -> str | None:
    parts = dict(zip(by.split("*"), level.split("*"), strict=True))
    return parts.get("sex")


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _checked_input(estimates: pl.DataFrame, source: str) -> pl.DataFrame:
    needed = ["by", "level", "indicator", "estimate", "profile"]
    missing = [c for c in needed if c not in estimates.columns]
    if missing:
        raise DataError(
            f"these are not ipec estimates (no column {', '.join(missing)})",
            source=source,
            hint="give the output of 'ipec survey tables' or 'ipec survey estimate' under "
            "profile sdg-8.7.1 or sdg-8.7.1-econ, or the survey file with --map",
        )
    frame = estimates
    if "table" in frame.columns:
        frame = frame.filter(pl.col("table") == _SDG_TABLE)
    profiles = set(frame.get_column("profile").drop_nulls().cast(pl.String).to_list())
    sdg = frame.filter(
        pl.col("profile").is_in(list(PROFILE_SERIES)) & (pl.col("indicator") == "child_labour")
    )
    if sdg.is_empty():
        found = ", ".join(sorted(profiles)) or "none"
        raise DataError(
            f"these estimates are not SDG 8.7.1 (profile {found}; SDG 8.7.1 is child_labour "
            "under profile sdg-8.7.1, series SL_TLF_CHLDEC, or sdg-8.7.1-econ, SL_TLF_CHLDEA)",
            source=source,
            hint="estimate with -p sdg-8.7.1 (and -p sdg-8.7.1-econ) --by sex,age_group, or use "
            "'ipec survey tables'",
        )
    return frame


def _attributes(
    row: Mapping[str, object], nature: str, source: str | None, time_detail: str | None
) -> dict[str, str | float | None]:
    flag = str(row.get("flag") or "")
    shown = display_flag(flag)
    notes = [] if NOTE_SEPARATOR not in flag else [flag.split(NOTE_SEPARATOR, 1)[1].strip()]
    status = "A"
    if shown == "()":
        status = "U"
        n = _number(row.get("n_unweighted"))
        cases = "few cases" if n is None else f"{int(n)} unweighted cases"
        notes.insert(0, f"Based on {cases}: interpret with caution.")
    low, high = _number(row.get("ci_low")), _number(row.get("ci_high"))
    return {
        "OBS_STATUS": status,
        "UNIT_MULT": "0",
        "UNIT_MEASURE": "PT",
        "NATURE": nature,
        "TIME_DETAIL": time_detail,
        "COMMENT_OBS": " ".join(notes) or None,
        "UPPER_BOUND": None if high is None else 100 * high,
        "LOWER_BOUND": None if low is None else 100 * low,
        "SOURCE_DETAIL": source,
    }


def sdg_observations(
    estimates: pl.DataFrame,
    *,
    area: str | RefArea,
    period: int | str,
    nature: str = "C",
    source: str | None = None,
    time_detail: str | None = None,
    sex_codes: Mapping[str, str] | None = None,
    source_name: str = "estimates",
) -> SdgObservations:
    """SDG 8.7.1 observations from ipec's estimates (:func:`ipec.survey.tables.sdg_table`,
    or ``ipec survey tables`` / ``estimate`` output under the SDG profiles).

    ``area``: the country (M49 or ISO alpha-3 code); ``period``: the year; ``nature``: the
    CL_NATURE code (``C`` country data); ``source``: SOURCE_DETAIL, e.g. the survey's name;
    ``time_detail``: TIME_DETAIL, e.g. ``2017-2018`` for fieldwork across two years;
    ``sex_codes``: sex levels that are not male/female words, e.g. ``{"1": "M", "2": "F"}``.

    >>> import polars as pl
    >>> estimates = pl.DataFrame({
    ...     "by": ["total", "sex", "age_group"], "level": ["total", "female", "5-11"],
    ...     "indicator": ["child_labour"] * 3, "estimate": [0.25, 0.3, 0.4],
    ...     "profile": ["sdg-8.7.1"] * 3, "flag": ["", "", ""]})
    >>> result = sdg_observations(estimates, area="GHA", period=2018)
    >>> result.frame.select("SERIES", "REF_AREA", "SEX", "AGE", "OBS_VALUE").rows()
    [('SL_TLF_CHLDEC', '288', '_T', 'Y5T17', 25.0), ('SL_TLF_CHLDEC', '288', 'F', 'Y5T17', 30.0)]
    >>> result.left_out["reason"].to_list()
    ['age 5-11: the SDG age code list (CL_AGE 1.12) has no code for it']
    """
    country = area if isinstance(area, RefArea) else ref_area(area)
    year = time_period(period)
    frame = _checked_input(estimates, source_name)
    rows: list[dict[str, object]] = []
    left: list[dict[str, str]] = []
    for row in frame.iter_rows(named=True):
        profile, by, level = str(row["profile"]), str(row["by"]), str(row["level"])

        def leave(reason: str, profile: str = profile, by: str = by, level: str = level) -> None:
            left.append({"profile": profile, "by": by, "level": level, "reason": reason})

        if profile not in PROFILE_SERIES or row["indicator"] != "child_labour":
            leave(f"{row['indicator']} under {profile} is not SDG 8.7.1 (child_labour under "
                  "sdg-8.7.1 or sdg-8.7.1-econ)")  # fmt: skip
            continue
        wanted = {"total", "sex", "age_group", "age_band"}
        if not set(by.split("*")) <= wanted or by.count("*") > 1:
            leave(f"the SDG 8.7.1 series are by sex and age only, not by {by}")
            continue
        age_level = _age_level(by, level)
        if age_level not in AGE_CODES:
            leave(f"age {age_level}: the SDG age code list (CL_AGE 1.12) has no code for it")
            continue
        sex_level = _sex_level(by, level)
        sex = "_T" if sex_level is None else _sex_code(sex_level, sex_codes)
        age = AGE_CODES[age_level]
        value = _number(row["estimate"])
        shown = display_flag(str(row.get("flag") or ""))
        if shown in {"*", "-"} or value is None:
            leave("too few cases to show (display flag " + (shown or "none") + ")")
            continue
        dims = dict.fromkeys(DIMENSIONS, "_T")
        dims.update(FREQ="A", REPORTING_TYPE="N", SERIES=PROFILE_SERIES[profile],
                    REF_AREA=country.code, SEX=sex, AGE=age)  # fmt: skip
        rows.append(
            {
                **dims,
                "TIME_PERIOD": year,
                "OBS_VALUE": 100 * value,
                **_attributes(row, nature, source, time_detail),
            }
        )
    observations = _deduplicated(_frame(rows), source_name)
    check_observations(observations, source_name)
    return SdgObservations(observations, pl.DataFrame(left, schema=_LEFT_OUT_SCHEMA), country, year)


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    columns = [*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", *(a.id for a in ATTRIBUTES)]
    numbers = {"OBS_VALUE", *(a.id for a in ATTRIBUTES if a.kind == "number" and not a.codes)}
    schema = {c: (pl.Float64 if c in numbers else pl.String) for c in columns}
    frame = pl.DataFrame(rows, schema=schema)
    present = [
        c for c in columns if c in DIMENSIONS or frame.get_column(c).null_count() < len(frame)
    ]
    return frame.select(c for c in columns if c in present or c in {"TIME_PERIOD", "OBS_VALUE"})


def _deduplicated(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """The 15-17 age band is the 15-17 age group: one observation, once its values agree."""
    key = [*DIMENSIONS, "TIME_PERIOD"]
    spread = frame.group_by(key).agg(
        (pl.col("OBS_VALUE").max() - pl.col("OBS_VALUE").min()).alias("spread")
    )
    if spread.filter(pl.col("spread") > 1e-9).height:
        raise DataError("two estimates of the same SDG observation differ", source=source)
    return frame.unique(subset=key, keep="first", maintain_order=True)


def sdg_format(path: Path, chosen: str | None = None) -> SdgFormat:
    """The output format: ``chosen``, else from the suffix (``.xml`` SDMX-ML, ``.csv`` the
    SDG database CSV); the suffix must fit the format."""
    suffix = path.suffix.lower()
    if chosen is None:
        chosen = {".xml": "sdmx-ml", ".csv": "sdg-csv"}.get(suffix)
        if chosen is None:
            raise DataError(
                f"unsupported file type '{path.suffix or '(none)'}'",
                source=str(path),
                hint="use .xml (SDMX-ML) or .csv (the SDG database layout; --format sdmx-csv "
                "for SDMX-CSV)",
            )
    if chosen not in get_args(SdgFormat):
        raise DataError(f"--format {chosen!r} is not one of {', '.join(get_args(SdgFormat))}")
    if SDG_FORMATS[chosen] != suffix:
        raise DataError(
            f"a {chosen} file ends in {SDG_FORMATS[chosen]}",
            source=str(path),
            hint=f"name the output *{SDG_FORMATS[chosen]}",
        )
    return chosen  # type: ignore[return-value]


def write_sdg(observations: SdgObservations, path: str | Path, fmt: SdgFormat) -> None:
    """Write the observations as SDMX-ML 2.1 (structure-specific), SDMX-CSV 2.0 or the SDG
    database CSV; SDMX is checked against the structure as read back before it is kept."""
    from ipec.survey.sdg_csv import write_sdg_csv
    from ipec.survey.sdmx import write_sdmx

    if fmt == "sdg-csv":
        write_sdg_csv(observations, Path(path))
    else:
        write_sdmx(observations, Path(path), fmt)

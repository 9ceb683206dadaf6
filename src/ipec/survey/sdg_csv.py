"""SDG observations as a plain CSV laid out like the SDG global database's own CSV.

National statistics offices and UNSD exchange SDG figures in SDMX and, for people, in the
flat layout of the SDG global database's CSV download (the SDG API ``Series/DataCSV``): one
row per observation, the goal, target, indicator and series, the area (M49 code and name),
the year and value, then attributes and dimensions, the latter in brackets with the
database's labels (``BOTHSEX``, ``FEMALE``, ``MALE``; ages ``5-17``; units ``PERCENT``).
The columns are :data:`SDG_CSV_COLUMNS`; the values are those of the SDMX observations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ipec.files import atomic_output

if TYPE_CHECKING:
    from ipec.survey.sdg_report import SdgObservations

__all__ = ["SDG_CSV_COLUMNS", "SERIES_DESCRIPTIONS", "sdg_csv_frame", "write_sdg_csv"]

SDG_CSV_COLUMNS: tuple[str, ...] = (
    "Goal",
    "Target",
    "Indicator",
    "SeriesCode",
    "SeriesDescription",
    "GeoAreaCode",
    "GeoAreaName",
    "TimePeriod",
    "Value",
    "Time_Detail",
    "UpperBound",
    "LowerBound",
    "BasePeriod",
    "Source",
    "FootNote",
    "[Nature]",
    "[Observation Status]",
    "[Reporting Type]",
    "[Units]",
    "[Age]",
    "[Sex]",
)
#: Series names as the SDG 8.7.1 metadata (0.d Series) gives them.
SERIES_DESCRIPTIONS = {
    "SL_TLF_CHLDEC": "Proportion of children engaged in economic activity and household "
    "chores, by sex and age (%)",
    "SL_TLF_CHLDEA": "Proportion of children engaged in economic activity, by sex and age (%)",
}
_SEX = {"_T": "BOTHSEX", "F": "FEMALE", "M": "MALE"}
_AGE = {"Y5T17": "5-17", "Y5T14": "5-14", "Y12T14": "12-14", "Y15T17": "15-17"}
_UNITS = {"PT": "PERCENT"}


def _column(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)


def sdg_csv_frame(observations: SdgObservations) -> pl.DataFrame:
    """The observations in the layout of :data:`SDG_CSV_COLUMNS`."""
    frame = observations.frame
    return frame.select(
        pl.lit("8").alias("Goal"),
        pl.lit("8.7").alias("Target"),
        pl.lit("8.7.1").alias("Indicator"),
        pl.col("SERIES").alias("SeriesCode"),
        pl.col("SERIES").replace_strict(SERIES_DESCRIPTIONS).alias("SeriesDescription"),
        pl.col("REF_AREA").alias("GeoAreaCode"),
        pl.lit(observations.area.name).alias("GeoAreaName"),
        pl.col("TIME_PERIOD").alias("TimePeriod"),
        pl.col("OBS_VALUE").alias("Value"),
        _column(frame, "TIME_DETAIL").alias("Time_Detail"),
        _column(frame, "UPPER_BOUND").alias("UpperBound"),
        _column(frame, "LOWER_BOUND").alias("LowerBound"),
        _column(frame, "BASE_PER").alias("BasePeriod"),
        _column(frame, "SOURCE_DETAIL").alias("Source"),
        _column(frame, "COMMENT_OBS").alias("FootNote"),
        _column(frame, "NATURE").alias("[Nature]"),
        pl.col("OBS_STATUS").alias("[Observation Status]"),
        pl.col("REPORTING_TYPE").alias("[Reporting Type]"),
        pl.col("UNIT_MEASURE").replace_strict(_UNITS).alias("[Units]"),
        pl.col("AGE").replace_strict(_AGE).alias("[Age]"),
        pl.col("SEX").replace_strict(_SEX).alias("[Sex]"),
    )


def write_sdg_csv(observations: SdgObservations, path: Path) -> None:
    """Write :func:`sdg_csv_frame` as UTF-8 CSV, atomically."""
    frame = sdg_csv_frame(observations)
    with atomic_output(path) as temporary:
        frame.write_csv(temporary)

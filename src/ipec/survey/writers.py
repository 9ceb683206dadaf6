"""Write a survey file (Stata, SPSS, CSV or Parquet, by its extension) atomically, keeping the
labels a Stata or SPSS file carries."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ipec.files import atomic_output, table_format
from ipec.survey.readers import SURVEY_FORMATS, FileLabels

__all__ = ["write_survey"]


def write_survey(frame: pl.DataFrame, path: Path, labels: FileLabels | None = None) -> None:
    """Write ``frame`` to ``path`` in the format its extension names (``.zsav`` compressed);
    nothing is left behind if writing fails."""
    kind = table_format(path, formats=SURVEY_FORMATS)
    labels = labels or FileLabels()
    with atomic_output(path) as temporary:
        if kind == "parquet":
            frame.write_parquet(temporary)
        elif kind == "csv":
            frame.write_csv(temporary)
        else:
            import pyreadstat

            columns: dict[str, str | None] = dict(labels.columns)
            values = {name: dict(codes) for name, codes in labels.values.items()}
            if kind == "stata":
                pyreadstat.write_dta(
                    frame, str(temporary), column_labels=columns, variable_value_labels=values
                )
            else:
                pyreadstat.write_sav(
                    frame,
                    str(temporary),
                    column_labels=columns,
                    variable_value_labels=values,
                    compress=path.suffix.lower() == ".zsav",
                )

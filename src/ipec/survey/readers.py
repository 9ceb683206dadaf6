"""Read survey microdata (Stata, SPSS, CSV, Parquet) into Polars, only the columns needed.

Variable names are matched without regard to case (MICS files spell ``PSU`` or ``psu``). Value
labels are kept where the file has them, so a region shows its name rather than its code.
Parquet and CSV are scanned lazily; Stata and SPSS files are read with pyreadstat, column by
needed column.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import polars.selectors as cs

from ipec.errors import DataError
from ipec.rows import first_line

__all__ = ["SURVEY_FORMATS", "FileLabels", "SurveyFile", "open_survey", "read_whole"]

SURVEY_FORMATS = {
    ".dta": "stata",
    ".sav": "spss",
    ".zsav": "spss",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class SurveyFile:
    """An opened survey file: its variables (as spelled in the file) and how to read them."""

    path: Path
    kind: str
    variables: tuple[str, ...]
    row_count: int | None
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    #: The files of a Parquet dataset (a folder, hive-partitioned or not, or a glob); empty for
    #: a single file.
    parts: tuple[Path, ...] = ()

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def partition_columns(self) -> tuple[str, ...]:
        """The variables a hive-partitioned dataset takes from its folder names
        (``round=2/...``): those its files do not hold."""
        if not self.parts or not self.path.is_dir():
            return ()
        held = set(pl.read_parquet_schema(self.parts[0]))
        return tuple(name for name in self.variables if name not in held)

    @property
    def size_bytes(self) -> int:
        """The bytes on disk, of every file of a dataset."""
        return sum(part.stat().st_size for part in self.parts or (self.path,))

    def find(self, name: str) -> str | None:
        """The file's spelling of ``name``: the exact spelling when the file has it, else the
        only match without regard to case; None when absent.

        Two variables that differ only in case (``PSU`` and ``psu``) and neither spelled as
        asked are ambiguous: a DataError names them.
        """
        if name in self.variables:
            return name
        matches = [v for v in self.variables if v.casefold() == name.casefold()]
        if len(matches) > 1:
            raise DataError(
                f"variables {', '.join(matches)} differ only in case; which is {name}?",
                source=self.source,
                hint="rename one of them, or name the exact spelling in the variable map",
            )
        return matches[0] if matches else None

    def read(self, variables: Iterable[str], *, text: Iterable[str] = ()) -> pl.LazyFrame:
        """The named variables (file spellings), lazily where the format allows.

        ``text`` variables of a CSV file are read as text, so codes such as ISIC "0510" keep
        their zeros (numeric codes of other formats are normalised by ``ipec.classify``).
        """
        columns = list(dict.fromkeys(variables))
        as_text = [name for name in text if name in columns]
        try:
            if self.kind == "parquet":
                frame = _scan_parquet(self).select(columns)
            elif self.kind == "csv":
                overrides = dict.fromkeys(as_text, pl.String)
                frame = pl.scan_csv(
                    self.path, infer_schema_length=None, schema_overrides=overrides
                ).select(columns)
            else:
                frame = _read_pyreadstat(self.path, self.kind, columns)[0].lazy()
            # NaN is a missing value, as R's is.na() and Stata's missing: not a number
            # out of range (a CSV "NaN", a float column written by pandas)
            return frame.with_columns(cs.float().fill_nan(None))
        except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
            raise _unreadable(self.path, self.kind, exc) from None


def _unreadable(path: Path, kind: str, exc: BaseException) -> DataError:
    return DataError(
        f"cannot read the {kind} file ({first_line(exc)})",
        source=str(path),
        hint="check that the file is complete and of the type its extension says",
    )


def _read_pyreadstat(path: Path, kind: str, columns: list[str] | None) -> tuple[pl.DataFrame, Any]:
    """The columns (all when None) of a Stata or SPSS file, and its metadata."""
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
    try:
        frame, meta = reader(str(path), usecols=columns, output_format="polars")
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as exc:
        raise _unreadable(path, kind, exc) from None
    if not isinstance(frame, pl.DataFrame):
        frame = pl.DataFrame(frame)
    return (frame if columns is None else frame.select(columns)), meta


@dataclass(frozen=True)
class FileLabels:
    """The variable labels and value labels a Stata or SPSS file carries (none for others)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)


def read_whole(path: str | Path) -> tuple[pl.DataFrame, FileLabels]:
    """Every column of a survey file as it is (a CSV as text, so it is written back
    unchanged) with its labels: for writing the file again with columns added."""
    path = Path(path)
    kind = SURVEY_FORMATS.get(path.suffix.lower(), "")
    try:
        if kind == "parquet":
            return pl.read_parquet(path), FileLabels()
        if kind == "csv":
            return pl.read_csv(path, infer_schema=False), FileLabels()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _unreadable(path, kind, exc) from None
    frame, meta = _read_pyreadstat(path, kind, None)
    columns = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    return frame, FileLabels(columns, dict(meta.variable_value_labels or {}))


def _scan_parquet(file: SurveyFile) -> pl.LazyFrame:
    if not file.parts:
        return pl.scan_parquet(file.path)
    return pl.scan_parquet(list(file.parts), hive_partitioning=file.path.is_dir())


def _dataset_parts(path: Path) -> tuple[Path, ...]:
    """The Parquet files of a folder (searched down, as a hive-partitioned dataset is laid out)
    or of a glob pattern, in name order."""
    if path.is_dir():
        found = sorted(path.rglob("*.parquet"))
    else:
        found = sorted(Path(name) for name in glob.glob(str(path), recursive=True))
    if not found:
        raise DataError(
            "no Parquet files found",
            source=str(path),
            hint="give a .parquet file, a folder of them or a glob such as 'data/*.parquet'",
        )
    return tuple(found)


def _same_schema(parts: tuple[Path, ...]) -> None:
    """Every file of a dataset has the first file's variables and types; the first that does
    not is named with what differs."""
    first = pl.read_parquet_schema(parts[0])
    for part in parts[1:]:
        schema = pl.read_parquet_schema(part)
        if schema == first:
            continue
        missing = sorted(set(first) - set(schema))
        extra = sorted(set(schema) - set(first))
        retyped = sorted(n for n in set(first) & set(schema) if first[n] != schema[n])
        what = "; ".join(
            text
            for text in (
                f"without {', '.join(missing)}" if missing else "",
                f"with {', '.join(extra)} too" if extra else "",
                f"with other types for {', '.join(retyped)}" if retyped else "",
            )
            if text
        )
        raise DataError(
            f"the files of the dataset differ: {part.name} is {what} (against {parts[0].name})",
            source=str(part),
            hint="give every file of a survey the same variables and types",
        )


def _is_dataset(path: Path) -> bool:
    return path.is_dir() or any(mark in str(path) for mark in "*?[")


def open_survey(path: str | Path) -> SurveyFile:
    """Open a survey file, or a Parquet dataset (a folder of files, hive-partitioned or not,
    or a glob pattern): check its type and read its variable names and value labels."""
    path = Path(path)
    if _is_dataset(path):
        parts = _dataset_parts(path)
        _same_schema(parts)
        try:
            names = pl.scan_parquet(list(parts), hive_partitioning=path.is_dir()).collect_schema()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise _unreadable(path, "parquet", exc) from None
        return SurveyFile(path, "parquet", tuple(names.names()), None, parts=parts)
    kind = SURVEY_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"unsupported survey file type '{path.suffix or '(none)'}'",
            source=str(path),
            hint=f"use one of {', '.join(sorted(SURVEY_FORMATS))}",
        )
    if not path.is_file():
        raise DataError("no such file", source=str(path), hint="check the path")
    try:
        if kind == "parquet":
            schema = pl.scan_parquet(path).collect_schema()
            return SurveyFile(path, kind, tuple(schema.names()), None)
        if kind == "csv":
            header = pl.read_csv(path, n_rows=0, infer_schema=False)
            return SurveyFile(path, kind, tuple(header.columns), None)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _unreadable(path, kind, exc) from None
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
    try:
        _, meta = reader(str(path), metadataonly=True, output_format="polars")
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError) as exc:
        raise _unreadable(path, kind, exc) from None
    labels = dict(meta.variable_value_labels or {})
    return SurveyFile(path, kind, tuple(meta.column_names), meta.number_rows, labels)

"""Read and write tabular files (CSV, Parquet) safely.

Reading turns every failure into a :class:`DataError` naming the file. Writing goes to a
temporary file beside the target, flushed to disk, and is renamed into place only when
complete, so a failed run (or a crash) never leaves a half-written output.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from ipec.errors import DataError
from ipec.rows import first_line

__all__ = [
    "TABLE_FORMATS",
    "atomic_output",
    "check_output_path",
    "read_table",
    "table_format",
    "write_table",
]

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path: Path, *, formats: dict[str, str] = TABLE_FORMATS) -> str:
    """The format named by a file's extension, or a DataError listing the ones accepted."""
    kind = formats.get(path.suffix.lower())
    if kind is None:
        accepted = ", ".join(sorted(formats))
        raise DataError(
            f"unsupported file type '{path.suffix or '(none)'}'",
            source=str(path),
            hint=f"use one of {accepted}",
        )
    return kind


def read_table(path: str | Path, *, text_columns: tuple[str, ...] = ()) -> pl.DataFrame:
    """Read a CSV or Parquet file.

    CSV columns are read as text, so that bad values reach validation with their row numbers
    instead of failing type inference; ``text_columns`` are also kept as text in Parquet.
    """
    path = Path(path)
    kind = table_format(path)
    if not path.is_file():
        raise DataError("no such file", source=str(path), hint="check the path")
    try:
        frame = pl.read_csv(path, infer_schema=False) if kind == "csv" else pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise DataError(
            f"cannot read the {kind.upper()} file ({first_line(exc)})",
            source=str(path),
            hint=f"check that the file is a complete {kind.upper()} file",
        ) from None
    present = [column for column in text_columns if column in frame.columns]
    return frame.with_columns(pl.col(present).cast(pl.String)) if present else frame


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def check_output_path(target: Path) -> None:
    """Refuse, before any work, an output that is a folder or whose folder does not exist."""
    if target.is_dir():
        raise DataError("the output is a folder, not a file", source=str(target))
    if not target.parent.is_dir():
        raise DataError("the output folder does not exist", source=str(target))


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    target = Path(path)
    check_output_path(target)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=target.parent
        )
    except OSError as exc:
        raise DataError(f"cannot write here ({exc.strerror})", source=str(target)) from None
    os.close(handle)
    Path(temporary).chmod(0o666 & ~_umask())
    try:
        yield Path(temporary)
        try:
            with Path(temporary).open("rb+") as written:
                os.fsync(written.fileno())
            Path(temporary).replace(target)
        except OSError as exc:
            raise DataError(f"cannot write the file ({exc.strerror})", source=str(target)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()


def write_table(frame: pl.DataFrame, path: str | Path) -> None:
    """Write CSV or Parquet by extension, atomically."""
    target = Path(path)
    writers: dict[str, Callable[[Path], None]] = {
        "csv": frame.write_csv,
        "parquet": frame.write_parquet,
    }
    writer = writers[table_format(target)]
    with atomic_output(target) as temporary:
        writer(temporary)

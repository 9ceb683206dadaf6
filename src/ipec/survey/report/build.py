"""Build a report file from a survey: check every input first, then compute, render, write."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from ipec.classify import resolve_profile
from ipec.errors import DataError
from ipec.files import atomic_output, check_output_path
from ipec.survey.analysis import EstimateOptions
from ipec.survey.design import LonelyPsu
from ipec.survey.pipeline import open_mapped
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
) -> Path:
    """Write the report of ``file`` to ``output`` (.html); nothing is written on error.

    The profile, every compared profile, the language and the output path are checked before
    the survey is read, so a typo costs nothing. ``normalise_weights``: scale the weights to
    sum to the number of cases, as MICS tabulations do (counts become sample counts).
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
    mapped = open_mapped(file, survey_map, lonely_psu=lonely_psu)
    content = build_content(mapped, rules, compare=compared, options=options,
                            population=population, normalise=normalise_weights)  # fmt: skip
    page = render_report(content, mapped, text)
    with atomic_output(target) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return target

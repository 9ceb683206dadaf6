"""Turn the report's content into one self-contained HTML page (Jinja2, autoescaped).

Everything the page needs is inside it: styles inline, charts as SVG, no script, no font or
image to fetch, so it opens offline, on a phone, and prints to PDF.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jinja2
import polars as pl

from ipec import __version__
from ipec.standards import Profile
from ipec.survey.design import ReplicateDesign
from ipec.survey.flags import display_flag
from ipec.survey.mapping import MappedSurvey
from ipec.survey.output import Grid, display_grid
from ipec.survey.report import charts
from ipec.survey.report.content import ReportContent, hours_thresholds
from ipec.survey.report.i18n import Text
from ipec.survey.report.region_map import region_map_chart
from ipec.survey.tables import STANDARD_TABLES, TOTAL_COLUMN, TableNote

__all__ = ["render_report"]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ipec.survey.report", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _rules(profile: Profile, text: Text) -> list[str]:
    """The profile's thresholds as sentences."""
    ages, economic, op = profile.ages, profile.economic, profile.operator
    rules: list[str] = []
    below = economic.below_light_work_hours
    if below == "any":
        rules.append(text.section("rules", "below_light_any", age=ages.light_work))
    else:
        rules.append(text.section("rules", "below_light", age=ages.light_work, hours=f"{below:g}"))
    limit = economic.light_work_max_hours
    if limit is not None and ages.light_work < ages.minimum:
        rules.append(
            text.section(
                "rules", "light", low=ages.light_work, high=ages.minimum - 1, hours=f"{limit:g}"
            )
        )
    if economic.long_hours is not None:
        rules.append(
            text.section(
                "rules", "long_hours", age=ages.hazardous, hours=f"{economic.long_hours:g}"
            )
        )
    hazards = profile.hazards
    if hazards.industries:
        rules.append(text.section("rules", "industries", codes=", ".join(hazards.industries)))
    if hazards.occupations:
        rules.append(text.section("rules", "occupations", codes=", ".join(hazards.occupations)))
    if hazards.conditions:
        names = ", ".join(text.condition(c).lower() for c in hazards.conditions)
        rules.append(text.section("rules", "conditions", conditions=names))
    else:
        rules.append(text.section("rules", "no_conditions"))
    if hazards.national:
        tasks = "; ".join(
            f"{item.label.text(text.lang)} ({item.ages.label()})" for item in hazards.national
        )
        rules.append(text.section("rules", "national", tasks=tasks))
    if profile.chores.counted:
        for band in profile.chores.bands:
            rules.append(
                text.section(
                    "rules",
                    "chores",
                    low=band.ages.min,
                    high=band.ages.max,
                    hours=f"{band.hours:g}",
                )
            )
    else:
        rules.append(text.section("rules", "no_chores"))
    if ages.hazardous_with_safeguards is not None:
        rules.append(text.section("rules", "exception", age=ages.hazardous_with_safeguards))
    rules.append(text.section("rules", "operator_ge" if op.value == ">=" else "operator_gt"))
    return rules


def _headline(content: ReportContent, text: Text) -> list[dict[str, Any]]:
    """One card per series: the total with its interval and the breakdown rows."""
    cards = []
    titles = {"sdg-8.7.1": text("series_chores"), "sdg-8.7.1-econ": text("series_econ")}
    level = round(100 * content.options.level)
    for profile_id, part in content.headline.group_by("profile", maintain_order=True):
        name = str(profile_id[0])
        total = part.filter(pl.col("by") == "total").row(0, named=True)
        base = content.population or total["n_weighted"]
        rows = [
            {
                "group": text.domain(r["by"]),
                "label": text.level(r["level"]),
                "value": text.percent(r["estimate"]),
                "interval": text(
                    "interval", low=text.percent(r["ci_low"]), high=text.percent(r["ci_high"])
                ),
                "flag": display_flag(r["flag"]),
            }
            for r in part.filter(
                (pl.col("by") != "total")
                & ~((pl.col("by") == "age_band") & (pl.col("level") != "5-14"))
            ).iter_rows(named=True)
        ]
        basis = (
            text("count_basis_population", population=text.count(content.population))
            if content.population
            else text("count_basis_weighted")
        )
        cards.append(
            {
                "id": name,
                "title": titles.get(name, text("chosen_profile", title=content.profile.title)),
                "value": text.percent(total["estimate"]),
                "estimate": total["estimate"],
                "interval": text(
                    "interval",
                    low=text.percent(total["ci_low"]),
                    high=text.percent(total["ci_high"]),
                ),
                "count": text("children_in_cl", count=text.count(total["estimate"] * base)),
                "basis": basis,
                "rows": rows,
                "level": level,
            }
        )
    return cards


_SERIES_KEYS = {"sdg-8.7.1": "series_chores", "sdg-8.7.1-econ": "series_econ"}


def _domain_name(name: str, text: Text, mapped: MappedSurvey) -> str:
    """A breakdown's name: the report's word for it, else the map's label."""
    known = text.catalog.get("domains", {})
    return str(known[name]) if name in known else mapped.domain_labels.get(name, name)


def _note(note: TableNote, text: Text) -> str:
    """A table footnote in the report's language."""
    return text.section(
        "table_notes",
        note.key,
        column=text.indicator(note.column),
        reason=text.section("note_reasons", note.reason),
        count=text.count(note.count),
    )


def _headers(grid: Grid, text: Text) -> tuple[list[str], list[dict[str, Any]]]:
    """The label of each column, and the age groups above them (none for a table without)."""
    headers = []
    for key in grid.columns:
        indicator = key[1] if grid.series else key[0]
        label = text.indicator(indicator)
        if grid.series:
            series = _SERIES_KEYS.get(key[0])
            named = text(series) if series else key[0]
            label = text("table_series", indicator=label, series=named)
        headers.append(label)
    groups = []
    for column, span in grid.column_groups() if grid.has_age_columns else []:
        which = "table_all_ages" if column == TOTAL_COLUMN else "table_ages"
        groups.append({"label": text(which, ages=column), "span": span})
    return headers, groups


def _count(value: float | None, text: Text) -> str:
    return text.count(value) if value is not None and math.isfinite(value) else ""


def _tables(content: ReportContent, text: Text, mapped: MappedSurvey) -> list[dict[str, Any]]:
    out = []
    for spec in STANDARD_TABLES:
        part = content.tables.filter(pl.col("table") == spec.id)
        if part.is_empty():
            continue
        grid = display_grid(part)
        headers, groups = _headers(grid, text)
        rows = []
        for row in grid.rows:
            if row.heading:
                name = " x ".join(_domain_name(p, text, mapped) for p in row.by.split("*"))
                rows.append(
                    {"heading": True, "label": name, "cells": [], "count": "", "unweighted": ""}
                )
            else:
                label = (
                    text("total")
                    if row.by == "total"
                    else " / ".join(text.level(part) for part in row.level.split("*"))
                )
                rows.append(
                    {
                        "heading": False,
                        "label": label,
                        "cells": list(row.cells),
                        "count": _count(row.weighted, text),
                        "unweighted": _count(row.unweighted, text),
                    }
                )
        out.append(
            {
                "id": spec.id,
                "label": spec.display,
                "title": text.section("table_titles", spec.id),
                "headers": headers,
                "groups": groups,
                "rows": rows,
                "notes": [_note(note, text) for note in content.notes.get(spec.id, ())],
            }
        )
    return out


def _quality(content: ReportContent, text: Text, mapped: MappedSurvey) -> list[str]:
    report = mapped.report
    lines = [
        text(
            "quality_rows",
            in_file=text.count(report.rows_in_file),
            not_completed=text.count(report.rows_not_completed),
            zero_weight=text.count(report.rows_zero_weight),
        ),
        text(
            "quality_mapped",
            mapped=", ".join(f"{name} ({', '.join(v)})" for name, v in report.mapped.items()),
        ),
    ]
    if report.missing:
        lines.append(
            text(
                "quality_missing",
                missing=", ".join(f"{name} ({', '.join(v)})" for name, v in report.missing.items()),
            )
        )
    for column, (unknown, reported) in content.unknown_hours.items():
        if reported:
            share = f"{text.percent(unknown / reported)} %"
            lines.append(text("quality_unknown", share=share, activity=text(f"activity_{column}")))
    count, weighted = content.undetermined
    lines.append(
        text(
            "quality_undetermined",
            count=text.count(count),
            weighted=text.count(weighted),
            profile=content.profile.id,
        )
    )
    suppressed, cells = content.suppressed
    lines.append(
        text("quality_suppressed", suppressed=text.count(suppressed), cells=text.count(cells))
    )
    lines += [text("quality_warning", warning=warning) for warning in report.warnings]
    return lines


def _charts(
    content: ReportContent,
    text: Text,
    mapped: MappedSurvey,
    boundaries: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    thresholds = hours_thresholds(content.profile)
    # the conditions' names in Python, not a Python function called by Polars' threads
    names = [text.condition(name) for name in content.hazards["indicator"]]
    hazards = content.hazards.with_columns(pl.Series("level", names, dtype=pl.String))
    # each profile by its name, not its id
    named = {p.id: p.title for p in (content.profile, *content.compared)}
    named |= {key: text(series) for key, series in _SERIES_KEYS.items()}
    comparison = content.comparison.filter(pl.col("by") == "total")
    comparison = comparison.with_columns(
        pl.Series("level", [named.get(p, p) for p in comparison["profile"]], dtype=pl.String)
    )
    drawn = {
        "age-sex": charts.age_sex_chart(content.by_age_sex, text, text("chart_age_sex")),
        "hours": charts.hours_chart(
            content.economic_hours, thresholds["economic"], text, text("chart_hours")
        ),
        "chores": charts.hours_chart(
            content.chores_hours, thresholds["chores"], text, text("chart_chores")
        ),
        "hazards": charts.bars_with_intervals(
            [("", hazards)], text, text("chart_hazards"), text("axis_share_working")
        ),
        "compare": charts.bars_with_intervals(
            [("", comparison)], text, text("chart_compare"), text("axis_share")
        ),
    }
    # drawn last: its numbers come from the standard tables, which may still be computing
    drawn["region"] = charts.bars_with_intervals(
        [(text.domain("region"), content.by_region), (text.domain("area"), content.by_area)],
        text,
        text("chart_region"),
        text("axis_share"),
    )
    out = []
    for anchor in ("age-sex", "region", "hours", "chores", "hazards", "compare"):
        key, svg = f"chart_{anchor.replace('-', '_')}", drawn[anchor]
        note = (
            text("no_chores") if anchor == "chores" and not content.profile.chores.counted else ""
        )
        out.append(
            {
                "id": anchor,
                "title": text(key),
                "description": text(f"{key}_desc"),
                "svg": svg,
                "note": note,
                "empty": text("no_data"),
            }
        )
        if anchor == "region" and boundaries is not None:
            out.append(region_map_chart(content.by_region, boundaries, text))
    return out


def _design_texts(
    content: ReportContent, mapped: MappedSurvey, text: Text, level: int
) -> dict[str, str]:
    """The design and interval paragraphs of the methodology."""
    design, facts = mapped.design, content.design
    interval = text(f"method_interval_{content.options.ci}", level=level)
    if isinstance(design, ReplicateDesign):
        return {
            "design_text": text("method_replicate_text", rows=text.count(facts["rows"]),
                                replicates=facts["replicates"], type=design.type,
                                df=text.count(facts["df"])),
            "no_strata": "",
            "interval_text": interval,
            "lonely_text": "",
        }  # fmt: skip
    return {
        "design_text": text(
            "method_design_text",
            rows=text.count(facts["rows"]),
            psus=text.count(facts.get("psus", facts["rows"])),
            strata=text.count(facts.get("strata", 1)),
            df=text.count(facts["df"]),
        ),
        "no_strata": text("method_no_strata") if design.strata is None else "",
        "interval_text": interval,
        "lonely_text": text("method_lonely", policy=text.section("lonely", design.lonely_psu)),
    }


def render_report(
    content: ReportContent,
    mapped: MappedSurvey,
    text: Text,
    boundaries: Mapping[str, str] | None = None,
) -> str:
    """The whole report as one HTML document (with a map of the regions when given their
    boundaries, by code)."""
    options = content.options
    level = round(100 * options.level)
    flags = options.flags
    page = {
        "lang": text.lang,
        "title": text("title"),
        "generated": text(
            "generated",
            version=__version__,
            source=mapped.source,
            profile=content.profile.id,
            profile_version=content.profile.version,
        ),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "headline": _headline(content, text),
        "headline_intro": text("headline_intro", level=level),
        "charts": _charts(content, text, mapped, boundaries),
        "tables": _tables(content, text, mapped),
        "tables_intro": text(
            "tables_intro", suppress=flags.suppress, parenthesise_last=flags.parenthesise - 1
        ),
        "rules": _rules(content.profile, text),
        "profile": content.profile,
        **_design_texts(content, mapped, text, level),
        "quality": _quality(content, text, mapped),
        "t": text,
    }
    return _environment().get_template("report.html.j2").render(**page)

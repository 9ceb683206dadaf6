"""A synthetic survey shaped like a MICS6 "children age 5-17" file, of any size.

For demos, tests and benchmarks: the variables, codes and skips of the real questionnaire
(``mics6`` map), a stratified two-stage design (regions x urban/rural x sub-strata, clusters of
about 20 children), and patterns close to published MICS results: economic activity rising with
age, more common in rural areas and poorer households, girls doing more household chores, and
clusters that differ (so design effects are well above 1). Nothing here is real data.

:data:`SYNTH_LABELS` holds the value and variable labels a MICS file carries (invented region
names, the levels of mother's education, yes/no codes), written into the Stata and SPSS files
``ipec survey synth`` makes, so that tables show labels where the map gives none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError
from ipec.survey.readers import FileLabels

__all__ = ["SYNTH_LABELS", "SynthDesign", "synthetic_mics5", "synthetic_mics6"]

FloatArray = npt.NDArray[np.float64]
_REGIONS = 10
_REGION_NAMES = (
    *("Capital", "Central", "Coast", "East", "Highlands"),
    *("Lakes", "North", "Savannah", "South", "West"),
)
_YES_NO = {1: "Yes", 2: "No", 9: "No response"}
_FLAGS = (
    *("CL1A", "CL1B", "CL1C", "CL1X", "CL4", "CL5"),
    *(f"CL6{item}" for item in "ABCDEX"),
    *("CL7", "CL9"),
    *(f"CL11{item}" for item in "ABCDEFX"),
)
#: The labels of the synthetic survey's variables and codes, as a MICS6 file has them.
SYNTH_LABELS = FileLabels(
    columns={
        "HH1": "Cluster number",
        "PSU": "Primary sampling unit",
        "stratum": "Stratum",
        "HH6": "Area",
        "HH7": "Region",
        "HL4": "Sex",
        "FS17": "Result of interview for children age 5-17",
        "fsweight": "Children age 5-17 sample weight",
        "CB3": "Age of child",
        "CB7": "Attended school during current school year",
        "melevel": "Mother's education",
        "windex5": "Wealth index quintile",
        "fsdisability": "Child's functional difficulties",
        "CL3": "Hours of economic activity in the last week",
        "CL13": "Hours of household chores in the last week",
    },
    values={
        "HH6": {1: "Urban", 2: "Rural"},
        "HH7": dict(enumerate(_REGION_NAMES, start=1)),
        "HL4": {1: "Male", 2: "Female"},
        "FS17": {
            1: "Completed",
            2: "Not at home",
            3: "Refused",
            4: "Partly completed",
            5: "Incapacitated",
            6: "No adult consent",
            96: "Other",
        },
        "CB7": {1: "Yes", 2: "No"},
        "melevel": {
            0: "None or pre-primary",
            1: "Primary",
            2: "Lower secondary",
            3: "Upper secondary or higher",
        },
        "windex5": {1: "Poorest", 2: "Second", 3: "Middle", 4: "Fourth", 5: "Richest"},
        "fsdisability": {1: "Has functional difficulty", 2: "Has no functional difficulty"},
        **dict.fromkeys(_FLAGS, _YES_NO),
    },
)


@dataclass(frozen=True, slots=True)
class SynthDesign:
    """The size and design of a synthetic survey."""

    children: int
    strata: int
    clusters: int
    seed: int = 2019

    @classmethod
    def for_size(cls, children: int, seed: int = 2019) -> SynthDesign:
        """About 100 children per cluster and 20 clusters per stratum, capped at 500 strata."""
        if children < 100:
            raise DataError(
                f"a synthetic survey needs at least 100 children, got {children}",
                hint="ask for more children",
            )
        clusters = max(40, children // 100)
        strata = max(2 * _REGIONS, min(500, clusters // 20))
        strata -= strata % (2 * _REGIONS)
        return cls(children, strata, clusters, seed)


def _logistic(x: npt.NDArray[np.floating[Any]]) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def _yes_no(rng: np.random.Generator, p: FloatArray) -> npt.NDArray[np.int8]:
    return np.where(rng.random(p.size) < p, 1, 2).astype(np.int8)


def _hours(rng: np.random.Generator, shape: float, scale: FloatArray, cap: int) -> FloatArray:
    out: FloatArray = np.minimum(np.round(rng.gamma(shape, scale)), cap)
    return out


def _masked(values: npt.NDArray[np.generic], when: npt.NDArray[np.bool_]) -> pl.Series:
    """Values where the question was asked, missing elsewhere (the questionnaire's skips)."""
    dtype = pl.Series(values[:1]).dtype
    return pl.Series(np.where(when, values, np.nan)).fill_nan(None).cast(dtype)


@dataclass(frozen=True, slots=True)
class _Household:
    """Design and background of each child, and the shared drivers of work."""

    cluster: npt.NDArray[np.int64]
    stratum: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    rural: npt.NDArray[np.bool_]
    age: npt.NDArray[np.int16]
    female: npt.NDArray[np.bool_]
    quintile: npt.NDArray[np.int8]
    base: FloatArray
    cluster_effect: FloatArray
    asked: npt.NDArray[np.bool_]


def _households(rng: np.random.Generator, design: SynthDesign) -> _Household:
    n, n_strata, n_clusters = design.children, design.strata, design.clusters
    stratum_of_cluster = np.arange(n_clusters) * n_strata // n_clusters
    cluster = np.sort(rng.integers(0, n_clusters, n))
    cluster[:n_clusters] = np.arange(n_clusters)
    cluster.sort()
    stratum = stratum_of_cluster[cluster]
    region = stratum % _REGIONS + 1
    rural = (stratum // _REGIONS) % 2 == 1
    cluster_effect = rng.normal(0.0, 0.55, n_clusters)[cluster]
    region_effect = np.linspace(-0.6, 0.7, _REGIONS)[region - 1]
    quintile = np.clip(
        np.round(3 + rng.normal(0, 1.2, n) - 1.1 * rural + 0.3 * region_effect), 1, 5
    ).astype(np.int8)
    base = region_effect + cluster_effect + 0.9 * rural + (3 - quintile) * 0.25
    return _Household(
        cluster=cluster,
        stratum=stratum,
        region=region,
        rural=rural,
        age=rng.integers(5, 18, n).astype(np.int16),
        female=rng.random(n) < 0.49,
        quintile=quintile,
        base=base,
        cluster_effect=cluster_effect,
        asked=rng.random(n) < 0.985,
    )


def _economic_activity(rng: np.random.Generator, h: _Household) -> dict[str, pl.Series]:
    """CL1A-CL1X, CL3 and the hazard items CL4-CL6X (asked only of working children)."""
    n = h.age.size
    working = rng.random(n) < _logistic(-2.4 + 0.13 * (h.age - 5) + h.base - 0.15 * h.female)
    items = {
        name: np.where(working & (rng.random(n) < share), 1, 2).astype(np.int8)
        for name, share in (("CL1A", 0.75), ("CL1B", 0.35), ("CL1C", 0.2), ("CL1X", 0.15))
    }
    none_marked = working & (items["CL1A"] == 2) & (items["CL1B"] == 2) & (items["CL1C"] == 2)
    items["CL1A"] = np.where(none_marked, 1, items["CL1A"]).astype(np.int8)
    scale = np.where(h.age < 12, 3.0, np.where(h.age < 15, 5.5, 9.0)) * np.exp(0.3 * h.base)
    hours = _hours(rng, 1.6, scale, 90)
    hours[rng.random(n) < 0.02] = 98
    columns = {name: _masked(values, h.asked) for name, values in items.items()}
    columns["CL3"] = _masked(hours.astype(np.int16), h.asked & working)
    hazard_p = _logistic(-1.3 + 0.08 * (h.age - 5) + 0.5 * h.rural + 0.3 * h.cluster_effect)
    for name, share in (("CL4", 0.45), ("CL5", 0.4), ("CL6A", 0.35), ("CL6B", 0.4),
                        ("CL6C", 0.1), ("CL6D", 0.08), ("CL6E", 0.07), ("CL6X", 0.1)):  # fmt: skip
        exposed = _yes_no(rng, np.clip(hazard_p * share * 2, 0, 0.95))
        columns[name] = _masked(exposed, h.asked & working)
    columns["CB7"] = _masked(
        _yes_no(rng, _logistic(2.2 - 0.12 * (h.age - 5) - 0.8 * working)), h.asked
    )
    return columns


def _household_chores(rng: np.random.Generator, h: _Household) -> dict[str, pl.Series]:
    """CL7-CL10 (water, firewood) and CL11A-CL11X, CL13 (chores)."""
    n = h.age.size
    water = rng.random(n) < _logistic(-0.3 + 0.8 * h.rural + 0.2 * h.female)
    firewood = rng.random(n) < _logistic(-1.6 + 1.2 * h.rural)
    chores_any = rng.random(n) < _logistic(0.6 + 0.1 * (h.age - 5) + 0.5 * h.female + 0.3 * h.rural)
    chores_hours = _hours(rng, 1.8, 4.0 + 3.0 * h.female + 0.25 * (h.age - 5), 80)
    chores_hours[rng.random(n) < 0.01] = 98
    columns = {
        "CL7": _masked(np.where(water, 1, 2).astype(np.int8), h.asked),
        "CL8": _masked(_hours(rng, 1.3, np.full(n, 2.5), 40).astype(np.int16), h.asked & water),
        "CL9": _masked(np.where(firewood, 1, 2).astype(np.int8), h.asked),
        "CL10": _masked(_hours(rng, 1.3, np.full(n, 2.0), 40).astype(np.int16), h.asked & firewood),
    }
    marked = np.zeros(n, dtype=np.bool_)
    for letter, share in zip("ABCDEFX", (0.3, 0.3, 0.6, 0.55, 0.25, 0.05, 0.1), strict=True):
        item = chores_any & (rng.random(n) < share + 0.2)
        marked |= item
        columns[f"CL11{letter}"] = _masked(np.where(item, 1, 2).astype(np.int8), h.asked)
    columns["CL13"] = _masked(chores_hours.astype(np.int16), h.asked & marked)
    return columns


def synthetic_mics6(design: SynthDesign) -> pl.DataFrame:
    """Generate the survey. Deterministic for a given design (seed included)."""
    rng = np.random.default_rng(design.seed)
    h = _households(rng, design)
    n = design.children
    completed = np.where(h.asked, 1, rng.choice([2, 3, 4, 5, 6, 96], n)).astype(np.int8)
    stratum_weight = rng.uniform(0.4, 2.5, design.strata)[h.stratum]
    weight = np.where(h.asked, stratum_weight * rng.uniform(0.8, 1.25, n), 0.0)
    cluster_id = (h.cluster + 1).astype(np.int32)
    columns: dict[str, pl.Series | npt.NDArray[np.generic]] = {
        "HH1": cluster_id,
        "PSU": cluster_id,
        "stratum": (h.stratum + 1).astype(np.int16),
        "HH6": np.where(h.rural, 2, 1).astype(np.int8),
        "HH7": h.region.astype(np.int8),
        "HL4": np.where(h.female, 2, 1).astype(np.int8),
        "FS17": completed,
        "fsweight": weight,
        "CB3": _masked(h.age, h.asked),
        "melevel": _masked(
            np.clip(h.quintile - 1 + rng.integers(-1, 2, n), 0, 3).astype(np.int8), h.asked
        ),
        "windex5": h.quintile,
        "fsdisability": _masked(_yes_no(rng, np.full(n, 0.12)), h.asked),
        **_economic_activity(rng, h),
        **_household_chores(rng, h),
    }
    return pl.DataFrame(columns)


#: MICS6 "children age 5-17" variables and their MICS5 household-members (hl) names.
_MICS5_NAMES = {
    "CB3": "HL6",
    "CB7": "ED5",
    "CL1A": "CL2A",
    "CL1B": "CL2B",
    "CL1C": "CL2C",
    "CL1X": "CL2D",
    "CL3": "CL4",
    "CL4": "CL5",
    "CL5": "CL6",
    **{f"CL6{item}": f"CL7{item}" for item in "ABCDE"},
    "CL6X": "CL7F",
    **{f"CL11{item}": f"CL10{item}" for item in "ABCDEF"},
    "CL11X": "CL10G",
    "CL13": "CL12",
}
_CHILDREN_PER_HOUSEHOLD = 2


def synthetic_mics5(design: SynthDesign) -> pl.DataFrame:
    """The synthetic survey as a MICS5 household members file (``hl``, map ``mics5``).

    The completed interviews of :func:`synthetic_mics6` become the children aged 5-17 of
    households of two, with the MICS5 names of the child labour module (CL2A-CL12; fetching
    water and collecting firewood in one question, CL8/CL9) and household keys HH1 and HH2;
    each household has one adult (line 1, aged 18-60, no child labour module), one weight
    ``hhweight`` and one wealth quintile. No stratum variable: MICS5 files often have none
    (the map falls back on the region). Deterministic for a given design.
    """
    rng = np.random.default_rng(design.seed + 5)
    source = synthetic_mics6(design).filter(pl.col("FS17") == 1)
    water_or_wood = (pl.col("CL7") == 1) | (pl.col("CL9") == 1)
    asked = pl.col("CL7").is_not_null() | pl.col("CL9").is_not_null()
    wood_hours = pl.sum_horizontal(pl.col("CL8").fill_null(0), pl.col("CL10").fill_null(0))
    per_cluster = pl.int_range(pl.len()).over("HH1")
    children = source.with_columns(
        pl.when(water_or_wood).then(1).when(asked).then(2).cast(pl.Int8).alias("CL8"),
        pl.when(water_or_wood).then(wood_hours).cast(pl.Int16).alias("CL9"),
        (per_cluster // _CHILDREN_PER_HOUSEHOLD + 1).cast(pl.Int32).alias("HH2"),
        (per_cluster % _CHILDREN_PER_HOUSEHOLD + 2).cast(pl.Int8).alias("HL1"),
    ).drop("CL7", "CL10", "PSU", "stratum", "FS17", "fsdisability")
    children = children.rename(_MICS5_NAMES).with_columns(
        pl.col("fsweight").first().over("HH1", "HH2").alias("hhweight"),
        pl.col("windex5").first().over("HH1", "HH2"),  # a household's wealth, one quintile
    )
    households = children.group_by("HH1", "HH2", maintain_order=True).agg(
        pl.col("HH6", "HH7", "windex5", "melevel", "hhweight").first()
    )
    adults = households.with_columns(
        pl.lit(1, dtype=pl.Int8).alias("HL1"),
        pl.Series("HL6", rng.integers(18, 61, households.height), dtype=pl.Int16),
        pl.Series("HL4", rng.integers(1, 3, households.height), dtype=pl.Int8),
    )
    people = pl.concat([adults, children.drop("fsweight")], how="diagonal_relaxed")
    leading = ["HH1", "HH2", "HL1", "HL4", "HL6", "HH6", "HH7", "hhweight"]
    return people.sort("HH1", "HH2", "HL1").select(*leading, pl.exclude(leading))

"""What a monitor records of a child at a visit: work, hours, chores and hazards by age.

The shares and hours are invented but shaped like household survey data in cocoa-growing
areas: the younger the child, the fewer work and the fewer hours (5-11 mostly a few hours a
week, 12-14 more, 15-17 the longest), with a cap per age band so that no record is absurd;
chores likewise; hours of ten or more are often reported rounded to five, as in surveys. A
working child does one kind of work at a time (light tasks, carrying, the harvest, clearing
land, spraying; the older, the heavier) and is exposed to the hazards that work brings, from
the record's form (the R190 conditions and the profile's national list,
:func:`ipec.classify.hazard_columns`): so heavy loads, machetes (harvesting, pod breaking,
clearing) and spraying come first. Flags of a child who does not work are left empty (the
form does not ask them).

Routine visits draw from these shares (:func:`routine_records`); the visits of a case follow
its story (:func:`follow_up_records`): in child labour, or out of it (not working, or
permitted work), as the story says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ipec.classify import hazard_columns
from ipec.standards import Profile

__all__ = ["AGE_BANDS", "Work", "follow_up_records", "routine_records"]

Array = np.ndarray[Any, Any]

#: Age bands (first age, last age): 5-11, 12-14, 15-17.
AGE_BANDS = ((5, 11), (12, 14), (15, 17))
#: Per band: the share of children who work at a visit, the typical weekly hours of those
#: who do, and the most hours recorded.
_WORKING = (0.17, 0.45, 0.55)
_HOURS = (4.0, 9.0, 16.0)
_HOURS_CAP = (20, 32, 50)
#: Per band: the share doing household chores, their typical and most weekly hours.
_CHORES = (0.70, 0.85, 0.85)
_CHORES_HOURS = (5.0, 8.0, 9.0)
_CHORES_CAP = (21, 28, 30)
#: The share of reported hours of ten or more rounded to a multiple of five.
_HEAPED = 0.5
#: The kinds of work a working child does, with their shares per band (5-11, 12-14, 15-17)
#: and the chance of each hazard of the form that kind of work brings.
_KINDS: tuple[tuple[str, tuple[float, float, float], dict[str, float]], ...] = (
    ("light tasks", (0.62, 0.40, 0.27), {}),
    ("carrying", (0.22, 0.20, 0.15), {"haz_heavy_loads": 0.9}),
    ("harvest", (0.11, 0.26, 0.28),
     {"haz_machete_harvest": 0.6, "haz_pod_breaking": 0.7, "haz_dangerous_tools": 0.6,
      "haz_heavy_loads": 0.5}),
    ("clearing", (0.03, 0.09, 0.18),
     {"haz_land_clearing": 0.8, "haz_dangerous_tools": 0.6, "haz_digging_holes": 0.3,
      "haz_field_burning": 0.2, "haz_tree_felling": 0.15, "haz_extreme_temperature": 0.2}),
    ("spraying", (0.02, 0.05, 0.12),
     {"haz_spraying": 0.8, "haz_chemicals": 0.8, "haz_dust_fumes": 0.2}),
)  # fmt: skip
#: Hazards of any kind of work, rarely: (flag, chance).
_RARE = {"haz_heights": 0.01, "haz_night_work": 0.01, "haz_abuse": 0.005}
#: The chance of each task of a national list other than the cocoa sector's.
_OTHER_TASK = 0.03
#: A working child's risk of a worst form other than hazardous work (trafficking, forced
#: labour), at a routine visit.
_WORST_FORM = 0.01
#: Hazards forced on a child aged 15-17 a case's story keeps in child labour (one of them).
_FORCED = ("haz_heavy_loads", "haz_dangerous_tools")
#: The record's columns asked at every visit, and those asked of a working child only.
_ACTIVITY = ("age", "econ_any", "econ_hours", "chores_any", "chores_hours")
_ASKED_OF_WORKERS = ("wfcl_other",)


def _band(ages: Array) -> Array:
    """0, 1 or 2: the band of each age (5-11, 12-14, 15-17)."""
    return np.searchsorted(np.array([12, 15]), ages, side="right")


def _pick(values: tuple[float, ...] | tuple[int, ...], bands: Array) -> Array:
    return np.asarray(values)[bands]


class Work:
    """The record's columns under a profile, and the generator of their values."""

    def __init__(self, profile: Profile) -> None:
        self.hazards = hazard_columns(profile)
        #: The record's columns, in the order they are stored: what every visit asks, then
        #: what is asked of a working child.
        self.columns = (*_ACTIVITY, *_ASKED_OF_WORKERS, *self.hazards)
        known = {name for _, _, hazards in _KINDS for name in hazards} | set(_RARE)
        other = {item.column for item in profile.hazards.national} - known
        #: Per kind of work, the chance of each hazard of the form.
        self.exposure = np.array(
            [[hazards.get(name, _RARE.get(name, _OTHER_TASK if name in other else 0.0))
              for name in self.hazards] for _, _, hazards in _KINDS]
        )  # fmt: skip
        self.kinds = np.array([shares for _, shares, _ in _KINDS])

    def frame(
        self,
        rng: np.random.Generator,
        ages: Array,
        working: Array,
        hours: Array,
        chores_cap: Array | None = None,
        *,
        exposed: bool = True,
        worst_form: Array | None = None,
    ) -> pl.DataFrame:
        """Records of children aged ``ages``: ``working`` with ``hours``, chores drawn by age
        (at most ``chores_cap`` hours), hazards drawn for the working when ``exposed``."""
        n = ages.size
        bands = _band(ages)
        chores = rng.random(n) < _pick(_CHORES, bands)
        chores_hours = np.clip(
            _heaped(rng, _pick(_CHORES_HOURS, bands) * rng.lognormal(0.0, 0.5, n)),
            1,
            _pick(_CHORES_CAP, bands) if chores_cap is None else chores_cap,
        )
        columns: dict[str, Any] = {
            "age": ages,
            "econ_any": working,
            "econ_hours": pl.Series(np.where(working, hours, np.nan)).fill_nan(None),
            "chores_any": chores,
            "chores_hours": pl.Series(np.where(chores, chores_hours, np.nan)).fill_nan(None),
            "wfcl_other": self._flag(
                working, np.zeros(n, bool) if worst_form is None else worst_form
            ),
        }
        # The kind of work of each child, by its band's shares, then that work's hazards.
        edges = np.cumsum(self.kinds[:, bands], axis=0)
        kind = np.minimum((rng.random(n)[None, :] >= edges).sum(axis=0), len(_KINDS) - 1)
        drawn = rng.random((n, len(self.hazards))) < self.exposure[kind]
        if not exposed:
            drawn[:] = False
        for index, name in enumerate(self.hazards):
            columns[name] = self._flag(working, drawn[:, index])
        return pl.DataFrame(columns)

    def json(self, records: pl.DataFrame) -> pl.Series:
        """Each record as the JSON a visit stores: the questions of every visit, and those
        asked of a working child when it works (the form skips them otherwise)."""
        numbered = records.with_row_index("order")
        works = pl.col("econ_any")
        encoded = pl.concat([
            numbered.filter(works).select(
                "order", record=pl.struct(*self.columns).struct.json_encode()
            ),
            numbered.filter(~works).select(
                "order", record=pl.struct(*_ACTIVITY).struct.json_encode()
            ),
        ])  # fmt: skip
        return encoded.sort("order")["record"]

    @staticmethod
    def _flag(working: Array, values: Array) -> pl.Series:
        """A flag asked of working children only (empty for the others)."""
        return pl.Series(values, dtype=pl.Boolean).set(pl.Series(~working), None)


def _heaped(rng: np.random.Generator, hours: Array) -> Array:
    """Hours as reported: whole, and those of ten or more often rounded to five."""
    heaped = (hours >= 10) & (rng.random(hours.size) < _HEAPED)
    return np.where(heaped, np.round(hours / 5) * 5, np.round(hours))


def _hours(rng: np.random.Generator, bands: Array, intensity: Array) -> Array:
    """Weekly hours of work: the band's typical hours times the child's intensity, varied a
    little from visit to visit, from 1 to the band's cap."""
    drawn = _pick(_HOURS, bands) * intensity * rng.lognormal(0.0, 0.2, bands.size)
    return np.clip(_heaped(rng, drawn), 1, _pick(_HOURS_CAP, bands))


def routine_records(
    work: Work,
    rng: np.random.Generator,
    ages: Array,
    propensity: Array,
    intensity: Array,
) -> pl.DataFrame:
    """Records of routine visits: a child works when its ``propensity`` (fixed per child,
    in [0, 1)) is below its band's share, so a working child mostly keeps working as it
    grows; one visit in twelve says otherwise (a season, a change at home)."""
    bands = _band(ages)
    working = (propensity < _pick(_WORKING, bands)) ^ (rng.random(ages.size) < 1 / 12)
    hours = _hours(rng, bands, intensity)
    worst = rng.random(ages.size) < _WORST_FORM
    return work.frame(rng, ages, working, hours, worst_form=worst)


def follow_up_records(
    work: Work,
    rng: np.random.Generator,
    ages: Array,
    intensity: Array,
    in_labour: Array,
) -> pl.DataFrame:
    """Records of a case's follow-up visits: in child labour where ``in_labour`` (work of
    1 hour or more under 12, 14 hours or more at 12-14, a hazard at 15-17), else out of it
    (no work under 12; light work of 2-10 hours at 12-14 or 4-30 hours at 15-17 for some,
    with no hazard and chores below the 21-hour band)."""
    n = ages.size
    bands = _band(ages)
    hours = _hours(rng, bands, intensity)
    hours = np.where(bands == 1, np.maximum(hours, rng.integers(14, 25, n)), hours)
    permitted = (bands > 0) & (rng.random(n) < np.where(bands == 1, 0.25, 0.35))
    light = np.where(bands == 1, rng.integers(2, 11, n), rng.integers(4, 31, n))
    inside = work.frame(rng, ages, np.ones(n, dtype=bool), hours)
    forced = rng.integers(0, len(_FORCED), n)
    inside = inside.with_columns(
        pl.when(pl.Series((bands == 2) & (forced == i))).then(True).otherwise(pl.col(name))
        .alias(name)
        for i, name in enumerate(_FORCED)
    )  # fmt: skip
    outside = work.frame(rng, ages, permitted, light.astype(float), np.full(n, 18), exposed=False)
    chosen = pl.Series(in_labour)
    return inside.select(
        pl.when(chosen).then(inside[name]).otherwise(outside[name]).alias(name)
        for name in inside.columns
    )

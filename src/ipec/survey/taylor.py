"""Linearised (Taylor) variance for stratified multi-stage designs, as R ``svyrecvar`` does.

Stage 1: V = sum_h (1 - f_h) n_h/(n_h - 1) sum_i (z_hi - zbar_h)^2 over PSU totals z_hi of the
linearised scores, with absent PSUs counted as zero (domains keep the full design). With a second
stage and fpc at both stages, each PSU adds (n_h/N_h) times its own within-PSU variance, R's
multistage formula. Lonely-PSU strata follow R's ``survey.lonely.psu`` options.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ipec.errors import DataError, DesignError
from ipec.rows import shown
from ipec.survey.design import FpcKind, LonelyPsu, SurveyDesign
from ipec.survey.kernel import collapse, factorize, stratum_sums
from ipec.survey.sufficient import GroupTable

__all__ = [
    "Structure",
    "build_structure",
    "combine_stage",
    "level_df",
    "lonely_ssu_notes",
    "population_sizes",
    "subset_df",
    "taylor_variance",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_CERTAIN = 1e-7
ROW_ID = "__row"


@dataclass(frozen=True, slots=True)
class Structure:
    """Where every group sits in the design, and the per-stratum / per-PSU constants."""

    group_unit: IntArray  # group -> finest unit (SSU in two-stage designs, else PSU)
    unit_psu: IntArray | None  # SSU -> PSU, None when single stage
    n_units: int
    psu_stratum: IntArray  # PSU -> stratum
    n_psu: int
    n_strata: int
    n_h: FloatArray  # PSUs per stratum, full design
    f_h: FloatArray  # 1 - sampling fraction (1 when no fpc)
    frac_h: FloatArray  # sampling fraction n_h/N_h (0 when no fpc)
    n2: FloatArray | None  # SSUs per PSU (two-stage with fpc)
    f2: FloatArray | None
    lonely_psu: LonelyPsu
    design_df: int


def population_sizes(  # noqa: PLR0917 - one rule for the fpc of every stage and module
    lo: FloatArray,
    hi: FloatArray,
    n_sampled: FloatArray,
    column: str,
    what: str,
    owner_label: Sequence[str],
    kind: FpcKind,
) -> FloatArray:
    """Population units per stratum (or per PSU at stage 2) from the smallest and largest fpc
    of each owner's rows: population sizes or sampling fractions (``kind``; "auto" decides
    from the values, as R ``as.fpc``), constant within an owner, never fewer than sampled."""
    if np.isnan(lo).any() or np.isnan(hi).any() or not np.isfinite(lo).all():
        raise DataError("fpc has missing values", column=column, hint="fill in every row's fpc")
    varies = np.flatnonzero(lo != hi)
    if varies.size:
        raise DataError(f"fpc varies within {what} {_names(owner_label, varies)}", column=column)
    fpc = lo
    if (fpc <= 0).any():
        raise DataError("fpc must be positive", column=column)
    if kind == "fraction" or (kind == "auto" and not (fpc > 1).any()):
        if (fpc > 1).any():
            raise DataError(
                f"fpc is declared a sampling fraction but is above 1 in {what} "
                f"{_names(owner_label, np.flatnonzero(fpc > 1))}",
                column=column,
                hint='give fractions between 0 and 1, or declare fpc_kind = "population"',
            )
        if kind == "auto" and (fpc == 1).all():
            raise DataError(
                "fpc is 1 everywhere: ambiguous between fraction 1 and population size 1",
                column=column,
                hint="drop fpc for a census stratum, give population sizes, or declare fpc_kind",
            )
        popsize = n_sampled / fpc
    else:
        if kind == "auto" and (fpc < 1).any():
            raise DataError(
                "fpc mixes population sizes (>= 1) and sampling fractions (< 1)",
                column=column,
                hint="give all population sizes or all sampling fractions",
            )
        popsize = fpc
    if (popsize < n_sampled).any():
        over = shown(
            [
                f"{owner_label[i]} ({n_sampled[i]:g} sampled, population {popsize[i]:g})"
                for i in np.flatnonzero(popsize < n_sampled).tolist()
            ]
        )
        raise DesignError(
            f"fpc {column} implies more than 100% sampling in {what} {over}",
            hint="fpc holds the population number of units of the stratum (or PSU at stage 2), "
            "which cannot be smaller than the number sampled",
        )
    return popsize


def _names(labels: Sequence[str], index: IntArray) -> str:
    return shown([labels[int(i)] for i in index])


def _stage_fpc(  # noqa: PLR0917 - internal numeric kernel
    table: GroupTable,
    column: str,
    group_owner: IntArray,
    n_owner: int,
    n_sampled: FloatArray,
    what: str,
    owner_label: list[str],
    kind: FpcKind,
) -> tuple[FloatArray, FloatArray]:
    """(1 - f, f) per stratum (or per PSU at stage 2) from a population size or a fraction."""
    lo = np.full(n_owner, np.inf)
    hi = np.full(n_owner, -np.inf)
    np.minimum.at(lo, group_owner, table.sums[f"{column}|min"])
    np.maximum.at(hi, group_owner, table.sums[f"{column}|max"])
    popsize = population_sizes(lo, hi, n_sampled, column, what, owner_label, kind)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(np.isinf(popsize), 1.0, (popsize - n_sampled) / popsize)
        frac = n_sampled / popsize
    return f, frac


def _labels(table: GroupTable, column: str | None, codes: IntArray) -> list[str]:
    if column is None:
        return ["1"] * codes.size
    dec = table.decoders[column]
    return [str(dec.decode(int(c))) for c in codes]


def build_structure(table: GroupTable, design: SurveyDesign) -> Structure:  # noqa: PLR0915
    """Index PSUs and strata from the group table and check the design (fpc, lonely PSUs)."""
    n_groups = table.n_rows.size
    zeros = np.zeros(n_groups, dtype=np.int64)
    s_code = table.codes[design.strata] if design.strata else zeros
    psu_name = design.psu or ROW_ID
    p_code = table.codes[psu_name]
    p_base = table.decoders[psu_name].null_code + 1
    s_base = table.decoders[design.strata].null_code + 1 if design.strata else 1
    for col in (design.strata, psu_name, design.psu2):
        if col is not None and (table.codes[col] == table.decoders[col].null_code).any():
            raise DataError("design column has missing values", column=col)
    group_psu, psu_keys = factorize(s_code * p_base + p_code, s_base * p_base)
    n_psu = psu_keys.size
    psu_s_code = psu_keys // p_base
    psu_stratum, strata_codes = factorize(psu_s_code, s_base)
    n_strata = strata_codes.size
    stratum_label = _labels(table, design.strata, strata_codes)
    if not design.nest and design.psu is not None:
        _, distinct_ids = factorize(psu_keys % p_base, p_base)
        if distinct_ids.size < n_psu:
            raise DesignError(
                "PSU ids repeat across strata but nest=False",
                hint="use nest=True so PSU ids are read as unique within their stratum",
            )
    if n_psu == 1 and design.strata is None:
        raise DesignError("the design has only one primary sampling unit")
    n_h = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    if design.fpc is not None:
        f_h, frac_h = _stage_fpc(
            table,
            design.fpc,
            psu_stratum[group_psu],
            n_strata,
            n_h,
            "stratum",
            stratum_label,
            design.fpc_kind,
        )
    else:
        f_h, frac_h = np.ones(n_strata), np.zeros(n_strata)
    lonely = (n_h == 1) & (f_h >= _CERTAIN)
    if design.lonely_psu == "fail" and lonely.any():
        bad = np.flatnonzero(lonely)
        raise DesignError(
            f"{bad.size} stratum(s) have a single PSU: {_names(stratum_label, bad)}",
            hint="collapse those strata with a neighbour, or choose lonely_psu='adjust', "
            "'average', 'remove' or 'certainty'",
        )
    group_unit = group_psu
    n_units = n_psu
    unit_psu: IntArray | None = None
    n2: FloatArray | None = None
    f2: FloatArray | None = None
    if design.psu2 is not None and design.fpc is not None:
        if design.fpc2 is None:
            raise DesignError(
                "a two-stage design with a first-stage fpc needs fpc2",
                hint="pass fpc2=, or drop psu2 for the ultimate-cluster variance",
            )
        q_base = table.decoders[design.psu2].null_code + 1
        group_unit, ssu_keys = factorize(
            group_psu * q_base + table.codes[design.psu2], n_psu * q_base
        )
        unit_psu = ssu_keys // q_base
        n_units = ssu_keys.size
        n2 = np.bincount(unit_psu, minlength=n_psu).astype(np.float64)
        psu_label = [f"{stratum_label[psu_stratum[i]]}/{i}" for i in range(n_psu)]
        f2, _ = _stage_fpc(
            table, design.fpc2, group_psu, n_psu, n2, "PSU", psu_label, design.fpc_kind
        )
        lonely2 = (n2 == 1) & (f2 >= _CERTAIN)
        if design.lonely_psu == "fail" and lonely2.any():
            raise DesignError(
                f"{int(lonely2.sum())} PSU(s) have a single second-stage unit",
                hint="choose another lonely_psu policy",
            )
    nz_psu = np.bincount(group_psu, weights=table.n_nonzero, minlength=n_psu) > 0
    df = int(nz_psu.sum()) - int(np.unique(psu_stratum[nz_psu]).size)
    return Structure(
        group_unit=group_unit,
        unit_psu=unit_psu,
        n_units=n_units,
        psu_stratum=psu_stratum,
        n_psu=n_psu,
        n_strata=n_strata,
        n_h=n_h,
        f_h=f_h,
        frac_h=frac_h,
        n2=n2,
        f2=f2,
        lonely_psu=design.lonely_psu,
        design_df=df,
    )


def _stage(  # noqa: PLR0917 - internal numeric kernel
    owner: IntArray,
    n_owner: int,
    n_per: FloatArray,
    f: FloatArray,
    unit: IntArray,
    col: IntArray,
    z: FloatArray,
    present_n: FloatArray,
    n_cols: int,
    policy: LonelyPsu,
    center: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Variance per (owner, column) of one stage, owners being strata (or PSUs at stage 2),
    and the per-column multiplier of R's 'average' policy (strata present / strata usable).
    """
    zsum, ss = stratum_sums(owner, n_per, unit, col, z, n_owner, n_cols)
    cell = owner[unit] * n_cols + col
    present = (
        np.bincount(cell, weights=present_n, minlength=n_owner * n_cols).reshape(n_owner, n_cols)
        > 0
    )
    return combine_stage(zsum, ss, present, n_per, f, policy, center)


def combine_stage(  # noqa: PLR0917 - internal numeric kernel
    zsum: FloatArray,
    ss: FloatArray,
    present: BoolArray,
    n_per: FloatArray,
    f: FloatArray,
    policy: LonelyPsu,
    center: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Per-(owner, column) variance from score totals ``zsum`` and centred sums of squares
    ``ss`` (shared by the sparse and the dense kernels, so both apply R's lonely-PSU rules
    identically), and the 'average' multiplier per column."""
    n_cols = zsum.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_per > 1, f * n_per / (n_per - 1), f)
    certain = f < _CERTAIN
    lonely = (n_per == 1) & ~certain
    var = np.where(certain[:, None], 0.0, scale[:, None] * ss)
    if policy == "adjust":
        c = center if center is not None else np.zeros(n_cols)
        dev = zsum - c[None, :]
        adj = np.where(present, scale[:, None] * dev * dev, 0.0)
        var = np.where(lonely[:, None], adj, var)
    else:
        var = np.where(lonely[:, None], 0.0, var)
    multiplier = np.ones(n_cols)
    if policy == "average":
        n_present = present.sum(axis=0)
        n_ok = (present & ~lonely[:, None]).sum(axis=0)
        multiplier = n_present / np.maximum(n_ok, 1)
    return var, multiplier


def taylor_variance(  # noqa: PLR0917 - internal numeric kernel
    st: Structure,
    unit: IntArray,
    col: IntArray,
    z: FloatArray,
    present_n: FloatArray,
    n_cols: int,
) -> FloatArray:
    """Variance per column from linearised scores ``z`` at (finest unit, column) entries.

    ``present_n`` is the number of non-null rows behind each entry (which strata a domain
    reaches matters for the 'average' and 'adjust' policies).
    """
    total = np.zeros(n_cols)
    if st.unit_psu is not None:
        assert st.n2 is not None
        assert st.f2 is not None
        # each PSU is its own one-stratum call in R, so 'average' there drops a lonely SSU
        v2, _ = _stage(
            st.unit_psu, st.n_psu, st.n2, st.f2, unit, col, z, present_n, n_cols,
            st.lonely_psu, None,
        )  # fmt: skip
        total += (st.frac_h[st.psu_stratum][:, None] * v2).sum(axis=0)
        unit, col, (z, present_n) = collapse(
            st.unit_psu[unit], col, n_cols, st.n_psu, [z, present_n]
        )
    center = None
    if st.lonely_psu == "adjust":
        center = np.bincount(col, weights=z, minlength=n_cols) / st.n_psu
    v1, multiplier = _stage(
        st.psu_stratum, st.n_strata, st.n_h, st.f_h, unit, col, z, present_n, n_cols,
        st.lonely_psu, center,
    )  # fmt: skip
    total += v1.sum(axis=0) * multiplier
    return total


def lonely_ssu_notes(
    st: Structure, entry_psu: IntArray, col: IntArray, present_n: FloatArray, n_cols: int
) -> list[str]:
    """Per level, a note where the 'average' policy met a PSU with one second-stage unit.

    R's second stage is one call per PSU, so 'average' there divides by zero strata and R
    returns NaN for every domain reaching such a PSU; ipec gives that unit no second-stage
    variance (R's 'remove') and says so here, for the ``flag`` column. Empty when no level
    needs a note.
    """
    if st.lonely_psu != "average" or st.n2 is None or st.f2 is None:
        return []
    lonely = (st.n2 == 1) & (st.f2 >= _CERTAIN)
    if not lonely.any():
        return []
    hit = lonely[entry_psu] & (present_n > 0)
    psus = np.unique(entry_psu[hit] * n_cols + col[hit]) % n_cols
    reached = np.bincount(psus, minlength=n_cols)
    if not reached.any():
        return []
    return [
        f"{k} PSU(s) with one second-stage unit add no stage-2 variance (R 'average': NaN)"
        if k
        else ""
        for k in reached
    ]


def subset_df(
    st: Structure, group_psu: IntArray, group_col: IntArray, nonzero: FloatArray, n_cols: int
) -> FloatArray:
    """R ``degf(subset(design, domain))`` per level: PSUs with non-zero weight in the level
    minus their strata (``group_psu``/``group_col``: each group's PSU and level)."""
    psu, col, (nz,) = collapse(group_psu, group_col, n_cols, st.n_psu, [nonzero.astype(float)])
    keep = nz > 0
    psu, col = psu[keep], col[keep]
    n_psu = np.bincount(col, minlength=n_cols)
    _, strata = factorize(st.psu_stratum[psu] * n_cols + col, st.n_strata * n_cols)
    n_strata = np.bincount(strata % n_cols, minlength=n_cols)
    out: FloatArray = (n_psu - n_strata).astype(np.float64)
    return out


def level_df(  # noqa: PLR0917 - internal numeric kernel
    df_method: str,
    st: Structure,
    group_psu: IntArray,
    group_col: IntArray,
    nonzero: FloatArray,
    n_cols: int,
) -> FloatArray:
    """Each level's degrees of freedom: "domain" (:func:`subset_df`), "design" (PSUs minus
    strata of the whole design) or "infinite"."""
    if df_method == "domain":
        return subset_df(st, group_psu, group_col, nonzero, n_cols)
    if df_method == "design":
        return np.full(n_cols, float(st.design_df))
    return np.full(n_cols, np.inf)

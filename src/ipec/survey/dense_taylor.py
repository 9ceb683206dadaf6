"""Linearised estimates from a dense (PSU x cell) cube, for all domains and indicators at once.

Why: every domain spec is a marginal of the cube over its cell axes, so one matrix product gives
(PSU x level) sums for every spec and statistic, and the stratified variance of every
(indicator, level) column is a handful of array operations (``np.add.reduceat`` over PSUs,
which are sorted by stratum). Covers single-stage designs with PSUs and no fpc
(:func:`dense_suits`); a group of specs whose data do not suit (a cube too large, missing
design values, a lonely PSU under "fail") gets None, and :mod:`engines` gives it to the
group-table path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.survey.blocks import Block, design_effects, result_block
from ipec.survey.dense_cube import (
    MAX_CELLS,
    Coder,
    DenseCube,
    FrameCodes,
    RowKeys,
    RowTerms,
    add_batch,
    cell_strides,
    plan_coders,
    row_codes,
    start_cube,
)
from ipec.survey.dense_cube import psu_keys as distinct_psus
from ipec.survey.design import SurveyDesign
from ipec.survey.domains import Levels
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Ratio, Total
from ipec.survey.intervals import CiMethod
from ipec.survey.prepare import Check, measure_of, raise_first
from ipec.survey.stats_margins import Margins, margins
from ipec.survey.taylor import combine_stage

__all__ = ["dense_blocks", "dense_suits"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BATCH_ROWS = 4_000_000
#: Bytes of one batch of a lazy query over the file (about 8 bytes a value): a batch of a
#: classified survey has a few dozen columns, and 4 million rows of them would be as large
#: as the cubes, so memory would grow with the batch rather than stay bounded by the design.
BATCH_BYTES = 128 * 1024**2
MIN_BATCH_ROWS = 65_536


def batch_rows(frame: pl.LazyFrame) -> int:
    """Rows per batch of a lazy query: :data:`BATCH_BYTES` over its row width, at most
    :data:`BATCH_ROWS`."""
    width = max(1, len(frame.collect_schema()))
    return max(MIN_BATCH_ROWS, min(BATCH_ROWS, BATCH_BYTES // (8 * width)))


def _row_key(known: RowKeys, n_cells: int) -> IntArray:
    """PSU number x cells + joint cell code of every row, from codes made before.

    The cell code is summed in the smallest integer type that holds it (less memory to go
    through than 64-bit arrays), then added to the PSU part once."""
    strides, _ = cell_strides(known.cells)
    small = next(t for t in (np.int8, np.int16, np.int32, np.int64) if n_cells <= np.iinfo(t).max)
    cell = np.zeros(known.psu.size, dtype=small)
    part = np.empty_like(cell)
    for codes, stride in zip(known.cell_codes, strides, strict=True):
        np.multiply(codes, stride, out=part, dtype=small)
        np.add(cell, part, out=cell)
    key: IntArray = np.multiply(known.psu, n_cells)
    np.add(key, cell, out=key)
    return key


def _build_known(
    frame: pl.DataFrame,
    design: SurveyDesign,
    inds: Sequence[Indicator],
    known: RowKeys,
    terms: RowTerms | None,
) -> DenseCube | None:
    """``_build`` with design and domain codes made before (same checks, same cube)."""
    measures = list(dict.fromkeys(measure_of(i) for i in inds))
    analysed = list(dict.fromkeys(c for m in measures for c in (m.y, m.x) if c is not None))
    nulls = {c: frame.get_column(c).null_count() for c in analysed}
    s, p, cells, keys_arr = known.s, known.p, known.cells, known.keys
    _, n_cells = cell_strides(cells)
    if keys_arr.size == 0 or keys_arr.size * n_cells > MAX_CELLS:
        return None
    if keys_arr.size * n_cells > 8 * frame.height + 4096:
        return None
    if keys_arr.size == 1 and s is None:
        return None
    if not design.nest and np.unique(keys_arr % p.base).size < keys_arr.size:
        return None
    own = {m.tag: any(nulls[c] for c in (m.y, m.x) if c is not None) for m in measures}
    boolean = {c for c in analysed if frame.schema[c] == pl.Boolean}
    squares = [i.column for i in inds if not isinstance(i, Ratio)]
    cube = start_cube(keys_arr, p.base, cells, measures, own, squares, boolean, lookup=False)
    key = _row_key(known, n_cells)
    add_batch(cube, frame, design.weight, s, p, row_key=key, single=True, terms=terms)
    return cube


@dataclass(slots=True)
class _Shared:
    """What the passes of one estimate over a lazy query share: the coders of every design
    and domain column with the checks' and null counts (one pass), and the distinct PSU
    keys (another)."""

    planned: bool = False
    plan: tuple[list[Coder], tuple[object, ...]] | None = None
    keys: IntArray | None = None


def _plan(
    frame: pl.DataFrame | pl.LazyFrame,
    cols: Sequence[str],
    extra: Sequence[pl.Expr],
    shared: _Shared | None,
    every: Sequence[str],
) -> tuple[list[Coder], tuple[object, ...]] | None:
    """The coders of ``cols`` and the ``extra`` values: for a lazy query with ``shared``, the
    coders of ``every`` group's columns from one pass made for the first group (each pass
    re-reads and re-classifies the file)."""
    if shared is None:
        return plan_coders(frame, list(dict.fromkeys(cols)), extra)
    if not shared.planned:
        shared.plan = plan_coders(frame, list(dict.fromkeys(every)), extra)
        shared.planned = True
    return shared.plan


def _lazy_keys(frame: pl.LazyFrame, s: Coder | None, p: Coder, shared: _Shared | None) -> IntArray:
    """The sorted distinct packed (stratum, PSU) keys of a lazy query, from one streaming
    pass (made once for every group when ``shared``)."""
    if shared is not None and shared.keys is not None:
        return shared.keys
    sp = p.expr() if s is None else s.expr() * p.base + p.expr()
    packed = frame.select(sp.alias("sp")).unique().collect(engine="streaming")["sp"]
    keys: IntArray = np.sort(packed.to_numpy().astype(np.int64))
    if shared is not None:
        shared.keys = keys
    return keys


def _build(  # noqa: PLR0917 - internal
    frame: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign,
    inds: Sequence[Indicator],
    by_cols: list[str],
    checks: Sequence[Check],
    kept: FrameCodes | None,
    terms: RowTerms | None,
    shared: _Shared | None = None,
    all_cols: Sequence[str] = (),
) -> DenseCube | None:
    assert design.psu is not None
    if kept is not None and isinstance(frame, pl.DataFrame) and not checks:
        known = kept.row_keys(frame, design.strata, design.psu, by_cols)
        if known is not None:
            return _build_known(frame, design, inds, known, terms)
    lazy = isinstance(frame, pl.LazyFrame)
    measures = list(dict.fromkeys(measure_of(i) for i in inds))
    analysed = list(dict.fromkeys(c for m in measures for c in (m.y, m.x) if c is not None))
    keys = [c for c in (design.strata, design.psu) if c is not None]
    extra = [c.fill_null(False).sum() for c, _, _ in checks] if lazy else []
    extra += [pl.col(c).null_count() for c in analysed]
    plan = _plan(frame, [*keys, *by_cols], extra, shared, [*keys, *all_cols])
    if plan is None:
        return None
    coders, found = plan
    counts = [int(v) for v in found[: len(extra) - len(analysed)]]  # type: ignore[call-overload]
    if any(counts):
        raise_first(frame, checks, counts)
    nulls = dict(zip(analysed, found[len(counts) :], strict=True))
    by_name = {c.name: c for c in coders}
    s = by_name[design.strata] if design.strata else None
    p = by_name[design.psu]
    if p.has_null or (s is not None and s.has_null):
        return None  # the group-table path reports the missing design values
    bound = p.base * (s.base if s is not None else 1)
    cells = [by_name[c] for c in by_cols]
    _, n_cells = cell_strides(cells)
    codes = None
    if isinstance(frame, pl.LazyFrame):
        keys_arr = _lazy_keys(frame, s, p, shared)
    else:
        codes = row_codes(frame, cells, s, p)
        keys_arr = distinct_psus(codes[0], bound)
    height = frame.height if isinstance(frame, pl.DataFrame) else None
    if keys_arr.size == 0 or keys_arr.size * n_cells > MAX_CELLS:
        return None
    if height is not None and keys_arr.size * n_cells > 8 * height + 4096:
        return None
    if keys_arr.size == 1 and s is None:
        return None
    if not design.nest and np.unique(keys_arr % p.base).size < keys_arr.size:
        return None
    schema = frame.collect_schema() if lazy else frame.schema
    own = {m.tag: any(nulls[c] for c in (m.y, m.x) if c is not None) for m in measures}
    boolean = {c for c in analysed if schema[c] == pl.Boolean}
    squares = [i.column for i in inds if not isinstance(i, Ratio)]
    cube = start_cube(keys_arr, p.base, cells, measures, own, squares, boolean)
    if isinstance(frame, pl.DataFrame):
        add_batch(cube, frame, design.weight, s, p, codes, single=True, terms=terms)
    else:
        for batch in frame.collect_batches(chunk_size=batch_rows(frame)):
            add_batch(cube, batch, design.weight, s, p)
    return cube


#: Elements of the (PSU x column) scores handled at once by the variance (cache-sized).
_CHUNK = 1 << 18


def _variance(  # noqa: PLR0917 - internal numeric kernel
    scores: Callable[[int, int], FloatArray],
    shape: tuple[int, int],
    n: FloatArray | None,
    starts: IntArray,
    sizes: IntArray,
    design: SurveyDesign,
) -> FloatArray:
    """Stratified with-replacement variance of every column of the (PSU x column) scores.

    ``scores(r0, r1)`` gives the scores of PSUs r0 to r1 (``shape``: all PSUs x columns).
    Strata are taken a cache-sized run at a time, and each run's scores are made when needed:
    the same operations per stratum as on the whole array, without (PSU x column) arrays
    (the 'adjust' rule's centre alone sums all the scores at once, as before).
    ``n`` is needed only by the 'adjust' and 'average' lonely-PSU rules.
    """
    n_h = sizes.astype(np.float64)
    (n_psu, n_cols), n_strata = shape, sizes.size
    zsum = np.empty((n_strata, n_cols))
    ss = np.empty((n_strata, n_cols))
    policy = design.lonely_psu
    needs_present = policy in ("adjust", "average")
    present = np.ones((n_strata, n_cols), dtype=np.bool_)
    step = max(1, _CHUNK // max(1, n_cols))
    h0 = 0
    while h0 < n_strata:
        h1 = max(h0 + 1, int(np.searchsorted(starts, starts[h0] + step, side="right")) - 1)
        h1 = min(h1, n_strata)
        r0 = int(starts[h0])
        r1 = int(starts[h1]) if h1 < n_strata else n_psu
        local = starts[h0:h1] - r0
        zc = scores(r0, r1)
        part = np.add.reduceat(zc, local, axis=0)
        zsum[h0:h1] = part
        dev = zc - np.repeat(part / n_h[h0:h1, None], sizes[h0:h1], axis=0)
        np.multiply(dev, dev, out=dev)
        ss[h0:h1] = np.add.reduceat(dev, local, axis=0)
        if needs_present:
            assert n is not None
            present[h0:h1] = np.logical_or.reduceat(n[r0:r1] > 0, local, axis=0)
        h0 = h1
    center = scores(0, n_psu).sum(axis=0) / n_psu if policy == "adjust" else None
    var, multiplier = combine_stage(zsum, ss, present, n_h, np.ones(n_h.size), policy, center)
    out: FloatArray = var.sum(axis=0) * multiplier
    return out


def dense_suits(design: SurveyDesign) -> bool:
    """Whether the dense cubes can take a design: a single stage with PSUs and no fpc."""
    return design.psu is not None and design.psu2 is None and design.fpc is None


def dense_blocks(  # noqa: PLR0917 - internal numeric kernel
    frame: pl.DataFrame | pl.LazyFrame,
    design: SurveyDesign,
    inds: Sequence[Indicator],
    groups: Sequence[Sequence[tuple[str, ...] | None]],
    df_method: str,
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
    checks: Sequence[Check],
    codes: FrameCodes | None = None,
) -> list[list[Block] | None]:
    """The result blocks of each group of specs from one dense cube per group (None for a
    group whose data do not suit, and for every group of a design that does not suit:
    :func:`dense_suits`; the caller takes another path for those).

    An in-memory frame's per-row work is done once for every group's cube (and kept only
    when there are several). ``codes``: design and domain codes kept between estimates over
    frames that share them."""
    if not dense_suits(design):
        return [None] * len(groups)
    several = len(groups) > 1
    terms = RowTerms(frame, design.weight) if several and isinstance(frame, pl.DataFrame) else None
    display = (method, level, flag_rule)
    per_group: list[Future[list[Block] | None] | None] = []
    pending: Future[list[Block] | None] | None = None
    # A cube's (PSU x level) work runs in a second thread while the next cube is summed; at
    # most two cubes are held: a new one waits for the previous one's work to end.
    all_cols = list(dict.fromkeys(c for specs in groups for spec in specs if spec for c in spec))
    shared = _Shared() if isinstance(frame, pl.LazyFrame) else None
    with ThreadPoolExecutor(max_workers=1) as pool:
        for specs in groups:
            by_cols = list(dict.fromkeys(c for spec in specs if spec for c in spec))
            cube = _build(frame, design, inds, by_cols, checks, codes, terms, shared, all_cols)
            if cube is None:
                per_group.append(None)
                continue
            if pending is not None:
                pending.result()
            pending = pool.submit(_cube_blocks, cube, design, inds, specs, df_method, display)
            per_group.append(pending)
    return [None if job is None else job.result() for job in per_group]


def _cube_blocks(  # noqa: PLR0917 - internal numeric kernel
    cube: DenseCube,
    design: SurveyDesign,
    inds: Sequence[Indicator],
    specs: Sequence[tuple[str, ...] | None],
    df_method: str,
    display: tuple[CiMethod, float, FlagRule],
) -> list[Block] | None:
    """The blocks of one cube's specs (None: a lonely PSU, which the group-table path names)."""
    psu_stratum = np.unique(cube.keys // cube.p_base, return_inverse=True)[1].ravel()
    sizes = np.bincount(psu_stratum).astype(np.int64)
    if design.lonely_psu == "fail" and (sizes == 1).any():
        return None
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    measures = list(dict.fromkeys(measure_of(i) for i in inds))
    names = ["rows", "nz"]
    for m in measures:
        names += [f"{m.tag}|{k}" for k in ("n", "nz", "sw", "swy")]
        names.append(f"{m.tag}|swx" if m.x is not None else f"{m.tag}|swyy")
    names = list(dict.fromkeys(n for n in names if not n.endswith("|swyy") or _needs_sq(inds, n)))
    mg: Margins = margins(cube, specs, names)
    get, total = mg.get, mg.total
    df = _degrees(cube, mg, df_method, psu_stratum, starts)
    n_rows = total("nz")  # rows with weight: R nrow() of the subset
    keep_n = design.lonely_psu in ("adjust", "average")
    # one indicator's scores at a time, a run of strata at a time: each column's variance is
    # the same whichever columns and PSUs are beside it, and no (PSU x level) array is made
    # (but for the 'adjust' rule's centre)
    var = np.empty((len(inds), mg.n_levels))
    parts = []
    n_psu = cube.n_psu
    for j, ind in enumerate(inds):
        tag = measure_of(ind).tag
        n_c, sw_c, swy_c = total(f"{tag}|n"), total(f"{tag}|sw"), total(f"{tag}|swy")
        est, scores = _score_maker(ind, tag, mg, ~(n_c > 0))
        n_e = get(f"{tag}|n") if keep_n else None
        var[j] = _variance(scores, (n_psu, mg.n_levels), n_e, starts, sizes, design)
        parts.append((est, n_c, sw_c, swy_c))
    return _assemble(inds, mg, parts, var, df, n_rows, *display)


def _score_maker(
    ind: Indicator, tag: str, mg: Margins, empty: npt.NDArray[np.bool_]
) -> tuple[FloatArray, Callable[[int, int], FloatArray]]:
    """The estimate of every level for one indicator, and the linearised scores of PSUs r0
    to r1 (0 in levels without rows): for a total, ``total(swy)`` and ``swy``; else
    ``total(swy) / total(base)`` and ``(swy - est * base) / total(base)``, the base being
    ``swx`` for a ratio and ``sw`` for a mean or proportion."""
    swy = mg.get(f"{tag}|swy")
    if isinstance(ind, Total):
        base = None
        est = mg.total(f"{tag}|swy")
    else:
        name = f"{tag}|swx" if isinstance(ind, Ratio) else f"{tag}|sw"
        base, base_total = mg.get(name), mg.total(name)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = mg.total(f"{tag}|swy") / base_total

    def scores(r0: int, r1: int) -> FloatArray:
        if base is None:
            out: FloatArray = swy[r0:r1].copy()
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = np.multiply(est, base[r0:r1])
                np.subtract(swy[r0:r1], out, out=out)
                np.divide(out, base_total, out=out)
        out[:, empty] = 0.0
        return out

    return est, scores


def _degrees(
    cube: DenseCube, mg: Margins, df_method: str, psu_stratum: IntArray, starts: IntArray
) -> FloatArray:
    """Degrees of freedom of every level (see ``estimate``'s ``df``)."""
    if df_method == "domain":
        nz_lv = mg.get("nz") > 0
        n_str = np.logical_or.reduceat(nz_lv, starts, axis=0).sum(axis=0)
        out: FloatArray = (nz_lv.sum(axis=0) - n_str).astype(np.float64)
        return out
    if df_method == "design":
        nz_psu = cube.stat("nz").sum(axis=1) > 0
        d = int(nz_psu.sum()) - int(np.unique(psu_stratum[nz_psu]).size)
        return np.full(mg.n_levels, float(d))
    return np.full(mg.n_levels, np.inf)


def _needs_sq(inds: Sequence[Indicator], name: str) -> bool:
    return any(not isinstance(i, Ratio) and f"{measure_of(i).tag}|swyy" == name for i in inds)


def _assemble(  # noqa: PLR0917 - internal
    inds: Sequence[Indicator],
    mg: Margins,
    parts: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]],
    var: FloatArray,
    df: FloatArray,
    n_rows: FloatArray,
    method: CiMethod,
    level: float,
    flag_rule: FlagRule,
) -> list[Block]:
    deffs = []
    for j, ind in enumerate(inds):
        est, n_c, sw_c, swy_c = parts[j]
        if isinstance(ind, Ratio):
            nan = np.full(mg.n_levels, np.nan)
            deffs.append((nan, nan))
        else:
            tag = measure_of(ind).tag
            swyy_c = mg.total(f"{tag}|swyy")
            nz_c = mg.total(f"{tag}|nz")
            deffs.append(design_effects(ind.kind, var[j], swyy_c, swy_c, sw_c, nz_c))
    blocks: list[Block] = []
    for spec_levels, sl in zip(mg.levels, mg.slices, strict=True):
        lv: Levels = spec_levels
        for j, ind in enumerate(inds):
            est, n_c, sw_c, _ = parts[j]
            d0, d1 = deffs[j]
            blocks.append(
                result_block(
                    lv,
                    ind,
                    est[sl],
                    var[j, sl],
                    df[sl],
                    n_rows[sl],
                    (n_c[sl], sw_c[sl]),
                    (d0[sl], d1[sl]),
                    method,
                    level,
                    flag_rule,
                )
            )
    return blocks

"""Replicate weights from a linearised (Taylor) design, as R ``survey::as.svrepdesign`` makes them.

``replicate_weights`` turns a :class:`SurveyDesign` into replicate weight columns (full analysis
weights, R ``weights(rep, "analysis")``) and the :class:`ReplicateDesign` that reads them, with
R's ``scale``, ``rscales`` and degrees of freedom:

* ``JK1`` (unstratified jackknife, R ``jk1weights``): replicate j drops PSU j and multiplies
  the others by n/(n-1); scale (n-1)/n, times (N-n)/N with an fpc.
* ``JKn`` (stratified jackknife, R ``jknweights``): one replicate per PSU, dropping it and
  multiplying the other PSUs of its stratum by n_h/(n_h-1); rscales (n_h-1)/n_h, times
  (N_h-n_h)/N_h with an fpc; a stratum sampled exhaustively (N_h = n_h) gets no replicate.
  One-PSU strata follow ``lonely_psu`` as R's ``survey.lonely.psu`` does in ``jknweights``:
  ``fail`` names them; ``remove``, ``certainty`` and ``average`` give them no replicate
  (``average`` then multiplies the scale by the number of PSUs over the number of replicates);
  ``adjust`` gives each one replicate that drops its PSU and multiplies every other PSU by
  H/(H-1), rscale (H-1)/H (H strata).
* ``BRR`` and ``Fay`` (R ``brrweights``): exactly two PSUs per stratum. The replicates are the
  columns of R's own ``hadamard()`` matrix (its precomputed 4, 16, 28 and 36 matrices, Paley
  constructions and doublings, reproduced here), rows 2..H+1 for the strata in R's order
  (sorted as text), so the weights equal R's. A PSU gets 2-rho or rho (BRR: 2 or 0); scale
  1/(R(1-rho)^2). An fpc is dropped, as R does (with a warning).
* ``bootstrap`` (R ``bootweights``, Canty and Davison 1999): in every stratum draw n_h PSUs
  with replacement (without an fpc), or n_h PSUs without replacement from the PSUs repeated
  to N_h (with one); a PSU's multiplier is the number of times it is drawn. Scale
  nbar/((nbar-1)(R-1)), nbar the harmonic mean of n_h. R's random draws cannot be reproduced:
  ``seed`` seeds a NumPy Generator instead.

As in R, only the first stage counts: ``psu2`` is ignored and ``fpc2`` dropped (with a
warning), and the weights are the design's full weights. R's ``degf`` of the result is the
rank of the replicate weights minus one (R's ``qr`` rule; PSUs minus strata for JKn).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import cache
from typing import get_args

import numpy as np
import numpy.typing as npt
import polars as pl

from ipec.errors import DataError, DesignError
from ipec.rows import shown
from ipec.survey.design import ReplicateDesign, ReplicateType, SurveyDesign
from ipec.survey.prepare import Check, check_frame, raise_first
from ipec.survey.replicate_rank import qr_rank
from ipec.survey.taylor import population_sizes

__all__ = ["hadamard", "replicate_weights"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_BOOTSTRAP = 50

# R survey's precomputed Hadamard matrices (survey:::hadamard.list), 0/1, one text per row.
_H4 = ("1111", "1010", "1100", "1001")
_H28 = (
    "1111111111111111111111111111", "1001110001110001110001111000",
    "1000001111001101001101111000", "1000001110110010111001100110",
    "1001101000001111100011010110", "1001010100101100010110101110",
    "1000110011010010001110011110", "0101100010101010011111110000",
    "0100010110110101100111010100", "0100011011001011110010101100",
    "0101011000010111011101001010", "0100101101100100111010011010",
    "0101100101011001101100100110", "0010110100011110101011101000",
    "0011011001100110101100110100", "0010101100111011010100011100",
    "0011000111010111010010110010", "0011001011111000100111001010",
    "0010110011101101011001000110", "1110101001010100010111100100",
    "1111000101100011001011001100", "1111000010011100111000011100",
    "1110010101001010110101010010", "1110011000111001001010110010",
    "1110100010100111100100101010", "1101111111111110000000000000",
    "1011111110000001111110000000", "0111111110000000000001111110",
)  # fmt: skip
_H36 = (
    "111111111111111111111111111111111111", "010111000111110111001000010101100100",
    "101110001111101110010000101011001000", "011100011111011100100001010110010010",
    "111000111110111001000010101100100100", "110001111101110010000101011001001010",
    "100011111011100100001010110010010110", "000111110111001000010101100100101110",
    "001111101110010000101011001001011100", "011111011100100001010110010010111000",
    "111110111001000010101100100101110000", "111101110010000101011001001011100010",
    "111011100100001010110010010111000110", "110111001000010101100100101110001110",
    "101110010000101011001001011100011110", "011100100001010110010010111000111110",
    "111001000010101100100101110001111100", "110010000101011001001011100011111010",
    "100100001010110010010111000111110110", "001000010101100100101110001111101110",
    "010000101011001001011100011111011100", "100001010110010010111000111110111000",
    "000010101100100101110001111101110010", "000101011001001011100011111011100100",
    "001010110010010111000111110111001000", "010101100100101110001111101110010000",
    "101011001001011100011111011100100000", "010110010010111000111110111001000010",
    "101100100101110001111101110010000100", "011001001011100011111011100100001010",
    "110010010111000111110111001000010100", "100100101110001111101110010000101010",
    "001001011100011111011100100001010110", "010010111000111110111001000010101100",
    "100101110001111101110010000101011000", "001011100011111011100100001010110010",
)  # fmt: skip


def _bits(rows: tuple[str, ...]) -> IntArray:
    return np.array([[int(c) for c in row] for row in rows], dtype=np.int64)


def _double(h: IntArray) -> IntArray:
    """R ``hadamard.doubler``: rbind(cbind(H, H), cbind(H, 1 - H))."""
    return np.vstack([np.hstack([h, h]), np.hstack([h, 1 - h])])


@cache
def _precooked() -> tuple[IntArray, ...]:
    h4 = _bits(_H4)
    h16 = _double(_double(h4))
    return h4, h16, _bits(_H28), _bits(_H36)


_SIZES = (4, 16, 28, 36)
_PRIME_LIMIT = 7919


@cache
def _small_primes() -> tuple[int, ...]:
    """R survey's ``small.primes`` in ``paley()``: the primes p = 3 (mod 4) up to 7919."""
    sieve = np.ones(_PRIME_LIMIT + 1, dtype=np.bool_)
    sieve[:2] = False
    for i in range(2, int(_PRIME_LIMIT**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    return tuple(int(p) for p in np.flatnonzero(sieve) if p % 4 == 3)


def _paley_prime(p: int) -> IntArray:
    """R ``paley(prime = p)``: quadratic residues of p (with 0) as 0, others 1, bordered by 1."""
    residues = {0} | {(i * i) % p for i in range(1, (p - 1) // 2 + 1)}
    i = np.arange(p)
    m = (i[:, None] + i[None, :]) % p
    core = np.where(np.isin(m, list(residues)), 0, 1)
    out = np.ones((p + 1, p + 1), dtype=np.int64)
    out[1:, 1:] = core
    return out


def _paley(n: int, nmax: int | None = None) -> IntArray | None:
    """R ``paley(n, nmax)`` without ``prime``: a Paley-type matrix of size above n, or None."""
    nmax = 2 * n if nmax is None else nmax
    primes = _small_primes()
    nceil = nn = n + 4 - (n % 4)
    if (n % 4) + 4 == (n % 8):
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in primes:
            m = _paley_prime(nn - 1)
            while nn < nceil:
                m = _double(m)
                nn *= 2
            return m
    if n > primes[-1]:
        return None
    p = min(q for q in primes if q >= n)
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley(nceil + 3)
    if p > nmax:
        return None
    return _paley_prime(p)


def hadamard(n: int) -> IntArray:
    """R survey's ``hadamard(n)``: the 0/1 Hadamard matrix with at least n + 1 rows that
    ``brrweights`` uses for n strata (same choice and same entries as R)."""
    precooked = _precooked()
    m = n - (n % 4)
    fits = [i for i, size in enumerate(_SIZES) if m < size <= m + 4]
    if fits:
        return precooked[min(fits)].copy()
    if all(m < size for size in _SIZES):
        return precooked[0].copy()
    sizes = [size * 2 ** max(0, math.ceil(math.log2((n + 1) / size))) for size in _SIZES]
    best = int(np.argmin([size - n for size in sizes]))
    h = None
    if sizes[best] - n > 4:
        h = _paley(n, sizes[best])
    if h is None:
        h = precooked[best]
        for _ in range(math.ceil(math.log2(sizes[best] / _SIZES[best]))):
            h = _double(h)
    return h.copy()


# ---- the design's first stage -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Units:
    """PSUs and strata numbered in order of first appearance (R ``unique()``)."""

    row_psu: IntArray  # row -> PSU
    psu_stratum: IntArray  # PSU -> stratum
    labels: tuple[str, ...]  # stratum -> its text, as R's as.character()
    n_h: IntArray  # PSUs per stratum

    def members(self) -> list[IntArray]:
        """Each stratum's PSUs, in order (one sort, not one scan of all PSUs per stratum)."""
        order = np.argsort(self.psu_stratum, kind="stable")
        return np.split(order, np.cumsum(self.n_h)[:-1])

    @property
    def n_psu(self) -> int:
        return int(self.psu_stratum.size)

    @property
    def n_strata(self) -> int:
        return len(self.labels)

    def shown(self, strata: IntArray) -> str:
        return shown([self.labels[int(h)] for h in strata])


def _r_text(value: object) -> str:
    """A value as R's as.character() writes it (15 significant digits for numbers)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value)


def _first_appearance(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Codes 0..k-1 numbered by first appearance, and the row where each code first appears."""
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[inverse.ravel()], first[order]


def _dense(series: pl.Series) -> IntArray:
    if isinstance(series.dtype, pl.Categorical | pl.Enum):
        series = series.cast(pl.String)
    return series.rank("dense").to_numpy().astype(np.int64)


def _units(frame: pl.DataFrame, design: SurveyDesign) -> _Units:
    n = frame.height
    if design.strata is not None:
        s_key = _dense(frame[design.strata])
    else:
        s_key = np.zeros(n, dtype=np.int64)
    p_key = _dense(frame[design.psu]) if design.psu is not None else np.arange(n, dtype=np.int64)
    if design.psu is not None and design.strata is not None and not design.nest:
        pairs = np.unique(np.column_stack([p_key, s_key]), axis=0)
        if np.unique(pairs[:, 0]).size < pairs.shape[0]:
            raise DesignError(
                "PSU ids repeat across strata but nest=False",
                hint="use nest=True so PSU ids are read as unique within their stratum",
            )
    key = s_key * (int(p_key.max(initial=0)) + 1) + p_key
    row_psu, psu_first = _first_appearance(key)
    stratum, stratum_first = _first_appearance(s_key)
    psu_stratum = stratum[psu_first]
    if design.strata is not None:
        values = frame[design.strata].gather(stratum_first).to_list()
        labels = tuple(_r_text(v) for v in values)
    else:
        labels = ("1",)
    n_h = np.bincount(psu_stratum, minlength=len(labels)).astype(np.int64)
    return _Units(row_psu, psu_stratum, labels, n_h)


def _popsize(frame: pl.DataFrame, design: SurveyDesign, units: _Units) -> FloatArray | None:
    """Population PSUs per stratum from the first-stage fpc (R ``as.fpc``), or None: the
    linearised design's rule (:func:`ipec.survey.taylor.population_sizes`)."""
    if design.fpc is None:
        return None
    column = design.fpc
    if not frame.schema[column].is_numeric():
        raise DataError(f"fpc must be numeric, not {frame.schema[column]}", column=column)
    values = frame[column].cast(pl.Float64).fill_null(np.nan).to_numpy()
    stratum = units.psu_stratum[units.row_psu]
    lo = np.full(units.n_strata, np.inf)
    hi = np.full(units.n_strata, -np.inf)
    np.minimum.at(lo, stratum, values)
    np.maximum.at(hi, stratum, values)
    n_h = units.n_h.astype(np.float64)
    return population_sizes(lo, hi, n_h, column, "stratum", units.labels, design.fpc_kind)


# ---- the replicate types ----------------------------------------------------------------------

_Built = tuple[FloatArray, float, FloatArray]  # PSU multipliers (PSUs x R), scale, rscales


def _jk1(units: _Units, popsize: FloatArray | None) -> _Built:
    """R ``jk1weights``."""
    n = units.n_psu
    if n < 2:
        raise DesignError("the design has only one primary sampling unit")
    fpc = 1.0 if popsize is None else float((popsize[0] - n) / popsize[0])
    if fpc == 0:
        raise DesignError(
            "every PSU of the population is in the sample (fpc), so the jackknife has no "
            "replicates",
            hint="drop the fpc, or report the estimates without a sampling error",
        )
    mult = np.full((n, n), n / (n - 1))
    np.fill_diagonal(mult, 0.0)
    return mult, fpc * (n - 1) / n, np.ones(n)


def _jkn(units: _Units, popsize: FloatArray | None, policy: str) -> _Built:
    """R ``jknweights``, lonely PSUs as ``survey.lonely.psu``."""
    strata = units.members()
    n_strata = units.n_strata
    columns: list[FloatArray] = []
    rscales: list[float] = []
    fpc = (
        np.ones(n_strata)
        if popsize is None
        else (popsize - units.n_h) / popsize  # R: (N_h - n_h) / N_h
    )
    lonely = np.flatnonzero((units.n_h == 1) & (fpc != 0))
    if policy == "fail" and lonely.size:
        raise DesignError(
            f"{lonely.size} stratum(s) have a single PSU: {units.shown(lonely)}",
            hint="collapse those strata with a neighbour, or choose lonely_psu='adjust', "
            "'average', 'remove' or 'certainty'",
        )
    for h in range(n_strata):
        members = strata[h]
        n_h = members.size
        if fpc[h] == 0:  # exhaustively sampled: R drops its replicates
            continue
        if n_h == 1:
            if policy == "adjust":
                col = np.full(units.n_psu, n_strata / (n_strata - 1))
                col[units.psu_stratum == h] = 0.0
                columns.append(col)
                rscales.append((n_strata - 1) / n_strata)
            continue
        for drop in members:
            col = np.ones(units.n_psu)
            col[members] = n_h / (n_h - 1)
            col[drop] = 0.0
            columns.append(col)
            rscales.append(float(fpc[h] * (n_h - 1) / n_h))
    if not columns:
        raise DesignError(
            "every stratum was sampled exhaustively (or has a single PSU removed): the "
            "jackknife has no replicates",
            hint="check the fpc and the lonely-PSU policy",
        )
    scale = 1.0
    if policy == "average" and len(columns) < units.n_psu:
        scale = units.n_psu / len(columns)
    return np.column_stack(columns), scale, np.asarray(rscales)


def _brr(units: _Units, rho: float) -> _Built:
    """R ``brrweights`` for strata of exactly two PSUs."""
    bad = np.flatnonzero(units.n_h != 2)
    if bad.size:
        counts = shown([f"{units.labels[int(h)]} ({units.n_h[h]} PSUs)" for h in bad])
        raise DesignError(
            f"BRR needs exactly two PSUs in every stratum; {bad.size} stratum(s) differ: {counts}",
            hint="pair the PSUs into two-PSU (pseudo-)strata, or use type JKn or bootstrap",
        )
    strata = units.members()
    order = sorted(range(units.n_strata), key=lambda h: units.labels[h])
    h_matrix = hadamard(units.n_strata)
    n_rep = h_matrix.shape[1]
    mult = np.empty((units.n_psu, n_rep))
    for k, h in enumerate(order, start=1):
        first, second = strata[h]
        picked = h_matrix[k] == 1
        mult[first] = np.where(picked, 2.0 - rho, rho)
        mult[second] = np.where(picked, rho, 2.0 - rho)
    return mult, 1.0 / (n_rep * (1.0 - rho) ** 2), np.ones(n_rep)


def _bootstrap(
    units: _Units, popsize: FloatArray | None, replicates: int, rng: np.random.Generator
) -> _Built:
    """R ``bootweights``: PSU draw counts, stratum by stratum."""
    strata = units.members()
    mult = np.zeros((units.n_psu, replicates))
    cols = np.arange(replicates)
    for h in range(units.n_strata):
        members = strata[h]
        n_h = members.size
        if popsize is None:
            draws = rng.integers(0, n_h, size=(replicates, n_h))
        else:
            pseudo = np.resize(rng.permutation(n_h), int(popsize[h]))
            draws = rng.permuted(np.tile(pseudo, (replicates, 1)), axis=1)[:, :n_h]
        counts = np.zeros((n_h, replicates))
        np.add.at(counts, (draws, cols[:, None]), 1.0)
        mult[members] = counts
    nbar = 1.0 / float(np.mean(1.0 / units.n_h))
    if nbar == 1:
        raise DesignError(
            "every stratum has a single PSU: the bootstrap cannot vary",
            hint="collapse one-PSU strata with a neighbour",
        )
    return mult, nbar / ((nbar - 1.0) * (replicates - 1)), np.ones(replicates)


def _design_columns(frame: pl.DataFrame, design: SurveyDesign) -> None:
    for column in design.columns:
        if column not in frame.columns:
            raise DataError("column not found", column=column, hint="check the design")
    check_frame(frame, [design.weight], [])
    checks: list[Check] = [
        (pl.col(c).is_null(), "design column has missing values", c)
        for c in (design.strata, design.psu)
        if c is not None
    ]
    if checks:
        counts = frame.select([c.sum() for c, _, _ in checks]).row(0)
        raise_first(frame, checks, [int(c) for c in counts])


def replicate_weights(
    data: pl.DataFrame,
    design: SurveyDesign,
    type: ReplicateType,
    *,
    replicates: int | None = None,
    rho: float | None = None,
    seed: int | None = None,
    prefix: str = "repw",
) -> tuple[pl.DataFrame, ReplicateDesign]:
    """Replicate weights for ``design`` as R ``as.svrepdesign(design, type=...)`` makes them.

    Returns ``data`` with columns ``prefix1`` ... ``prefixR`` (full analysis weights, R's
    ``weights(rep, "analysis")``, so rows of weight 0 stay 0) and the :class:`ReplicateDesign`
    that reads them, with R's scale, rscales and degrees of freedom. ``replicates`` (default
    50) and ``seed`` are for ``bootstrap``; ``rho`` (0 < rho < 1) is Fay's factor.
    """
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    if type not in get_args(ReplicateType):
        raise DesignError(
            f"unknown replicate type {type!r}",
            hint=f"use one of {', '.join(get_args(ReplicateType))}",
        )
    if type != "bootstrap" and (replicates is not None or seed is not None):
        raise DesignError(
            f"replicates and seed are for type 'bootstrap'; type {type!r} fixes its replicates",
            hint="drop them",
        )
    if type == "Fay" and (rho is None or not 0.0 < rho < 1.0):
        raise DesignError("type 'Fay' needs rho between 0 and 1", hint="pass rho=0.5 (say)")
    if type != "Fay" and rho is not None:
        raise DesignError(f"rho is for type 'Fay' only, not {type!r}")
    n_boot = DEFAULT_BOOTSTRAP if replicates is None else replicates
    if n_boot < 2:
        raise DesignError(f"the bootstrap needs at least 2 replicates, not {n_boot}")
    if not prefix or not prefix[0].isalpha() or not prefix.replace("_", "a").isalnum():
        raise DesignError(
            f"replicate prefix {prefix!r} is not a variable name",
            hint="use letters, digits and _ only, starting with a letter (e.g. repw)",
        )
    if type == "JK1" and design.strata is not None:
        raise DesignError(
            "type JK1 is for an unstratified design (R: can't use JK1 for a stratified design)",
            hint="use type JKn for a stratified design",
        )
    if type in {"JKn", "BRR", "Fay"} and design.strata is None:
        raise DesignError(
            f"type {type} needs strata (R: must use JK1 or bootstrap for an unstratified design)",
            hint="use type JK1 or bootstrap",
        )
    _design_columns(data, design)
    units = _units(data, design)
    popsize = _popsize(data, design, units)
    if design.fpc2 is not None:
        warnings.warn(
            "the second-stage fpc is dropped: replicate weights use the first stage only, "
            "as R as.svrepdesign does",
            UserWarning,
            stacklevel=2,
        )
    if type in {"BRR", "Fay"} and popsize is not None:
        warnings.warn(
            "the fpc is dropped: BRR replicate weights cannot use it (as R as.svrepdesign)",
            UserWarning,
            stacklevel=2,
        )
    if type == "JK1":
        mult, scale, rscales = _jk1(units, popsize)
    elif type == "JKn":
        mult, scale, rscales = _jkn(units, popsize, design.lonely_psu)
    elif type in {"BRR", "Fay"}:
        mult, scale, rscales = _brr(units, float(rho or 0.0) if type == "Fay" else 0.0)
    else:
        mult, scale, rscales = _bootstrap(units, popsize, n_boot, np.random.default_rng(seed))
    names = [f"{prefix}{i}" for i in range(1, mult.shape[1] + 1)]
    taken = {c.casefold() for c in data.columns}
    clash = [name for name in names if name.casefold() in taken]
    if clash:
        raise DataError(
            f"the data already have column(s) {shown(clash)}",
            column=clash[0],
            hint="choose another prefix",
        )
    weight = data[design.weight].cast(pl.Float64).to_numpy()
    rows = units.row_psu
    out = data.with_columns(
        pl.Series(name, weight * mult[rows, r], dtype=pl.Float64) for r, name in enumerate(names)
    )
    # R's degf: qr(analysis weights, tol = 1e-5)$rank - 1; the rows of a PSU share one
    # pattern, so a PSU enters the Gram matrix as its multipliers times root(sum of w^2)
    root = np.sqrt(np.bincount(rows, weights=weight * weight, minlength=units.n_psu))
    rank = qr_rank(mult * root[:, None], data.height)
    rep_design = ReplicateDesign(
        design.weight,
        names,
        type,
        rho=rho if type == "Fay" else None,
        scale=scale,
        rscales=[float(r) for r in rscales],
        degf=rank - 1,
    )
    return out, rep_design

"""Survey design descriptions: which columns carry weights, strata, clusters and fpc.

A design only names columns; it holds no data, so one design can be applied to many frames
(a whole survey, a later round with the same layout). Data problems surface when estimating.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from ipec.errors import DesignError

__all__ = [
    "FpcKind",
    "LonelyPsu",
    "ReplicateDesign",
    "ReplicateType",
    "SurveyDesign",
    "check_replicate_constants",
]

LonelyPsu = Literal["fail", "remove", "certainty", "adjust", "average"]
FpcKind = Literal["auto", "population", "fraction"]
ReplicateType = Literal["JK1", "JKn", "BRR", "Fay", "bootstrap"]


def _check_name(value: object, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise DesignError(f"{what} must be a non-empty column name, got {value!r}")


@dataclass(frozen=True, slots=True)
class SurveyDesign:
    """A stratified (multi-stage) cluster design, described by column names.

    ``psu=None`` makes every row its own PSU (R ``id=~1``). ``fpc`` holds either the number of
    PSUs in the population of the stratum (all values >= 1) or the sampling fraction (all
    values <= 1), as R ``svydesign`` accepts; ``fpc_kind`` says which ("population" or
    "fraction", checked against the values) instead of guessing from them ("auto").
    ``psu2``/``fpc2`` add a second stage whose variance is added the way R does for
    ``id=~psu+psu2, fpc=~fpc+fpc2``; without ``fpc`` the second stage is ignored
    (ultimate-cluster variance), again as R does.

    ``nest=True`` treats PSU ids as unique only within their stratum (R ``nest=TRUE``); with
    ``nest=False`` a PSU id found in two strata is an error. ``lonely_psu`` mirrors R's
    ``options(survey.lonely.psu=...)``.
    """

    weight: str
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    psu2: str | None = None
    fpc2: str | None = None
    nest: bool = True
    lonely_psu: LonelyPsu = "fail"
    fpc_kind: FpcKind = "auto"

    def __post_init__(self) -> None:
        _check_name(self.weight, "weight")
        for what in ("strata", "psu", "fpc", "psu2", "fpc2"):
            value = getattr(self, what)
            if value is not None:
                _check_name(value, what)
        if self.lonely_psu not in get_args(LonelyPsu):
            raise DesignError(
                f"unknown lonely_psu policy {self.lonely_psu!r}",
                hint=f"use one of {', '.join(get_args(LonelyPsu))}",
            )
        if self.fpc_kind not in get_args(FpcKind):
            raise DesignError(
                f"unknown fpc_kind {self.fpc_kind!r}",
                hint=f"use one of {', '.join(get_args(FpcKind))}",
            )
        if self.psu2 is not None and self.psu is None:
            raise DesignError("psu2 (second-stage units) needs psu (first-stage units)")
        if self.fpc2 is not None and (self.psu2 is None or self.fpc is None):
            raise DesignError(
                "fpc2 needs psu2 and a first-stage fpc",
                hint="give psu2= and fpc= as well, as R svydesign(id=~psu+psu2, fpc=~fpc+fpc2)",
            )

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The design columns that identify a sampling unit (strata, psu, psu2)."""
        return tuple(c for c in (self.strata, self.psu, self.psu2) if c is not None)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the design reads."""
        cols = [self.weight, *self.key_columns, self.fpc, self.fpc2]
        return tuple(dict.fromkeys(c for c in cols if c is not None))


def check_replicate_constants(
    kind: ReplicateType, *, rho: float | None, rscales: Sequence[float] | None, key: str = ""
) -> None:
    """The constants a replicate type needs (R ``svrepdesign``): Fay's rho in [0, 1), JKn's
    rscales, none negative. ``key`` prefixes the names in messages (a map's "replicates.")."""
    if kind == "Fay" and (rho is None or not 0.0 <= rho < 1.0):
        raise DesignError(
            f"{key}type = 'Fay' needs {key}rho in [0, 1)", hint=f"give {key}rho = 0.5 (say)"
        )
    if kind == "JKn" and rscales is None:
        raise DesignError(
            f"{key}type = 'JKn' needs {key}rscales: (n_h - 1) / n_h for the stratum of each "
            "replicate",
            hint=f"give {key}rscales with one value per replicate column",
        )
    if rscales is not None and any(r < 0 for r in rscales):
        raise DesignError(f"{key}rscales must not be negative")


def _default_scale(kind: ReplicateType, n_rep: int, rho: float | None) -> float:
    if kind == "JK1":
        return (n_rep - 1) / n_rep
    if kind == "BRR":
        return 1.0 / n_rep
    if kind == "Fay":
        assert rho is not None
        return 1.0 / (n_rep * (1.0 - rho) ** 2)
    if kind == "bootstrap":
        return 1.0 / (n_rep - 1)
    return 1.0


@dataclass(frozen=True, slots=True, init=False)
class ReplicateDesign:
    """A replicate-weight design (R ``svrepdesign`` with ``combined.weights=TRUE``).

    ``replicates`` are full analysis weights, one column per replicate. ``scale`` and
    ``rscales`` default as in R: JK1 (R-1)/R, BRR 1/R, Fay 1/(R(1-rho)^2), bootstrap
    1/(R-1); JKn needs ``rscales`` ((n_h-1)/n_h for the stratum each replicate drops a PSU
    from). ``mse=True`` centres replicates on the full-sample estimate, else on their mean.
    ``degf`` is the design's degrees of freedom (R's default is the rank of the replicate
    weights minus one); when omitted, number of replicates minus one.
    """

    weight: str
    replicates: tuple[str, ...]
    type: ReplicateType
    rho: float | None = None
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    mse: bool = False
    degf: int | None = None
    _scale: float = field(init=False, repr=False, compare=False, default=1.0)
    _rscales: tuple[float, ...] = field(init=False, repr=False, compare=False, default=())

    def __init__(
        self,
        weight: str,
        replicates: Sequence[str],
        type: ReplicateType,
        *,
        rho: float | None = None,
        scale: float | None = None,
        rscales: Sequence[float] | None = None,
        mse: bool = False,
        degf: int | None = None,
    ) -> None:
        _check_name(weight, "weight")
        reps = tuple(replicates)
        if len(reps) < 2:
            raise DesignError("a replicate design needs at least two replicate weight columns")
        for name in reps:
            _check_name(name, "replicate weight")
        if type not in get_args(ReplicateType):
            raise DesignError(
                f"unknown replicate type {type!r}",
                hint=f"use one of {', '.join(get_args(ReplicateType))}",
            )
        check_replicate_constants(type, rho=rho, rscales=rscales)
        rs = tuple(float(r) for r in rscales) if rscales is not None else (1.0,) * len(reps)
        if len(rs) == 1:
            rs = rs * len(reps)
        if len(rs) != len(reps):
            raise DesignError(f"rscales has {len(rs)} values for {len(reps)} replicates")
        set_ = object.__setattr__
        set_(self, "weight", weight)
        set_(self, "replicates", reps)
        set_(self, "type", type)
        set_(self, "rho", rho)
        set_(self, "scale", scale)
        set_(self, "rscales", tuple(rscales) if rscales is not None else None)
        set_(self, "mse", bool(mse))
        set_(self, "degf", degf)
        set_(self, "_scale", scale if scale is not None else _default_scale(type, len(reps), rho))
        set_(self, "_rscales", rs)

    @property
    def effective_scale(self) -> float:
        """The overall multiplier of the replicate variance."""
        return self._scale

    @property
    def effective_rscales(self) -> tuple[float, ...]:
        """Per-replicate multipliers."""
        return self._rscales

    @property
    def design_df(self) -> int:
        """Degrees of freedom for intervals."""
        return self.degf if self.degf is not None else len(self.replicates) - 1

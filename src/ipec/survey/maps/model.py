"""The model of a variable map file, validated with pydantic."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ipec.classify.record import CHILD_FIELDS
from ipec.errors import DesignError
from ipec.survey.design import FpcKind, ReplicateType, check_replicate_constants

__all__ = [
    "DesignVariables",
    "DomainVariable",
    "JoinFile",
    "KeepRule",
    "ReplicateWeights",
    "SurveyMap",
]

_CHILD_KINDS = {field.name: field.kind for field in CHILD_FIELDS}
Names = tuple[str, ...]


def _as_names(value: object) -> object:
    return (value,) if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeepRule(_Strict):
    """Rows kept: those whose ``variable`` holds one of ``values`` (completed interviews)."""

    variable: str
    values: tuple[int, ...]


class ReplicateWeights(_Strict):
    """Replicate weight columns shipped with the survey (named prefix1, prefix2, ...), with
    the constants of R ``svrepdesign``: ``scale``, ``rscales`` (one per replicate, or one for
    all), ``rho`` (Fay), ``mse`` and ``df`` (the design's degrees of freedom, R ``degf``).
    ``count``, when given, is checked against the columns found."""

    prefix: str = Field(min_length=1)
    type: ReplicateType
    rho: float | None = None
    scale: float | None = Field(default=None, gt=0)
    rscales: tuple[float, ...] | None = None
    mse: bool = False
    df: int | None = Field(default=None, ge=1)
    count: int | None = Field(default=None, ge=2)

    @model_validator(mode="after")
    def _constants_fit(self) -> Self:
        try:
            check_replicate_constants(
                self.type, rho=self.rho, rscales=self.rscales, key="replicates."
            )
        except DesignError as error:
            raise ValueError(error.message) from None
        if self.type != "Fay" and self.rho is not None:
            raise ValueError(
                f"replicates.rho is for type 'Fay' only; type {self.type!r} cannot use it"
            )
        if (
            self.rscales is not None
            and self.count is not None
            and len(self.rscales) not in (1, self.count)
        ):
            raise ValueError(
                f"replicates.rscales has {len(self.rscales)} values for "
                f"replicates.count = {self.count}"
            )
        return self


class DesignVariables(_Strict):
    """Candidate names (first found wins, case-insensitive) of the design variables.

    ``fpc`` and ``fpc2`` hold the population size or the sampling fraction of the first and
    second stage (``fpc_kind`` says which; "auto" decides from the values as R does);
    ``psu2`` names the second-stage units; ``nest`` reads PSU ids as unique only within their
    stratum (R ``nest=TRUE``). ``replicates`` replaces the linearised design: a replicate
    design takes its variance from the replicate weights alone, so it cannot be combined
    with ``psu``, ``strata``, ``fpc``, ``psu2`` or ``fpc2``.
    """

    weight: Names
    psu: Names = ()
    strata: Names = ()
    fpc: Names = ()
    psu2: Names = ()
    fpc2: Names = ()
    fpc_kind: FpcKind = "auto"
    nest: bool = True
    keep: KeepRule | None = None
    replicates: ReplicateWeights | None = None

    _names = field_validator("weight", "psu", "strata", "fpc", "psu2", "fpc2", mode="before")(
        _as_names
    )

    @model_validator(mode="after")
    def _usable_together(self) -> Self:
        if self.replicates is not None:
            clash = [k for k in ("psu", "strata", "fpc", "psu2", "fpc2") if getattr(self, k)]
            if clash:
                raise ValueError(
                    f"design.{', design.'.join(clash)} cannot be used with design.replicates: "
                    "a replicate design takes its variance from the replicate weights; remove "
                    "them, or remove design.replicates for the linearised design"
                )
        if self.psu2 and not self.psu:
            raise ValueError("design.psu2 (second-stage units) needs design.psu")
        if self.fpc2 and not (self.psu2 and self.fpc):
            raise ValueError("design.fpc2 needs design.psu2 and a first-stage design.fpc")
        if self.psu2 and self.fpc and not self.fpc2:
            raise ValueError(
                "design.psu2 with a first-stage design.fpc needs design.fpc2 (the second "
                "stage's population sizes or fractions)"
            )
        if self.psu2 and not self.fpc:
            raise ValueError(
                "design.psu2 without design.fpc has no effect (the variance of a with-"
                "replacement first stage is the ultimate-cluster variance, as R computes it): "
                "give design.fpc and design.fpc2, or remove design.psu2"
            )
        if "nest" in self.model_fields_set and not (self.psu and self.strata):
            raise ValueError(
                "design.nest says whether PSU ids repeat across strata: it needs design.psu "
                "and design.strata"
            )
        if self.fpc_kind != "auto" and not self.fpc:
            raise ValueError("design.fpc_kind describes design.fpc, which is not given")
        return self

    @field_validator("weight")
    @classmethod
    def _weight_named(cls, value: Names) -> Names:
        if not value:
            raise ValueError("give at least one weight variable")
        return value


class DomainVariable(_Strict):
    """A variable to break estimates down by, with the label of each code."""

    variable: Names
    label: str = ""
    codes: dict[str, str] = Field(default_factory=dict)

    _names = field_validator("variable", mode="before")(_as_names)

    @field_validator("codes", mode="before")
    @classmethod
    def _keys_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(key): label for key, label in value.items()}
        return value


class JoinFile(_Strict):
    """Another file of the survey, one row per household (MICS ``hh``), whose variables every
    row of the survey file takes from its household, matched on ``keys`` (MICS: cluster
    ``HH1`` and household ``HH2``).

    ``file`` is a path, relative to the survey file's folder unless absolute. ``variables``
    names the variables taken (they replace the survey file's own of the same name); empty,
    every variable of the household file the survey file lacks is taken.
    """

    file: str = Field(min_length=1)
    keys: Names
    variables: Names = ()

    _names = field_validator("keys", "variables", mode="before")(_as_names)

    @field_validator("keys")
    @classmethod
    def _keys_named(cls, value: Names) -> Names:
        if not value:
            raise ValueError('give the household keys, e.g. keys = ["HH1", "HH2"]')
        return value


class SurveyMap(_Strict):
    """How one survey's variables map onto the canonical child record and the design."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-_]*$", max_length=64)
    version: str
    title: str
    source: str
    yes_codes: tuple[int, ...] = (1,)
    no_codes: tuple[int, ...] = (2,)
    no_response_codes: tuple[int, ...] = (9,)
    unknown_hours_codes: tuple[int, ...] = (97, 98, 99)
    design: DesignVariables
    child: dict[str, Names]
    domains: dict[str, DomainVariable] = Field(default_factory=dict)
    background: dict[str, DomainVariable] = Field(default_factory=dict)
    join: JoinFile | None = None

    @field_validator("child", mode="before")
    @classmethod
    def _child_names(cls, value: object) -> object:
        if isinstance(value, dict):
            return {key: _as_names(names) for key, names in value.items()}
        return value

    @model_validator(mode="after")
    def _known_fields(self) -> Self:
        unknown = sorted(set(self.child) - set(_CHILD_KINDS))
        if unknown:
            raise ValueError(
                f"child field(s) {', '.join(unknown)} are not in the canonical child record"
            )
        for required in ("age", "econ_any", "econ_hours"):
            if required not in self.child:
                raise ValueError(f"child.{required} is required")
        for name, names in self.child.items():
            if not names:
                raise ValueError(f"child.{name} names no variable")
            if _CHILD_KINDS[name] != "flag" and len(names) != 1:
                raise ValueError(f"child.{name} takes one variable; only flags take a list")
        clash = sorted(set(self.domains) & set(self.background))
        if clash:
            raise ValueError(f"{', '.join(clash)} is both a domain and a background variable")
        return self

    def kind_of(self, child_field: str) -> str:
        """The canonical kind (age, flag, hours, code) of a child field."""
        return _CHILD_KINDS[child_field]

"""The model of a variable map file, validated with pydantic."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ipec.classify.record import CHILD_FIELDS
from ipec.survey.design import ReplicateType

__all__ = ["DesignVariables", "DomainVariable", "KeepRule", "ReplicateWeights", "SurveyMap"]

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
    """Replicate weight columns shipped with the survey (named prefix1, prefix2, ...)."""

    prefix: str = Field(min_length=1)
    type: ReplicateType
    rho: float | None = None
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    mse: bool = False


class DesignVariables(_Strict):
    """Candidate names (first found wins, case-insensitive) of the design variables."""

    weight: Names
    psu: Names = ()
    strata: Names = ()
    fpc: Names = ()
    keep: KeepRule | None = None
    replicates: ReplicateWeights | None = None

    _names = field_validator("weight", "psu", "strata", "fpc", mode="before")(_as_names)

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

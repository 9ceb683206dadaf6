"""The indicators a target may name, each computed by the metrics (never typed in).

Each indicator says its unit (a count, or a rate: a fraction from 0 to 1), the target
groups it can be split by (from the groups its metric returns: "<sex>*<age group>" rows give
girls, boys and under 12; E1's status gives at risk; hazardous comes from the hazardous work
rate), and how it is computed for an area subtree and a period. A group an indicator cannot
be split by is refused when the target is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from ipec.monitoring.awareness import awareness_counts
from ipec.monitoring.metrics import (
    Count,
    Period,
    Rate,
    dol_child_indicators,
    dol_education_services,
    dol_household_indicators,
    dol_livelihood_services,
    hazardous_work_rate,
    identification_rate,
)
from ipec.programmes.models import TargetGroup

__all__ = ["INDICATORS", "Achieved", "Indicator", "Unit", "achieved_by_group"]


class Unit(StrEnum):
    COUNT = "count"
    RATE = "rate"


@dataclass(frozen=True, slots=True)
class Achieved:
    """What the metrics found: a count (``denominator`` None) or a rate."""

    numerator: int
    denominator: int | None

    @property
    def value(self) -> float | None:
        if self.denominator is None:
            return float(self.numerator)
        return self.numerator / self.denominator if self.denominator else None


Compute = Callable[[Session, str, Period], dict[TargetGroup, Achieved]]


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    label: str
    unit: Unit
    groups: frozenset[TargetGroup]
    compute: Compute


_G = TargetGroup
_BY_SEX_AND_AGE = frozenset({_G.ALL, _G.GIRLS, _G.BOYS, _G.UNDER_12})


def _in_group(group: str, wanted: TargetGroup) -> bool:
    """Whether a metric's group label ("female*5-11", "at_risk*male*12-14") is in ``wanted``."""
    parts = group.split("*")
    if wanted is _G.ALL:
        return True
    if wanted is _G.GIRLS:
        return "female" in parts
    if wanted is _G.BOYS:
        return "male" in parts
    if wanted is _G.UNDER_12:
        return parts[-1] in {"under 5", "5-11"}
    if wanted is _G.AT_RISK:
        return parts[0] == "at_risk"
    return False


def _rates(rates: list[Rate], groups: Iterable[TargetGroup]) -> dict[TargetGroup, Achieved]:
    detail = [r for r in rates if r.group != "total"]
    found = {}
    for wanted in groups:
        chosen = [r for r in detail if _in_group(r.group, wanted)]
        found[wanted] = Achieved(sum(r.numerator for r in chosen),
                                 sum(r.denominator for r in chosen))  # fmt: skip
    return found


def _counts(counts: list[Count], groups: Iterable[TargetGroup]) -> dict[TargetGroup, Achieved]:
    detail = [c for c in counts if c.group != "total"]
    return {
        wanted: Achieved(sum(c.count for c in detail if _in_group(c.group, wanted)), None)
        for wanted in groups
    }


def _poc(attribute: str) -> Compute:
    def compute(session: Session, path: str, period: Period) -> dict[TargetGroup, Achieved]:
        found = dol_child_indicators(session, area_path=path, period=period)
        return _rates(getattr(found, attribute), _BY_SEX_AND_AGE)

    return compute


def _poh(attribute: str) -> Compute:
    def compute(session: Session, path: str, period: Period) -> dict[TargetGroup, Achieved]:
        rate = getattr(dol_household_indicators(session, area_path=path, period=period).end,
                       attribute)  # fmt: skip
        return {_G.ALL: Achieved(rate.numerator, rate.denominator)}

    return compute


def _e1(session: Session, path: str, period: Period) -> dict[TargetGroup, Achieved]:
    counts = dol_education_services(session, area_path=path, period=period)["all"]
    return _counts(counts, _BY_SEX_AND_AGE | {_G.AT_RISK})


def _l1(session: Session, path: str, period: Period) -> dict[TargetGroup, Achieved]:
    return {_G.ALL: Achieved(dol_livelihood_services(session, area_path=path,
                                                     period=period)["all"], None)}  # fmt: skip


def _identified(session: Session, path: str, period: Period) -> dict[TargetGroup, Achieved]:
    rates = identification_rate(session, area_path=path, period=period)
    found = {g: Achieved(a.numerator, None) for g, a in _rates(rates, _BY_SEX_AND_AGE).items()}
    hazardous = hazardous_work_rate(session, area_path=path, period=period)[0]
    found[_G.HAZARDOUS] = Achieved(hazardous.numerator, None)
    return found


def _awareness_sessions(session: Session, path: str, period: Period) -> dict[TargetGroup, Achieved]:
    total = awareness_counts(session, area_path=path, period=period)[0]
    return {_G.ALL: Achieved(total.sessions, None)}


def _awareness_participants(
    session: Session, path: str, period: Period
) -> dict[TargetGroup, Achieved]:
    total = awareness_counts(session, area_path=path, period=period)[0]
    return {_G.ALL: Achieved(total.participants, None), _G.GIRLS: Achieved(total.girls, None),
            _G.BOYS: Achieved(total.boys, None)}  # fmt: skip


def _table(*indicators: Indicator) -> dict[str, Indicator]:
    return {i.code: i for i in indicators}


_POC = _BY_SEX_AND_AGE
#: Every indicator a target may name, by code.
INDICATORS = _table(
    Indicator("POC1", "% of participant children engaged in child labour", Unit.RATE, _POC,
              _poc("poc1_child_labour")),
    Indicator("POC2", "% of participant children engaged in hazardous child labour", Unit.RATE,
              _POC, _poc("poc2_hazardous_work")),
    Indicator("POC3", "% of participant children in other worst forms", Unit.RATE, _POC,
              _poc("poc3_other_worst_forms")),
    Indicator("POC4", "% of participant children attending school regularly", Unit.RATE, _POC,
              _poc("poc4_regular_attendance")),
    Indicator("POH1", "% of livelihood households with a child in child labour", Unit.RATE,
              frozenset({_G.ALL}), _poh("poh1_child_labour")),
    Indicator("POH2", "% of livelihood households with a child in hazardous child labour",
              Unit.RATE, frozenset({_G.ALL}), _poh("poh2_hazardous_work")),
    Indicator("POH3", "% of livelihood households with a child in other worst forms",
              Unit.RATE, frozenset({_G.ALL}), _poh("poh3_other_worst_forms")),
    Indicator("POH4", "% of livelihood households whose children of school age attend",
              Unit.RATE, frozenset({_G.ALL}), _poh("poh4_regular_attendance")),
    Indicator("E1", "Children in or at risk of child labour given education or training",
              Unit.COUNT, _BY_SEX_AND_AGE | {_G.AT_RISK}, _e1),
    Indicator("L1", "Households given livelihood services", Unit.COUNT, frozenset({_G.ALL}),
              _l1),
    Indicator("IDENTIFIED", "Children found in child labour (hazardous: in hazardous work)",
              Unit.COUNT, _BY_SEX_AND_AGE | {_G.HAZARDOUS}, _identified),
    Indicator("AWARENESS_SESSIONS", "Awareness-raising sessions held", Unit.COUNT,
              frozenset({_G.ALL}), _awareness_sessions),
    Indicator("AWARENESS_PARTICIPANTS", "Participants in awareness raising (girls, boys: the "
              "children among them)", Unit.COUNT, frozenset({_G.ALL, _G.GIRLS, _G.BOYS}),
              _awareness_participants),
)  # fmt: skip


def achieved_by_group(
    session: Session, indicator: Indicator, area_path: str, period: Period
) -> dict[TargetGroup, Achieved]:
    """The indicator's achieved value for each group it can be split by."""
    return indicator.compute(session, area_path, period)

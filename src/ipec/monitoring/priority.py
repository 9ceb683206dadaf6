"""The order cases are worked in: worst forms, hazardous work, under 12, girls, then the oldest."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case

from ipec.monitoring.followup import add_months
from ipec.monitoring.models import Case, Sex

__all__ = ["priority_groups", "priority_order"]


def _young(today: date) -> ColumnElement[bool]:
    """The child is under 12 on ``today`` (from the copy of its birth date on the case)."""
    return Case.child_birth_date > add_months(today, -12 * 12)


#: The child is a girl (from the copy of its sex on the case).
_GIRL = Case.child_sex == Sex.FEMALE


def priority_order(today: date) -> list[ColumnElement[Any]]:
    """ORDER BY clauses for a query over Case, most urgent first."""
    return [
        Case.worst_forms.desc(),
        Case.hazardous.desc(),
        case((_young(today), 0), else_=1).asc(),
        case((_GIRL, 0), else_=1).asc(),
        Case.opened_on.asc(),
        Case.id.asc(),
    ]


def priority_groups(today: date) -> list[list[ColumnElement[bool]]]:
    """The sixteen groups of cases that :func:`priority_order` sorts before the age of the
    case, most urgent first, each as WHERE clauses over Case: within a group the order is
    the oldest case first, so a list's first rows are the first rows of each group, merged."""
    young = _young(today)
    return [
        [
            # an equality for both values of a flag: the priority index is searched for each
            # (an IS NOT would make every group read the whole index)
            Case.worst_forms == worst_forms,
            Case.hazardous == hazardous,
            young if is_young else ~young,
            _GIRL if girl else ~_GIRL,
        ]
        for worst_forms, hazardous, is_young, girl in itertools.product((True, False), repeat=4)
    ]

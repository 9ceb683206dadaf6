"""The order cases are worked in: worst forms, hazardous work, under 12, girls, then the oldest."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case

from ipec.monitoring.followup import add_months
from ipec.monitoring.models import Case, Child, Sex

__all__ = ["priority_groups", "priority_order"]


def priority_order(today: date) -> list[ColumnElement[Any]]:
    """ORDER BY clauses for a query joining Case and Child, most urgent first."""
    twelve_years_ago = add_months(today, -12 * 12)
    return [
        Case.worst_forms.desc(),
        Case.hazardous.desc(),
        case((Child.birth_date > twelve_years_ago, 0), else_=1).asc(),
        case((Child.sex == Sex.FEMALE, 0), else_=1).asc(),
        Case.opened_on.asc(),
        Case.id.asc(),
    ]


def priority_groups(today: date) -> list[list[ColumnElement[bool]]]:
    """The sixteen groups of cases that :func:`priority_order` sorts before the age of the
    case, most urgent first, each as WHERE clauses over Case and Child: within a group the
    order is the oldest case first, so a list's first rows are the first rows of each group,
    merged."""
    twelve_years_ago = add_months(today, -12 * 12)
    groups: list[list[ColumnElement[bool]]] = []
    for worst_forms in (True, False):
        for hazardous in (True, False):
            for young in (True, False):
                for girl in (True, False):
                    groups.append(
                        [
                            Case.worst_forms == worst_forms,
                            Case.hazardous == hazardous,
                            Child.birth_date > twelve_years_ago
                            if young
                            else Child.birth_date <= twelve_years_ago,
                            Child.sex == Sex.FEMALE if girl else Child.sex != Sex.FEMALE,
                        ]
                    )
    return groups

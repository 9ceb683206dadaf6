"""The order cases are worked in: worst forms, hazardous work, under 12, girls, then the oldest."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case

from ipec.monitoring.followup import add_months
from ipec.monitoring.models import Case, Child, Sex

__all__ = ["priority_order"]


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

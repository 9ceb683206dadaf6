"""SQL 0/1 flags over a visit's columns, shared by the child facts (kept with every visit
written) and the metrics: one definition, below both, so that recording a visit does not
load the metrics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, case, cast

from ipec.classify import Reason

__all__ = ["flag", "found_worst_form"]


def flag(condition: Any) -> Any:
    """1 when ``condition`` holds, else 0: summed for counts, maxed for "any"."""
    return case((condition, 1), else_=0)


def found_worst_form(reasons: Any) -> Any:
    """A visit's stored reasons (JSON) name a worst form other than hazardous work."""
    return cast(reasons, String).like(f'%"{Reason.WFCL_OTHER.value}"%')

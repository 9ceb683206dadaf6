"""The child labour rules engine: Polars expressions over the canonical child record.

Rule: no file, database, web or command-line code here. Frames in, frames out; the one-child API
runs the same expressions as the bulk engine.
"""

from ipec.classify.child import ChildResult, classify_child
from ipec.classify.engine import classify, resolve_profile
from ipec.classify.explain import Finding
from ipec.classify.record import (
    CHILD_FIELDS,
    HAZARDOUS_REASONS,
    OUTPUT_FIELDS,
    REASON_COLUMNS,
    REQUIRED_COLUMNS,
    Reason,
    WorkStatus,
    child_fields,
    hazard_columns,
    reason_column,
)

__all__ = [
    "CHILD_FIELDS",
    "HAZARDOUS_REASONS",
    "OUTPUT_FIELDS",
    "REASON_COLUMNS",
    "REQUIRED_COLUMNS",
    "ChildResult",
    "Finding",
    "Reason",
    "WorkStatus",
    "child_fields",
    "classify",
    "classify_child",
    "hazard_columns",
    "reason_column",
    "resolve_profile",
]

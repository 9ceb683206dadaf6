"""The child labour monitoring and remediation system: records, workflow, services.

Rule: only service functions write to the database; web and CLI call them. Every read and
write of a child's record goes through one access module and is audit-logged.
"""

# Imported for their flush hooks, which keep the read model and the search keys of names
# current with every write.
# Imported for the users table, which follow-ups and area monitors refer to (a flush of
# either sorts the tables by their foreign keys).
from ipec.auth import models as _auth_models  # noqa: F401
from ipec.monitoring import readmodel as _readmodel  # noqa: F401
from ipec.monitoring import search_keys as _search_keys  # noqa: F401
from ipec.monitoring.models import (
    Area,
    AuditEntry,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Child,
    Household,
    Sex,
    Visit,
)
from ipec.monitoring.workflow import TRANSITIONS, Action, allowed_actions, transition

__all__ = [
    "TRANSITIONS",
    "Action",
    "Area",
    "AuditEntry",
    "Case",
    "CaseEvent",
    "CaseKind",
    "CaseStatus",
    "Child",
    "Household",
    "Sex",
    "Visit",
    "allowed_actions",
    "transition",
]

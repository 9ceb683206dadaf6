"""Users, roles, geographic scope, passwords, tokens, and the access gate to children's records.

Rule: every read or change of a child's record goes through :func:`access_child` (or the
query :func:`children_in_scope`), which audit-logs it.
"""

from ipec.auth.access import Operation, Principal, access_child, children_in_scope, principal_of
from ipec.auth.models import ApiToken, Role, User
from ipec.auth.service import authenticate, create_user, issue_token, user_for_token

__all__ = [
    "ApiToken",
    "Operation",
    "Principal",
    "Role",
    "User",
    "access_child",
    "authenticate",
    "children_in_scope",
    "create_user",
    "issue_token",
    "principal_of",
    "user_for_token",
]

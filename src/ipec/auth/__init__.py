"""Users, roles, geographic scope, passwords, tokens, and the access gate to children's records.

Rule: every read or change of a child's record goes through :func:`access_child` (or the
query :func:`children_in_scope`, or a list through :func:`read_list`), which audit-logs it.
The gate decides who may read; ``ipec.monitoring.queries`` decides how a list is found.
"""

from ipec.auth.access import (
    CHANGE_ROLES,
    Export,
    Listed,
    Listing,
    Operation,
    Principal,
    access_case,
    access_case_record,
    access_child,
    access_household,
    area_in_scope,
    children_in_scope,
    may_read_audit_log,
    principal_of,
    read_audit_log,
    read_export,
    read_list,
    read_metrics,
    require_role,
)
from ipec.auth.models import ApiToken, Role, User, WebSession
from ipec.auth.service import (
    authenticate,
    change_password,
    close_session,
    create_user,
    csrf_token,
    issue_token,
    list_tokens,
    open_session,
    revoke_token,
    user_for_session,
    user_for_token,
)

__all__ = [
    "CHANGE_ROLES",
    "ApiToken",
    "Export",
    "Listed",
    "Listing",
    "Operation",
    "Principal",
    "Role",
    "User",
    "WebSession",
    "access_case",
    "access_case_record",
    "access_child",
    "access_household",
    "area_in_scope",
    "authenticate",
    "change_password",
    "children_in_scope",
    "close_session",
    "create_user",
    "csrf_token",
    "issue_token",
    "list_tokens",
    "may_read_audit_log",
    "open_session",
    "principal_of",
    "read_audit_log",
    "read_export",
    "read_list",
    "read_metrics",
    "require_role",
    "revoke_token",
    "user_for_session",
    "user_for_token",
]

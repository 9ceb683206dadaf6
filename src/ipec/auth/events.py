"""Security events: refused requests kept in the audit log even though the request's own
transaction is rolled back, and the repeated refusals an administrator should look at.

A refused request (a record out of scope or missing, an action the role may not take, a
stale edit) raises, and its transaction, with any audit row in it, is rolled back. The event
is therefore written by :func:`write_security_event` in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ipec.auth.access import Principal, may_read_audit_log
from ipec.errors import PermissionDenied
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import AuditEntry

__all__ = [
    "DENIALS",
    "RepeatedDenial",
    "repeated_denials",
    "write_security_event",
]

#: The audit actions that record a refusal (counted by :func:`repeated_denials`).
DENIALS = (
    "request.denied",
    "sign_in.failure",
    "sign_in.refused",
    "sign_in.throttled",
    "password.failure",
)


def write_security_event(
    sessions: sessionmaker[Session],
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    origin: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """An audit row in a transaction of its own, committed whatever becomes of the caller's."""
    with sessions() as session, session.begin():
        write_audit(session, actor=actor[:100], action=action, entity=entity,
                    entity_id=entity_id, origin=origin, detail=detail)  # fmt: skip


@dataclass(frozen=True)
class RepeatedDenial:
    """Refusals of one user from one address since a moment: how many, and the last."""

    actor: str
    origin: str | None
    count: int
    last: datetime


def repeated_denials(
    session: Session, principal: Principal, *, since: datetime, at_least: int = 3, limit: int = 20
) -> list[RepeatedDenial]:
    """Who (user and address) was refused at least ``at_least`` times since ``since``, most
    refused first: probing, guessing, or a client that needs fixing. For the readers of the
    audit log only."""
    if not may_read_audit_log(principal):
        raise PermissionDenied(
            "only an administrator of the whole programme may read the audit log"
        )
    count = func.count().label("count")
    query = (
        select(AuditEntry.actor, AuditEntry.origin, count, func.max(AuditEntry.at))
        .where(AuditEntry.action.in_(DENIALS), AuditEntry.at >= since)
        .group_by(AuditEntry.actor, AuditEntry.origin)
        .having(func.count() >= at_least)
        .order_by(count.desc(), AuditEntry.actor)
        .limit(limit)
    )
    return [RepeatedDenial(actor, origin, int(n), last)
            for actor, origin, n, last in session.execute(query)]  # fmt: skip

"""The one writer of audit rows: who did what to which record, when and from where."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ipec.monitoring.models import AuditEntry

__all__ = ["write_audit"]


def write_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    origin: str | None,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add an audit row to the caller's transaction (append-only: nothing updates it)."""
    session.add(
        AuditEntry(
            at=at or datetime.now(UTC),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            origin=origin,
            detail=dict(detail or {}),
        )
    )

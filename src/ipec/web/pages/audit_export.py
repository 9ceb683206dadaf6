"""The audit log as a CSV file, with the page's filters: for an inspection, or to keep
outside the server. The newest :data:`MAX_ROWS` rows; reading them is itself logged."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ipec.auth import read_audit_log
from ipec.web.deps import DbSession, origin
from ipec.web.pages.deps import SignedIn

__all__ = ["MAX_ROWS", "router"]

router = APIRouter(include_in_schema=False)

#: The most rows one file holds (the newest); filter by user or record type for older ones.
MAX_ROWS = 50_000
_COLUMNS = ("at_utc", "user", "action", "record_type", "record_id", "from", "details")


@router.get("/admin/audit.csv")
def audit_csv(
    *,
    request: Request,
    db: DbSession,
    viewer: SignedIn,
    actor: Annotated[str, Query(max_length=100)] = "",
    entity: Annotated[str, Query(max_length=40)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    address: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The filtered audit log, newest first (administrators of the whole programme only)."""
    entries = read_audit_log(db, viewer.principal, actor=actor.strip() or None,
                             entity=entity.strip() or None, action=action.strip() or None,
                             address=address.strip() or None, page=1, per_page=MAX_ROWS,
                             origin=origin(request))  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_COLUMNS)
    for entry in entries:
        details = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
        cells = (entry.at.strftime("%Y-%m-%dT%H:%M:%SZ"), entry.actor, entry.action, entry.entity,
                 entry.entity_id or "", entry.origin or "", details)  # fmt: skip
        writer.writerow([_inert(cell) for cell in cells])
    disposition = 'attachment; filename="audit-log.csv"'
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})  # fmt: skip


def _inert(cell: object) -> object:
    """Text a spreadsheet would run as a formula (a name typed at sign-in, say) kept as text."""
    if isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + cell
    return cell

"""``/imports/submissions``: an export of ODK Central or KoboToolbox uploaded and imported
as the caller (``ipec.forms.importer``: each submission whole or not at all, each once)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ipec.auth import CHANGE_ROLES, Principal, require_role
from ipec.errors import DataError
from ipec.forms.exports import read_submissions
from ipec.forms.importer import ImportReport, import_submissions
from ipec.standards import Profile, load_profile
from ipec.web.api.common import today
from ipec.web.deps import CurrentPrincipal, DbSession

__all__ = ["router"]

router = APIRouter(tags=["imports"])
_SUFFIXES = (".zip", ".csv", ".xlsx", ".xml", ".json")
#: A file name kept as the export's (letters, digits, spaces, dots, dashes, underscores).
_NAME = re.compile(r"[\w .-]{1,200}")


class RejectionOut(BaseModel):
    """A refused submission's file, row, instance id, field and reason."""

    source: str
    row: int
    instance_id: str
    field: str
    message: str


class ImportOut(BaseModel):
    """Submissions new, unchanged (imported before) and refused (each reason listed)."""

    new: int
    unchanged: int
    refused: int
    rejections: list[RejectionOut]


@router.post("/imports/submissions", response_model=ImportOut)
async def import_submissions_route(
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    filename: Annotated[
        str,
        Query(
            max_length=200, description="The export's file name (.zip, .csv, .xlsx, .json or .xml)."
        ),
    ],
) -> ImportOut:
    """Import the export sent as the request's body (its bytes, of the type its
    ``filename`` ends with), as the caller; the body limit (``IPEC_MAX_BODY_BYTES``) bounds
    its size. Refused submissions are listed; the others are imported."""
    require_role(who, CHANGE_ROLES, "import submissions")
    name = Path(filename).name
    if not _NAME.fullmatch(name) or not name.lower().endswith(_SUFFIXES):
        raise DataError(
            f"{name!r} is not a .zip, .csv, .xlsx, .json or .xml export",
            column="filename",
            hint="send ODK Central's CSV .zip or KoboToolbox's XLSX or CSV export",
        )
    body = await request.body()
    profile = load_profile(request.app.state.settings.profile)
    report = await run_in_threadpool(_import, db, who, profile, name, body)
    rejections = [
        RejectionOut(
            source=item.source,
            row=item.row,
            instance_id=item.instance_id,
            field=item.field,
            message=item.message,
        )
        for item in report.rejected
    ]
    refused = len({(item.source, item.row) for item in report.rejected})
    return ImportOut(
        new=report.new, unchanged=report.unchanged, refused=refused, rejections=rejections
    )


def _import(db: Session, who: Principal, profile: Profile, name: str, body: bytes) -> ImportReport:
    """Read and import the export (off the event loop: it reads and writes the database)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        submissions = read_submissions(path)
    return import_submissions(db, submissions, principal=who, profile=profile, today=today())

"""CSV and XLSX exports of the case list, within the caller's scope and filters."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ipec.auth import read_export
from ipec.monitoring.export import EXPORT_FORMATS, write_cases
from ipec.monitoring.queries import CaseExport
from ipec.web.api.common import today
from ipec.web.api.filters import CaseFilters
from ipec.web.deps import CurrentPrincipal, DbSession, origin

__all__ = ["router"]

router = APIRouter(tags=["exports"])

_CHUNK = 64 * 1024


def _stream(spooled: tempfile.SpooledTemporaryFile[bytes]) -> Iterator[bytes]:
    with spooled:
        spooled.seek(0)
        while chunk := spooled.read(_CHUNK):
            yield chunk


@router.get(
    "/exports/cases.{file_format}",
    response_class=StreamingResponse,
    responses={200: {"content": {media: {} for media in EXPORT_FORMATS.values()}}},
)
def export_case_list(
    file_format: Literal["csv", "xlsx"],
    request: Request,
    db: DbSession,
    who: CurrentPrincipal,
    filters: CaseFilters,
) -> StreamingResponse:
    """Every case of the caller's list with these filters, pseudonymous (no names), in
    priority order. The file is written in full before it is sent, so an error never leaves
    half a file."""
    now = today()
    export = CaseExport(filters, now, file_format)
    rows = read_export(db, who, export, origin=origin(request))
    spooled: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=8 * 1024 * 1024
    )  # closed by _stream once sent, or here on error
    try:
        write_cases(rows, file_format, spooled, today=now)
    except BaseException:
        spooled.close()
        raise
    name = f"cases-{now.isoformat()}.{file_format}"
    return StreamingResponse(
        _stream(spooled),
        media_type=EXPORT_FORMATS[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

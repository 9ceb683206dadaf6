"""Refused requests of signed-in users go to the audit log (``request.denied``), written in a
transaction of their own since the request's is rolled back (``ipec.auth.events``).

The user is known once the request's credentials are checked: :func:`remember_principal`
notes them on the request for the error handler. Requests without a known user are not
written (nothing ties them to anyone, and a flood of them must not become a flood of writes);
sign-in refusals are written by the sign-in itself (``ipec.web.signin``).
"""

from __future__ import annotations

import logging

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from ipec.auth.access import Principal
from ipec.auth.events import write_security_event
from ipec.errors import Conflict, IpecError, NotFound, PermissionDenied
from ipec.web.signin import SIGN_IN_ROUTES

__all__ = ["record_refusal", "remember_principal"]

_REFUSALS = (NotFound, PermissionDenied, Conflict)
_log = logging.getLogger(__name__)


def remember_principal(request: Request, principal: Principal) -> None:
    """Note who is making the request, for the audit row of a refusal."""
    request.state.principal = principal


async def record_refusal(request: Request, error: IpecError) -> None:
    """Write the refusal of a signed-in user's request (404, 403 or 409) to the audit log."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None or not isinstance(error, _REFUSALS):
        return
    if (request.method, request.url.path) in SIGN_IN_ROUTES:
        return
    detail = {"method": request.method, "path": request.url.path[:300],
              "status": error.http_status, "error": type(error).__name__,
              "message": error.message[:300]}  # fmt: skip
    try:
        await run_in_threadpool(
            write_security_event, request.app.state.sessions, actor=principal.username,
            action="request.denied", entity="request", entity_id=0,
            origin=request.client.host if request.client else None, detail=detail,
        )  # fmt: skip
    except SQLAlchemyError:  # the refusal is answered even if the log cannot take it
        _log.exception("could not write the refusal of %s %s", request.method, request.url.path)

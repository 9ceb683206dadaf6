"""``/api/v1``: each route parses, passes the access gate, calls one service, renders."""

from __future__ import annotations

from fastapi import APIRouter

from ipec.web.api import (
    account,
    cases,
    children,
    exports,
    follow_ups,
    households,
    metrics,
    reference,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
for part in (account, reference, households, children, cases, follow_ups, metrics, exports):
    router.include_router(part.router)

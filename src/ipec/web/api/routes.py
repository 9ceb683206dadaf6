"""``/api/v1``: each route parses, passes the access gate, calls one service, renders."""

from __future__ import annotations

from fastapi import APIRouter

from ipec.web.api import (
    account,
    alliance,
    awareness,
    cases,
    children,
    consents,
    exports,
    follow_ups,
    forms,
    households,
    imports,
    metrics,
    need,
    partner_referrals,
    prevention,
    programmes,
    reference,
    reminders,
    supervision,
    users,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
for part in (account, users, reference, households, children, cases, follow_ups, need, metrics,
             exports):  # fmt: skip
    router.include_router(part.router)
for part in (consents, partner_referrals, supervision, programmes, alliance, awareness,
             prevention, imports, forms, reminders):  # fmt: skip
    router.include_router(part.router)

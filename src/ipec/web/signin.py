"""Sign-in that a flood cannot turn against signed-in users.

A sign-in checks an Argon2 hash (about 0.1 s of CPU and 64 MiB). Checked while holding one of
the database admission turns (``take_turns`` in ``ipec.web.app``), a few dozen bogus sign-ins
made every signed-in request wait seconds. Here a sign-in:

1. is counted against two sliding one-minute windows before anything else, one per client
   address and one for the whole process (``sign_in_per_address_per_minute``,
   ``sign_in_per_minute``); over either it is refused (429, ``Retry-After``) with no hashing
   and no database work (the first refusal of an address in a window is audit-logged);
2. reads the account in a short database turn;
3. checks the password outside any database turn, at most ``hashers`` at once (waiting in the
   event loop, a bounded queue beyond which it is refused);
4. settles the result (failure counted, or session opened) in a second short turn.

The sign-in routes are therefore not admitted by ``take_turns``: :data:`SIGN_IN_ROUTES`.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from ipec.auth.models import Role, User
from ipec.auth.passwords import verify_password
from ipec.auth.service import open_session
from ipec.auth.signin import Candidate, settle_sign_in, sign_in_candidate
from ipec.errors import DatabaseUnavailable, IpecError, TooManyAttempts
from ipec.monitoring.audit import write_audit

__all__ = ["SIGN_IN_ROUTES", "AttemptLimiter", "SignInGate", "SignedInUser", "in_turn", "sign_in"]

#: The routes that check passwords; they take database turns themselves, only when needed.
SIGN_IN_ROUTES = frozenset({("POST", "/api/v1/session"), ("POST", "/login")})
_T = TypeVar("_T")
_WINDOW = 60.0


class AttemptLimiter:
    """Sliding windows of attempt times: one per client address, one for all together.

    In memory, per server process (each worker counts its own attempts). Addresses whose
    window is empty are forgotten, and at most ``max_addresses`` are remembered at once.
    """

    def __init__(
        self,
        per_address: int,
        overall: int,
        *,
        window: float = _WINDOW,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = 100_000,
    ) -> None:
        self.per_address = per_address
        self.overall = overall
        self.window = window
        self.clock = clock
        self.max_addresses = max_addresses
        self._all: deque[float] = deque()
        self._by_address: dict[str, deque[float]] = {}
        self._refused: set[str] = set()

    def admit(self, address: str) -> None:
        """Count an attempt from ``address``, or refuse it (:class:`TooManyAttempts`, which
        is not counted) when either window is full."""
        moment = self.clock()
        self._expire(self._all, moment)
        if len(self._by_address) >= self.max_addresses:
            self._forget_idle(moment)
        mine = self._by_address.setdefault(address, deque())
        self._expire(mine, moment)
        if len(mine) >= self.per_address:
            raise self._refusal(mine, "from this address", self.per_address)
        if len(self._all) >= self.overall:
            raise self._refusal(self._all, "to this server", self.overall)
        self._refused.discard(address)
        mine.append(moment)
        self._all.append(moment)

    def first_refusal(self, address: str) -> bool:
        """Whether this is the first refusal of ``address`` since it was last admitted (the one
        worth an audit row; a flood's others are not written)."""
        if address in self._refused:
            return False
        if len(self._refused) < self.max_addresses:
            self._refused.add(address)
        return True

    def _expire(self, times: deque[float], moment: float) -> None:
        while times and times[0] <= moment - self.window:
            times.popleft()

    def _forget_idle(self, moment: float) -> None:
        for address in list(self._by_address):
            self._expire(self._by_address[address], moment)
            if not self._by_address[address]:
                del self._by_address[address]
        if len(self._by_address) >= self.max_addresses:
            self._by_address.clear()  # a spread flood: start counting afresh
        self._refused.clear()

    def _refusal(self, times: deque[float], where: str, limit: int) -> TooManyAttempts:
        wait = max(1, int(times[0] + self.window - self.clock()) + 1)
        return TooManyAttempts(
            f"too many sign-in attempts {where}: at most {limit} a minute",
            retry_after=wait,
            hint=f"wait {wait} seconds before signing in again",
        )


@dataclass(frozen=True)
class SignedInUser:
    """Who signed in, and the new browser session's token (for the cookie)."""

    user_id: int
    username: str
    role: Role
    area_id: int | None
    session_token: str


class SignInGate:
    """The limits of sign-in for one application: attempt windows, concurrent password
    checks, and the database turns shared with every other request."""

    def __init__(
        self,
        limiter: AttemptLimiter,
        turns: asyncio.Semaphore,
        *,
        hashers: int | None = None,
        max_waiting: int = 32,
    ) -> None:
        self.limiter = limiter
        self.turns = turns
        self.hashers = asyncio.Semaphore(hashers or max(1, (os.cpu_count() or 2) // 2))
        self.max_waiting = max_waiting
        self._waiting = 0

    async def check_password(self, candidate: Candidate, password: str) -> bool:
        """Argon2 outside any database turn, a bounded number at once."""
        if self._waiting >= self.max_waiting:
            raise TooManyAttempts(
                "too many sign-ins are being checked at once",
                retry_after=5,
                hint="wait a few seconds before signing in again",
            )
        self._waiting += 1
        try:
            async with self.hashers:
                return await run_in_threadpool(verify_password, candidate.password_hash, password)
        finally:
            self._waiting -= 1


def _gate(request: Request) -> SignInGate:
    gate: SignInGate = request.app.state.sign_in_gate
    return gate


def _in_transaction(sessions: sessionmaker[Session], work: Callable[[Session], _T]) -> _T:
    """``work`` in its own committed transaction; an :class:`IpecError` it returns (rather
    than raises) is committed with it, so a refusal's count and audit row are kept."""
    try:
        with sessions() as session, session.begin():
            return work(session)
    except OperationalError as error:
        raise DatabaseUnavailable(
            "the database is busy or unreachable", hint="try again in a moment"
        ) from error


async def in_turn(request: Request, work: Callable[[Session], _T]) -> _T:
    """``work`` in its own transaction, in a worker thread, holding a database turn."""
    async with _gate(request).turns:
        return await run_in_threadpool(_in_transaction, request.app.state.sessions, work)


async def sign_in(request: Request, *, username: str, password: str) -> SignedInUser:
    """Check the password under the limits above and open a browser session; a refusal
    (wrong password, waiting account, too many attempts) raises, its count kept."""
    gate = _gate(request)
    address = request.client.host if request.client else "unknown"
    try:
        gate.limiter.admit(address)
    except TooManyAttempts as refused:
        if gate.limiter.first_refusal(address):
            why = refused.message
            await in_turn(request, lambda db: _throttled(db, username, address, why))
        raise
    candidate = await in_turn(request, lambda db: sign_in_candidate(db, username))
    right = await gate.check_password(candidate, password)

    def settle(db: Session) -> SignedInUser | IpecError:
        try:
            user = settle_sign_in(db, candidate, right=right, origin=address)
        except IpecError as error:
            return error
        return _opened(db, user)

    outcome = await in_turn(request, settle)
    if isinstance(outcome, IpecError):
        raise outcome
    return outcome


def _opened(db: Session, user: User) -> SignedInUser:
    token = open_session(db, user=user)
    return SignedInUser(user.id, user.username, user.role, user.area_id, token)


def _throttled(db: Session, username: str, address: str, why: str) -> None:
    write_audit(db, actor=username.strip().lower()[:100], action="sign_in.throttled",
                entity="user", entity_id=0, origin=address,
                detail={"message": why})  # fmt: skip

"""Sign-in under a flood: attempts counted per address and overall before any password is
checked, and a password check that holds no database turn (signed-in requests go on)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import passwords
from ipec.errors import TooManyAttempts
from ipec.monitoring import AuditEntry
from ipec.web.signin import AttemptLimiter
from tests.web.api.conftest import PASSWORD, Api, api, check_error

__all__ = ["api"]  # the served API of tests/web/api, used here as a fixture


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its smallest cost for the passwords of unknown names these tests send."""
    quick = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    made_up = quick.hash("the hash unknown names are checked against")
    monkeypatch.setattr("ipec.auth.signin._unknown_user_hash", lambda: made_up)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_address_gets_its_share_and_no_more() -> None:
    clock = _Clock()
    limiter = AttemptLimiter(3, 100, clock=clock)
    for _ in range(3):
        limiter.admit("10.0.0.1")
    with pytest.raises(TooManyAttempts, match="from this address: at most 3 a minute") as busy:
        limiter.admit("10.0.0.1")
    assert busy.value.retry_after == 61
    limiter.admit("10.0.0.2")  # another address is not held back
    clock.now += 30
    with pytest.raises(TooManyAttempts) as busy:
        limiter.admit("10.0.0.1")
    assert busy.value.retry_after == 31  # a refused attempt is not counted
    clock.now += 30.5
    limiter.admit("10.0.0.1")  # the window slid past the first three


def test_all_addresses_together_get_the_overall_share() -> None:
    clock = _Clock()
    limiter = AttemptLimiter(10, 5, clock=clock)
    for number in range(5):
        limiter.admit(f"10.0.0.{number}")
    with pytest.raises(TooManyAttempts, match="to this server: at most 5 a minute"):
        limiter.admit("10.0.0.200")
    assert limiter.first_refusal("10.0.0.200")
    assert not limiter.first_refusal("10.0.0.200")  # only the first is worth an audit row


def test_the_remembered_addresses_are_bounded() -> None:
    clock = _Clock()
    limiter = AttemptLimiter(2, 10_000, clock=clock, max_addresses=100)
    for number in range(1000):
        limiter.admit(f"10.0.{number // 256}.{number % 256}")
    assert len(limiter._by_address) <= 100


def test_a_flood_from_one_address_is_refused_before_hashing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = []
    real = passwords.verify_password

    def counted(stored: str, given: str) -> bool:
        checked.append(given)
        return real(stored, given)

    monkeypatch.setattr("ipec.web.signin.verify_password", counted)
    answers = [
        api.client.post("/api/v1/session", json={"username": f"made-up-{n}", "password": "x"})
        for n in range(14)
    ]
    assert [a.status_code for a in answers] == [403] * 10 + [429] * 4
    error = check_error(answers[-1], 429, "TooManyAttempts")
    assert "too many sign-in attempts from this address: at most 10 a minute" in error["message"]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 61
    assert len(checked) == 10
    with Session(api.engine) as db:
        actions = list(db.scalars(select(AuditEntry.action).where(
            AuditEntry.action.startswith("sign_in."))))  # fmt: skip
    assert actions.count("sign_in.failure") == 10
    assert actions.count("sign_in.throttled") == 1  # the first refusal, not each


def test_the_sign_in_page_says_to_wait(api: Api) -> None:
    for _ in range(10):
        api.client.post("/api/v1/session", json={"username": "nobody", "password": "x"})
    form = api.client.get("/login")
    token = form.text.split('name="login_token" value="')[1].split('"')[0]
    refused = api.client.post("/login", data={"username": "monitor", "password": PASSWORD,
                                              "login_token": token, "next": "/"})  # fmt: skip
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.text
    assert int(refused.headers["retry-after"]) >= 1


class _SlowHasher:
    """Argon2 that takes as long as the test says (a hash the flood keeps busy)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def verify(self, stored: str, password: str) -> bool:
        self.started.set()
        self.release.wait(8)
        return False


def test_a_password_check_holds_no_database_turn(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: each check held the one database turn (SQLite), so signed-in requests
    waited for every bogus sign-in's Argon2."""
    slow = _SlowHasher()
    monkeypatch.setattr(passwords, "_HASHER", slow)
    with ThreadPoolExecutor(1) as pool:
        wrong = {"username": "monitor", "password": "a wrong guess"}
        attempt = pool.submit(api.client.post, "/api/v1/session", json=wrong)
        assert slow.started.wait(8)
        began = time.monotonic()
        me = api.client.get("/api/v1/me", headers=api.auth())
        waited = time.monotonic() - began
        slow.release.set()
        assert me.status_code == 200
        assert waited < 2, f"a signed-in request waited {waited:.1f} s behind a sign-in"
        check_error(attempt.result(timeout=10), 403, "PermissionDenied")

"""docs/deploy.md, followed: from an empty PostgreSQL database to the administrator it creates,
signed in over HTTP to a real ``ipec serve``.

The test reads the page's ``sh`` blocks and runs, in order, every line that starts with
``ipec``, from the repository's root, with the environment its ``export`` lines give: the
database URL becomes a fresh database on the server of ``IPEC_TEST_POSTGRES_URL`` (the page's
role and ``createdb`` need a superuser), and the secret comes from running the page's own
line. ``ipec serve`` runs as a process of its own (``python -m ipec``) on a free port; the
other commands run through the command line's entry point in this process, which saves a
second of start-up each. The password the page lets ``ipec users create`` ask for is given
with ``--password``. Then the test signs in through the sign-in form, as a browser would, and
opens the dashboard. Other lines (installing, ``sudo``, ``pg_dump``) are not run.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ipec.cli.main import run
from tests.conftest import _fresh_engine

#: Slow (5 s and more): the deployment guide followed from an empty database.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy.md"
PASSWORD = "deployment test password"
#: The ``ipec`` commands the page runs, in order (a change of the page changes this list).
EXPECTED = [
    "db upgrade",
    "areas import",
    "areas import",
    "areas list",
    "users create",
    "serve",
    "db upgrade",
]


def _sh_lines(text: str) -> list[str]:
    """The lines of the ``sh`` blocks, in order."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty PostgreSQL database (the test skips without a server)."""
    for engine in _fresh_engine("postgresql", tmp_path):
        yield engine.url.render_as_string(hide_password=False)


def _environment(lines: list[str], database_url: str) -> dict[str, str]:
    """The process environment: this one without IPEC_* settings, then the page's."""
    exports = {line.split("=", 1)[0].removeprefix("export "): line
               for line in lines if line.startswith("export IPEC_")}  # fmt: skip
    assert set(exports) == {"IPEC_DATABASE_URL", "IPEC_SECRET_KEY"}
    assert exports["IPEC_DATABASE_URL"].startswith("export IPEC_DATABASE_URL='postgresql+psycopg:")
    script = f'{exports["IPEC_SECRET_KEY"]}; printf %s "$IPEC_SECRET_KEY"'
    made = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert len(made.stdout) >= 32
    environment = {key: value for key, value in os.environ.items() if not key.startswith("IPEC_")}
    return {**environment, "IPEC_DATABASE_URL": database_url, "IPEC_SECRET_KEY": made.stdout}


def _sign_in(base: str) -> httpx.Response:
    """Sign in through the form as the page's administrator; the dashboard it leads to.
    The cookies are Secure, which a client keeps from plain HTTP: they are sent by hand, as a
    browser sends them to 127.0.0.1."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        form = client.get("/login")
        assert form.status_code == 200
        token = re.search(r'name="login_token" value="([^"]+)"', form.text)
        assert token is not None
        login_cookie = form.cookies["ipec_login"]
        answer = client.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "login_token": token.group(1),
                  "next": "/"},
            headers={"Cookie": f"ipec_login={login_cookie}"},
        )  # fmt: skip
        assert answer.status_code == 303, answer.text
        session = {"Cookie": f"ipec_session={answer.cookies['ipec_session']}"}
        home = client.get(answer.headers["location"], headers=session)
        assert home.status_code == 303
        me = client.get("/api/v1/me", headers=session).json()
        assert (me["username"], me["role"], me["area_id"]) == ("admin", "admin", None)
        return client.get(home.headers["location"], headers=session)


@contextmanager
def _serving(command: list[str], environment: dict[str, str], log: Path) -> Iterator[str]:
    """The server of ``command`` running on a free port, its address; stopped afterwards."""
    port = _free_port()
    at = command.index("--port")
    command = [*command[: at + 1], str(port), *command[at + 2 :]]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "ipec serve did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_deployment_guide_works(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = _sh_lines(DEPLOY.read_text(encoding="utf-8"))
    commands = [shlex.split(line) for line in lines if line.startswith("ipec ")]
    names = [" ".join(word for word in command[1:3] if not word.startswith("-"))
             for command in commands]  # fmt: skip
    assert names == EXPECTED
    assert any(line.startswith("sudo -u postgres createdb --owner ipec ipec") for line in lines)
    environment = _environment(lines, database_url)
    for name in ("IPEC_DATABASE_URL", "IPEC_SECRET_KEY"):
        monkeypatch.setenv(name, environment[name])
    monkeypatch.chdir(ROOT)
    signed_in = False
    for command in commands:
        arguments = command[1:]
        if command[1:3] == ["users", "create"]:
            arguments += ["--password", PASSWORD]
        if command[1] == "serve":
            serve = [sys.executable, "-m", "ipec", *arguments]
            with _serving(serve, environment, tmp_path / "serve.log") as base:
                dashboard = _sign_in(base)
            assert dashboard.status_code == 200, dashboard.text
            assert "Dashboard: The programme" in dashboard.text
            assert "Molvania" in dashboard.text  # the top area, to drill down into
            signed_in = True
            continue
        status = run(arguments)
        out, err = capsys.readouterr()
        assert status == 0, f"{' '.join(command)}: {err}"
        if command[1:3] == ["areas", "import"] and "--check" not in command:
            assert "15 areas new" in out
        if command[1:3] == ["users", "create"]:
            assert "created admin admin of the whole programme" in out
    assert signed_in

"""The Procfile runs production unless told otherwise; development listens on loopback only.

These start real servers (gunicorn, flask run) in subprocesses on free ports.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.email_fixtures import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRODUCTION = {
    "SECRET_KEY": "p" * 40,
    "MAIL_URL": "smtp://127.0.0.1:9",
    "PAYMENT_PROVIDER": "sandbox",
}
REFUSAL = "storefront: configuration error: development mode refuses to listen on 0.0.0.0"


def procfile(name: str = "Procfile") -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def environ(tmp_path: Path, **extra) -> dict[str, str]:
    """The process environment without the caller's Storefront variables, the venv first."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STOREFRONT_", "SECRET_KEY", "DATABASE_URL", "MAIL_URL", "LOG_",
                               "PAYMENT_", "SENTRY_", "METRICS_", "PROMETHEUS_", "REDIS_URL"))
    }
    clean.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        STOREFRONT_INSTANCE=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'shop.db'}",
        JOBS_DB=str(tmp_path / "jobs.db"),
    )
    clean.update(extra)
    return clean


class Server:
    """A command in a shell of its own process group, stopped with it."""

    def __init__(self, command, env: dict[str, str], tmp_path: Path):
        self.stderr_path = tmp_path / f"stderr-{time.monotonic_ns()}.log"
        self._stderr = self.stderr_path.open("w")
        args = ["sh", "-c", command] if isinstance(command, str) else command
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self._stderr,
            start_new_session=True,
        )

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_until_up(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server stopped ({self.process.returncode}):\n{self.stderr}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:  # refused, or accepted by the socket before a worker is up
                time.sleep(0.2)
        raise AssertionError(f"{url} never answered:\n{self.stderr}")

    def exit_code(self, timeout: float = 60) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._stderr.close()


@pytest.fixture
def servers():
    started: list[Server] = []

    def start(command, env, tmp_path) -> Server:
        server = Server(command, env, tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


def test_every_production_process_defaults_to_production():
    for name, command in procfile().items():
        assert command.startswith("STOREFRONT_ENV=${STOREFRONT_ENV:-production} "), name
    for name, command in procfile("Procfile.dev").items():
        if name != "mail":
            assert command.startswith("STOREFRONT_ENV=development "), name


def test_production_mode_from_the_procfile(tmp_path, servers):
    """The Procfile's release and web lines, as a platform runs them, with only the variables
    production requires: no captured mail to read, secure cookies, JSON logs with request ids."""
    port = free_port()
    env = environ(tmp_path, PORT=str(port), WEB_CONCURRENCY="1", WEB_THREADS="2", **PRODUCTION)
    lines = procfile()
    release = subprocess.run(["sh", "-c", lines["release"]], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert release.returncode == 0, release.stderr

    web = servers(lines["web"], env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    web.wait_until_up(f"{base}/healthz")

    assert get(f"{base}/_dev/mail/").status == 404
    page = get(f"{base}/compte/connexion", **{"X-Request-ID": "procfile-1"})
    assert page.status == 200
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "; Secure" in cookie and "; HttpOnly" in cookie
    assert page.headers["X-Request-ID"] == "procfile-1"

    web.stop()
    records = [json.loads(line) for line in web.stderr.splitlines() if line.startswith("{")]
    assert records, web.stderr
    assert all(line.startswith("{") for line in web.stderr.splitlines() if line.strip()), web.stderr
    access = [r for r in records if r.get("logger") == "storefront.access"]
    assert {"request_id": "procfile-1", "path": "/compte/connexion", "status": 200}.items() <= next(
        r for r in access if r.get("request_id") == "procfile-1"
    ).items()


def test_development_gunicorn_refuses_every_interface(tmp_path, servers):
    env = environ(tmp_path, STOREFRONT_ENV="development")
    command = [str(BIN / "gunicorn"), "app:app", "--bind", f"0.0.0.0:{free_port()}"]
    server = servers(command, env, tmp_path)
    assert server.exit_code() != 0
    lines = server.stderr.strip().splitlines()
    assert lines[-1].startswith(REFUSAL), server.stderr
    assert "Traceback" not in server.stderr and "Listening at" not in server.stderr


def test_development_gunicorn_serves_on_loopback(tmp_path, servers):
    port = free_port()
    env = environ(tmp_path, STOREFRONT_ENV="development")
    server = servers([str(BIN / "gunicorn"), "app:app", "--bind", f"127.0.0.1:{port}"], env, tmp_path)
    server.wait_until_up(f"http://127.0.0.1:{port}/healthz")


def test_development_flask_run_refuses_every_interface(tmp_path, servers):
    env = environ(tmp_path, STOREFRONT_ENV="development")
    command = [str(BIN / "flask"), "--app", "app", "run", "--host", "0.0.0.0", "--port",
               str(free_port())]
    server = servers(command, env, tmp_path)
    assert server.exit_code() == 1
    assert server.stderr.strip().splitlines() == [
        f"{REFUSAL}: it shows every captured email (reset links included) to whoever connects; "
        "listen on 127.0.0.1, or set STOREFRONT_ENV=production."
    ]


def test_development_flask_run_serves_on_loopback(tmp_path, servers):
    port = free_port()
    env = environ(tmp_path, STOREFRONT_ENV="development")
    command = [str(BIN / "flask"), "--app", "app", "run", "--host", "127.0.0.1", "--port", str(port)]
    server = servers(command, env, tmp_path)
    server.wait_until_up(f"http://127.0.0.1:{port}/healthz")

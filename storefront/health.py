"""Probes for the platform: ``/healthz`` (the process is up) and ``/readyz`` (it can serve).

``/healthz`` answers ``ok`` without touching anything: a liveness probe that fails only when the
process is stuck, so the platform restarts it and nothing else.

``/readyz`` checks what a request needs, each within :data:`CHECK_TIMEOUT` seconds:

- ``database``: a ``SELECT 1``;
- ``migrations``: the database's ``alembic_version`` is the code's head(s) (the scripts' heads
  are read once per process, on the first call);
- ``queue``: the job queue's storage answers (the SQLite jobs file, or Redis);
- ``smtp``: a TCP connection to ``MAIL_URL``'s host and port opens (the result is kept a few
  seconds, so frequent probes do not hammer the relay).

200 with ``{"status": "ok", "checks": {...}}`` when all pass; 503 with the same shape naming
what failed otherwise (the exception's type, never a URL or a password). A load balancer sends
traffic only to a ready process; a deploy waits for it.

Both answer without a session cookie, with ``Cache-Control: no-store``, and are not rate limited.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy import text

from storefront import PROJECT_ROOT

CHECK_TIMEOUT = 2.0  # seconds, for each check
SMTP_CACHE_SECONDS = 5.0

bp = Blueprint("health", __name__)

# The checks run in threads of their own, so a database or relay that does not answer cannot
# hold the probe longer than CHECK_TIMEOUT (the thread ends with its own socket timeout).
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")


class CheckFailed(Exception):
    """A check's failure, in words safe to show (no address, no password)."""


@bp.get("/healthz")
def healthz():
    return _no_store(Response("ok\n", content_type="text/plain; charset=utf-8"))


@bp.get("/readyz")
def readyz():
    from storefront import jobs
    from storefront.extensions import db

    app = current_app._get_current_object()
    engine = db.engine
    checks: dict[str, Callable[[], None]] = {
        "database": lambda: _check_database(engine),
        "migrations": lambda: _check_migrations(engine),
        "queue": lambda: _check_queue(jobs.queue(app)),
        "smtp": lambda: _check_smtp(app.config["MAIL_URL"]),
    }
    results = _run_all(checks)
    ready = all(result == "ok" for result in results.values())
    response = jsonify(status="ok" if ready else "unavailable", checks=results)
    response.status_code = 200 if ready else 503
    return _no_store(response)


def _run_all(checks: dict[str, Callable[[], None]]) -> dict[str, str]:
    futures = {name: _executor.submit(check) for name, check in checks.items()}
    deadline = time.monotonic() + CHECK_TIMEOUT
    results = {}
    for name, future in futures.items():
        try:
            future.result(timeout=max(deadline - time.monotonic(), 0.01))
            results[name] = "ok"
        except FutureTimeout:
            results[name] = f"failed: no answer within {CHECK_TIMEOUT:g} s"
        except CheckFailed as failure:
            results[name] = f"failed: {failure}"
        except Exception as error:
            results[name] = f"failed: {type(error).__name__}"
    return results


def _check_database(engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _check_migrations(engine) -> None:
    try:
        with engine.connect() as conn:
            applied = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception as error:
        raise CheckFailed(f"no migration recorded ({type(error).__name__})") from None
    expected = script_heads()
    if applied != expected:
        raise CheckFailed(
            f"database at {', '.join(sorted(applied)) or 'nothing'}, "
            f"code at {', '.join(sorted(expected))}: run flask db upgrade"
        )


@functools.cache
def script_heads() -> frozenset[str]:
    """The head revision(s) of migrations/versions, read once per process."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_heads())


def _check_queue(huey) -> None:
    huey.storage.queue_size()


_smtp_results: dict[tuple[str, int], tuple[float, str | None]] = {}
_smtp_lock = threading.Lock()


def _check_smtp(mail_url: str) -> None:
    from storefront.notifications.smtp import SmtpServer

    server = SmtpServer.from_url(mail_url)
    key = (server.host, server.port)
    with _smtp_lock:
        cached = _smtp_results.get(key)
    if cached is not None and time.monotonic() - cached[0] < SMTP_CACHE_SECONDS:
        error = cached[1]
    else:
        try:
            error = _smtp_answers(server, key)
        except OSError as exc:
            error = f"unreachable ({type(exc).__name__})"
        with _smtp_lock:
            _smtp_results[key] = (time.monotonic(), error)
    if error is not None:
        raise CheckFailed(error)


def _smtp_answers(server, address: tuple[str, int]) -> str | None:
    """Connect; on plain SMTP also read the greeting and say QUIT, so that the relay is known to
    speak SMTP and closes its side cleanly (a bare connect-and-hang-up leaves servers logging
    aborted sessions). Behind implicit TLS the TCP connection is the check."""
    with socket.create_connection(address, timeout=CHECK_TIMEOUT) as sock:
        if server.implicit_tls:
            return None
        greeting = sock.recv(512)
        if not greeting.startswith(b"220"):
            return "no SMTP greeting"
        sock.sendall(b"QUIT\r\n")
        sock.recv(512)  # the 221 goodbye: the server closes its side first
    return None


def forget_smtp_results() -> None:
    """Forget the cached SMTP results (tests that stop and start a server on one port)."""
    with _smtp_lock:
        _smtp_results.clear()


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    from storefront.extensions import limiter

    limiter.exempt(healthz)
    limiter.exempt(readyz)
    app.register_blueprint(bp)

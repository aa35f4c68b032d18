"""Deploys drop nothing: the real worker (``python -m storefront.jobs``, the Procfile's) stopped
by SIGTERM in the middle of a delivery, then started again, sends every email exactly once and
leaves no outbox row SENDING; gunicorn reloading its workers on SIGHUP under a steady stream of
requests answers every one of them."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from storefront import PROJECT_ROOT
from storefront.marketplace.models import OutboxMessage, OutboxStatus
from tests.conftest import make_test_environ
from tests.email_fixtures import HOST, RecordingSmtpServer, free_port
from tests.test_jobs import queue_email, worker_apps, worker_environ

BIN = Path(sys.executable).parent


def wait_for(condition, process: subprocess.Popen, *, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the process stopped while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def start_worker(environ: dict, log: Path, *options: str) -> subprocess.Popen:
    """The Procfile's worker, one thread, its log (stderr) in ``log``."""
    with log.open("a") as stderr:
        return subprocess.Popen(
            [str(BIN / "python"), "-m", "storefront.jobs", "--workers", "1", *options],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environ, "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def outbox(session, ids: list[int]) -> dict[int, OutboxMessage]:
    session.rollback()  # a fresh look at what the worker wrote
    query = select(OutboxMessage).where(OutboxMessage.id.in_(ids))
    rows = session.scalars(query.execution_options(populate_existing=True))
    return {row.id: row for row in rows}


def statuses(session, ids: list[int]) -> list[OutboxStatus]:
    rows = outbox(session, ids)
    return [rows[i].status for i in ids]


def recipients(server: RecordingSmtpServer) -> list[str]:
    return sorted(address for envelope in server.envelopes for address in envelope.rcpt_tos)


def test_sigterm_lets_the_worker_finish_the_email_it_is_sending(app, session, tmp_path):
    """Stopped while the server is taking a message, the worker waits for its answer, records
    SENT and exits; the emails it had not started wait in the queue for the next worker."""
    server = RecordingSmtpServer(data_delay=2).start()
    log = tmp_path / "worker.log"
    try:
        addresses = [f"buyer{n}@example.com" for n in range(3)]
        with worker_apps(app, tmp_path, [server]) as (web,), web.app_context():
            ids = [queue_email(address) for address in addresses]
        environ = worker_environ(app, tmp_path, 0, server)

        worker = start_worker(environ, log)
        try:
            wait_for(lambda: server.data_seen >= 1, worker, what="a delivery in flight")
            assert OutboxStatus.SENDING in statuses(session, ids)
            stopped_at = time.monotonic()
            assert stop(worker) == 0, log.read_text()
        finally:
            stop(worker, signal.SIGKILL)
        assert time.monotonic() - stopped_at >= 1  # it waited for the server's answer
        assert len(server.envelopes) == 1, log.read_text()
        after_stop = statuses(session, ids)
        assert sorted(after_stop) == sorted([OutboxStatus.SENT] + [OutboxStatus.PENDING] * 2)
        assert "released" not in log.read_text()  # nothing to give back: it finished

        worker = start_worker(environ, log)  # the deploy's new worker
        try:
            wait_for(
                lambda: statuses(session, ids) == [OutboxStatus.SENT] * 3,
                worker,
                what="every email sent",
            )
            time.sleep(0.5)  # a second delivery (it must not happen) would show by now
        finally:
            assert stop(worker) == 0
        assert recipients(server) == addresses, log.read_text()
    finally:
        server.stop()


def test_a_delivery_running_past_the_shutdown_timeout_is_released_and_sent_after_restart(
    app, session, tmp_path
):
    """A server that does not answer keeps the delivery running past ``--shutdown-timeout``:
    the worker gives the message back (PENDING, due at once, its delivery queued again) and
    exits; the next worker sends it, once, without waiting for the lease."""
    server = RecordingSmtpServer(rcpt_delay=10).start()
    log = tmp_path / "worker.log"
    try:
        with worker_apps(app, tmp_path, [server]) as (web,), web.app_context():
            message_id = queue_email("late@example.com")
        environ = worker_environ(app, tmp_path, 0, server)

        worker = start_worker(environ, log, "--shutdown-timeout", "1")
        try:
            wait_for(lambda: server.rcpts_seen >= 1, worker, what="a delivery in flight")
            assert statuses(session, [message_id]) == [OutboxStatus.SENDING]
            stopped_at = time.monotonic()
            assert stop(worker) == 0, log.read_text()
        finally:
            stop(worker, signal.SIGKILL)
        assert time.monotonic() - stopped_at < 8  # did not wait for the server
        row = outbox(session, [message_id])[message_id]
        assert (row.status, row.claim_token, row.attempts) == (OutboxStatus.PENDING, None, 1)
        assert row.next_attempt_at.replace(tzinfo=None) <= time_now_utc()  # due at once
        assert "released 1 outbox message(s) unsent, queued again" in log.read_text()
        assert server.envelopes == []

        server.rcpt_delay = 0
        worker = start_worker(environ, log)
        try:
            # Sent by the delivery queued again, not by the sweep a minute later.
            wait_for(
                lambda: statuses(session, [message_id]) == [OutboxStatus.SENT],
                worker,
                timeout=20,
                what="the released email sent",
            )
            time.sleep(0.5)
        finally:
            assert stop(worker) == 0
        assert recipients(server) == ["late@example.com"], log.read_text()
    finally:
        server.stop()


def time_now_utc():
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)


# --- gunicorn -----------------------------------------------------------------------------------


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def get(port: int, path: str = "/") -> int:
    # A request arriving while the new workers boot waits for them (seconds on a busy machine).
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def no_control_socket() -> list[str]:
    """Recent gunicorns (27 here) open a control socket in ~/.gunicorn by default, the same for every gunicorn of
    the user: gunicorns of tests running side by side must not share it."""
    from gunicorn.config import KNOWN_SETTINGS

    known = any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)
    return ["--no-control-socket"] if known else []


def test_gunicorn_reloads_its_workers_on_hup_without_dropping_a_request(app, tmp_path_factory):
    port = free_port()
    environ = make_test_environ(
        tmp_path_factory, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"]
    )
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("w") as stderr:
        master = subprocess.Popen(
            [str(BIN / "gunicorn"), "app:app", "--bind", f"{HOST}:{port}", "--workers", "2",
             "--threads", "2", "--graceful-timeout", "10", *no_control_socket()],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environ, "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        def answers() -> bool:
            try:
                return get(port) == 200
            except OSError:
                return False

        wait_for(answers, master, what="gunicorn to answer")
        wait_for(lambda: len(worker_pids(master.pid)) == 2, master, what="two workers")
        before = worker_pids(master.pid)

        results: list[tuple[float, int | str]] = []
        done = threading.Event()

        def client() -> None:
            while not done.is_set():
                try:
                    outcome: int | str = get(port)
                except OSError as error:
                    outcome = repr(error)
                results.append((time.monotonic(), outcome))

        thread = threading.Thread(target=client)
        thread.start()
        try:
            time.sleep(1)
            reloaded_at = time.monotonic()
            master.send_signal(signal.SIGHUP)
            wait_for(
                lambda: len(now := worker_pids(master.pid)) == 2 and not now & before,
                master,
                what="two new workers",
            )
            served = len(results)
            wait_for(lambda: len(results) >= served + 5, master, what="the new workers to serve")
        finally:
            done.set()
            thread.join(timeout=30)

        assert worker_pids(master.pid).isdisjoint(before)  # the workers were replaced
        failures = [outcome for _, outcome in results if outcome != 200]
        assert failures == [], (failures[:5], len(failures), len(results), log.read_text())
        # Requests kept coming through the reload: while the new workers boot, they wait in the
        # listening socket's backlog (the master keeps it open) instead of being refused.
        assert len([t for t, _ in results if t < reloaded_at]) >= 5
        assert len([t for t, _ in results if t > reloaded_at]) >= 5
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()

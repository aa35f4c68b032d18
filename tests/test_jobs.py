"""The jobs: each application's own queue, the real consumer, and the scheduled deadline job
that cancels late seller orders and gives their units back."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storefront import PROJECT_ROOT, create_app, jobs
from storefront.extensions import db
from storefront.jobs import build_queue
from storefront.jobs.deadlines import cancel_overdue_orders
from storefront.marketplace import orders, outbox
from storefront.marketplace.models import (
    ActorRole,
    LineState,
    Offer,
    OutboxMessage,
    OutboxStatus,
    ReasonType,
    SellerOrder,
    SellerOrderState,
)
from tests import factories
from tests.email_fixtures import RecordingSmtpServer


def test_queue_storage_follows_configuration(tmp_path):
    assert type(build_queue({"JOBS_DB": str(tmp_path / "q.db")})).__name__ == "SqliteHuey"
    assert (tmp_path / "q.db").exists()
    assert type(build_queue({"REDIS_URL": "redis://127.0.0.1:6379/0"})).__name__ == "RedisHuey"


def test_overdue_orders_are_cancelled_and_restocked(session):
    orders.create_reason_code(
        session, "ACCEPTANCE_TIMEOUT", ReasonType.CANCELATION, "Délai d'acceptation dépassé"
    )
    shop = factories.seller(session)
    now = datetime.now(UTC)
    late = factories.seller_order(session, shop)
    late.acceptance_deadline = now - timedelta(minutes=1)
    on_time = factories.seller_order(session, shop)
    on_time.acceptance_deadline = now + timedelta(hours=47)
    late_offer_stock = late.lines[0].offer.stock
    ids = late.id, on_time.id, late.lines[0].offer_id
    session.commit()

    assert cancel_overdue_orders.call_local() == 1
    session.expire_all()
    cancelled = session.get(SellerOrder, ids[0])
    assert cancelled.state == SellerOrderState.CANCELED
    assert cancelled.lines[0].state == LineState.CANCELED
    assert session.get(Offer, ids[2]).stock == late_offer_stock + 1
    record = cancelled.transitions[-1]
    assert (record.actor_role, record.reason.code) == (ActorRole.SYSTEM, "ACCEPTANCE_TIMEOUT")
    assert session.get(SellerOrder, ids[1]).state == SellerOrderState.WAITING_ACCEPTANCE
    assert cancel_overdue_orders.call_local() == 0  # nothing twice


def test_deadlines_pass_on_the_shops_clock(app, session):
    orders.create_reason_code(
        session, "ACCEPTANCE_TIMEOUT", ReasonType.CANCELATION, "Délai d'acceptation dépassé"
    )
    shop = factories.seller(session)
    frozen = datetime.now(UTC) + timedelta(days=30)
    waiting = factories.seller_order(session, shop)
    waiting.acceptance_deadline = frozen - timedelta(minutes=1)
    waiting_id = waiting.id
    session.commit()

    assert cancel_overdue_orders.call_local() == 0  # on the real clock, the deadline is ahead
    app.config["FROZEN_TIME"] = frozen
    try:
        assert cancel_overdue_orders.call_local() == 1
    finally:
        app.config.pop("FROZEN_TIME", None)
    session.expire_all()
    assert session.get(SellerOrder, waiting_id).state == SellerOrderState.CANCELED


# --- one queue per application ------------------------------------------------------------------


def worker_environ(app, tmp_path: Path, n: int, server: RecordingSmtpServer) -> dict[str, str]:
    """Application ``n`` as the web and the worker run it (a real queue, not run at once), on
    the test database, with its own instance folder, job queue file and mail server."""
    return {
        "STOREFRONT_ENV": "development",
        "STOREFRONT_INSTANCE": str(tmp_path / f"instance-{n}"),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_DB": str(tmp_path / f"jobs-{n}.db"),
        "MAIL_URL": server.url,
    }


@contextmanager
def worker_apps(app, tmp_path: Path, servers: list[RecordingSmtpServer]):
    made = [create_app(worker_environ(app, tmp_path, n, s)) for n, s in enumerate(servers)]
    try:
        yield made
    finally:
        for other in made:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()


def queue_email(to: str) -> int:
    """An email written through the outbox in the current application, committed."""
    row = outbox.record_email(
        db.session,
        to=to,
        template="password_reset",
        context={"user_name": "Zoé", "reset_url": "https://shop.example/r", "expires_minutes": 30},
        locale="en",
        kind="password_reset",
    )
    db.session.commit()  # queues its delivery on this application's queue
    return row.id


def test_each_app_has_its_own_queue_and_its_tasks_run_in_it(app, session, tmp_path):
    servers = [RecordingSmtpServer().start(), RecordingSmtpServer().start()]
    try:
        with worker_apps(app, tmp_path, servers) as (first, second):
            queues = [jobs.queue(first), jobs.queue(second)]
            assert [q.storage.filename for q in queues] == [
                str(tmp_path / "jobs-0.db"),
                str(tmp_path / "jobs-1.db"),
            ]
            assert not any(q.immediate for q in queues) and jobs.queue(app).immediate
            # Each queue has the scheduled jobs: every minute, and the housekeeping at minute 17.
            for queue in queues:
                assert sorted(t.name for t in queue.read_periodic(datetime(2026, 12, 1, 3, 17))) == [
                    "cancel_overdue_orders",
                    "fetch_offer_feeds",
                    "purge_old_rows",
                    "retry_payment_operations",
                    "sweep_outbox",
                    "sweep_webhooks",
                ]

            with first.app_context():
                first_id = queue_email("first@example.com")
            with second.app_context():
                second_ids = [queue_email("second@example.com"), queue_email("again@example.com")]
            assert [q.pending_count() for q in queues] == [1, 2]
            assert [s.envelopes for s in servers] == [[], []]  # nothing ran yet

            # Run as the consumer does, outside the applications' contexts: each task runs in the
            # application whose queue it came from, so it sends with that application's server.
            for queue in queues:
                while (task := queue.dequeue()) is not None:
                    assert queue.execute(task) == "SENT"
            assert [[e.rcpt_tos for e in s.envelopes] for s in servers] == [
                [["first@example.com"]],
                [["second@example.com"], ["again@example.com"]],
            ]
            session.expire_all()
            statuses = [session.get(OutboxMessage, i).status for i in [first_id, *second_ids]]
            assert statuses == [OutboxStatus.SENT] * 3
    finally:
        for server in servers:
            server.stop()


def test_the_consumer_runs_what_the_web_app_queued(app, session, tmp_path):
    """``huey_consumer storefront.jobs.huey`` (the Procfile's worker) builds its application from
    the environment and runs the tasks a web process of the same configuration queued."""
    server = RecordingSmtpServer().start()
    try:
        with worker_apps(app, tmp_path, [server]) as (web,), web.app_context():
            message_id = queue_email("zoe@example.com")
        environ = worker_environ(app, tmp_path, 0, server)
        assert jobs.build_queue(environ).pending_count() == 1
        consumer = subprocess.Popen(
            [str(Path(sys.executable).parent / "huey_consumer"), "storefront.jobs.huey", "-w", "1"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environ, "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not server.envelopes and time.monotonic() < deadline and consumer.poll() is None:
                time.sleep(0.2)
            time.sleep(0.5)  # a second delivery (it must not happen) would show by now
        finally:
            consumer.terminate()
            _, log = consumer.communicate(timeout=30)
        assert [e.rcpt_tos for e in server.envelopes] == [["zoe@example.com"]], log
        assert "Executing storefront.jobs.email.deliver_outbox_message" in log  # not the sweep
        # Nothing of the email is left in the queue. (A scheduled task the consumer queued at a
        # minute boundary and had no time to run before it was stopped may be: that is fine.)
        left = [task.name for task in jobs.build_queue(environ).pending()]
        assert not [name for name in left if "deliver_outbox_message" in name], left
        session.expire_all()
        assert session.get(OutboxMessage, message_id).status == OutboxStatus.SENT
    finally:
        server.stop()

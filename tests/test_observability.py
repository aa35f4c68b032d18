"""Observability: JSON logs with request ids (carried to jobs and emails), /metrics, Sentry."""

from __future__ import annotations

import gzip
import io
import json
import logging
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from storefront import jobs
from storefront.extensions import db
from storefront.marketplace import outbox
from storefront.marketplace.models import OutboxMessage
from storefront.observability import logs
from tests import checkout_fixtures, email_fixtures, order_fixtures
from tests.test_jobs import worker_environ

ROOT = Path(__file__).resolve().parent.parent
shop = checkout_fixtures.shop
smtp_server = email_fixtures.smtp_server


@pytest.fixture(autouse=True)
def job_queue_stays_with_the_test_app(app):
    """``create_app`` binds the job queue to the app it builds: give it back to the test app."""
    yield
    jobs.init_app(app)


@pytest.fixture
def json_log_lines():
    """``json_log_lines()``: what the JSON handler of the last app built wrote so far, parsed."""
    buffers = []

    def read() -> list[dict]:
        handler = logs.handler()
        assert handler is not None, "no JSON handler installed"
        if not buffers or handler.stream is not buffers[-1]:
            buffers.append(io.StringIO())
            handler.setStream(buffers[-1])
            return []
        return [json.loads(line) for line in buffers[-1].getvalue().splitlines()]

    yield read
    logs.uninstall()


def record_reset_email(to: str = "zoe@example.com") -> int:
    row = outbox.record_email(
        db.session,
        to=to,
        template="password_reset",
        context={"user_name": "Zoé", "reset_url": "https://shop.example/r", "expires_minutes": 30},
        locale="en",
        kind="password_reset",
    )
    db.session.commit()
    return row.id


# --- Request ids and JSON logs -------------------------------------------------------------------


class ProbeError(Exception):
    pass


def test_a_request_id_is_taken_echoed_and_logged(another_app, json_log_lines):
    other = another_app(environ={"LOG_FORMAT": "json"}, PROPAGATE_EXCEPTIONS=False)

    def speak():
        logging.getLogger("storefront.test").warning("hello from the view")
        return "spoken"

    def fail():
        raise ProbeError("it broke")

    # Routes of this test's own app instance, not of the shop.
    other.add_url_rule("/_speak", "speak", speak)
    other.add_url_rule("/_fail", "fail", fail)
    client = other.test_client()
    json_log_lines()  # start capturing

    response = client.get("/_speak", headers={"X-Request-ID": "abc123"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "abc123"
    lines = json_log_lines()
    said = next(line for line in lines if line["message"] == "hello from the view")
    assert said["request_id"] == "abc123" and said["level"] == "WARNING"
    assert said["logger"] == "storefront.test" and said["time"].endswith("+00:00")
    access = next(line for line in lines if line["logger"] == "storefront.access")
    assert access["request_id"] == "abc123"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/_speak", 200)
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0

    response = client.get("/_fail", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    error = next(line for line in json_log_lines() if "exception" in line)
    assert error["request_id"] == "req-500" and error["level"] == "ERROR"
    assert "ProbeError: it broke" in error["exception"]


@pytest.mark.parametrize("supplied", ["", "has spaces", "x" * 65, "<script>", "-leading-dash"])
def test_a_malformed_request_id_is_replaced(client, supplied):
    response = client.get("/healthz", headers={"X-Request-ID": supplied})
    generated = response.headers["X-Request-ID"]
    assert generated != supplied and len(generated) == 32 and int(generated, 16) >= 0


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_the_request_id_follows_an_email_through_the_worker(app, session, tmp_path, json_log_lines):
    """A request records an email: the outbox row keeps the request's id, the task queued for it
    carries the id to the worker, whose delivery logs it and sends it in a header."""
    server = email_fixtures.RecordingSmtpServer().start()
    try:
        environ = {**worker_environ(app, tmp_path, 0, server), "LOG_FORMAT": "json"}
        from storefront import create_app

        web = create_app(environ)  # a real queue (SQLite file), not run at once
        web.add_url_rule("/_remind", "remind", lambda: str(record_reset_email()))
        json_log_lines()
        response = web.test_client().get("/_remind", headers={"X-Request-ID": "abc123"})
        assert response.status_code == 200, response.get_data(as_text=True)
        message_id = int(response.get_data(as_text=True))
        with web.app_context():
            assert db.session.get(OutboxMessage, message_id).request_id == "abc123"
            db.session.remove()
        assert server.messages == []  # queued, not sent: the worker sends it

        queue = jobs.queue(web)  # what huey_consumer runs, outside any request
        task = queue.dequeue()
        assert task.kwargs == {jobs.REQUEST_ID_KWARG: "abc123"}
        assert queue.execute(task) == "SENT"

        [sent] = server.messages
        assert sent["X-Storefront-Request-ID"] == "abc123"
        delivered = [line for line in json_log_lines() if line["logger"] == "storefront.notifications.delivery"]
        assert [(line["request_id"], line["outbox_message_id"]) for line in delivered] == [
            ("abc123", message_id)
        ]
        with web.app_context():
            db.engine.dispose()
    finally:
        server.stop()


def test_emails_recorded_outside_requests_have_no_request_id(session, smtp_server):
    record_reset_email()
    row = session.scalars(select(OutboxMessage)).one()
    assert row.request_id == ""
    [sent] = smtp_server.messages
    assert "X-Storefront-Request-ID" not in sent


# --- /metrics ------------------------------------------------------------------------------------


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_move_with_requests_and_orders(client, session, shop):
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-page")
    order_fixtures.place(session, shop.customer, (shop.offers["first_party"], 1))
    after = scrape(client)

    def delta(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    count = "storefront_http_request_duration_seconds_count"
    assert delta(count, endpoint="health.healthz", status="2xx") == 3
    assert delta(count, endpoint="none", status="4xx") == 1  # not the raw path
    assert not any("no-such-page" in str(labels) for _name, labels in after)
    assert delta("storefront_orders_placed_total") == 1
    assert ("storefront_webhook_failures_total", ()) in after


def test_outbox_gauges_show_a_pending_email(client, session):
    assert scrape(client)[("storefront_outbox_pending_messages", ())] == 0
    record_reset_email()  # the test app's relay (port 9) refuses it: it stays pending
    samples = scrape(client)
    assert samples[("storefront_outbox_pending_messages", ())] == 1
    assert 0 <= samples[("storefront_outbox_oldest_pending_age_seconds", ())] < 60


def test_job_failures_are_counted(another_app, client):
    other = another_app()
    failing = jobs.queue(other).task(name="always_fails")(lambda: 1 / 0)
    before = scrape(client).get(("storefront_job_failures_total", (("task", "always_fails"),)), 0)
    with other.app_context():
        failing()  # run at once under test, as the worker would: the error signal fires
    after = scrape(client)[("storefront_job_failures_total", (("task", "always_fails"),))]
    assert after == before + 1


def test_metrics_are_only_for_loopback_or_the_token(client, another_app):
    far = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=far).status_code == 404
    token = "a-long-metrics-token-0123456789"
    guarded = another_app(environ={"METRICS_TOKEN": token}).test_client()
    assert guarded.get("/metrics").status_code == 404  # loopback is not enough once a token is set
    assert guarded.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    ok = guarded.get("/metrics", environ_base=far, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and b"storefront_orders_placed_total" in ok.data


# --- Sentry --------------------------------------------------------------------------------------


class SentryInbox(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_inbox():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SentryInbox)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_unhandled_error_reaches_sentry(another_app, sentry_inbox):
    import sentry_sdk

    port = sentry_inbox.server_address[1]
    other = another_app(
        environ={"SENTRY_DSN": f"http://public@127.0.0.1:{port}/1"}, PROPAGATE_EXCEPTIONS=False
    )

    def boom():
        raise ProbeError("sentry should hear of this")

    other.add_url_rule("/_boom", "boom", boom)  # on this test's app only
    try:
        assert other.test_client().get("/_boom").status_code == 500
        sentry_sdk.flush(timeout=10)
        envelopes = b"\n".join(sentry_inbox.received)
        assert b"ProbeError" in envelopes and b"sentry should hear of this" in envelopes
        assert b'"environment":"testing"' in envelopes.replace(b" ", b"")
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)  # reports off for the rest of the run


def test_without_a_dsn_sentry_is_not_even_imported(tmp_path):
    code = (
        "import sys; from storefront import create_app; "
        f"create_app({{'STOREFRONT_ENV': 'testing', 'STOREFRONT_INSTANCE': {str(tmp_path)!r}}}); "
        "print('sentry_sdk' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# --- Settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' is not one of json, text"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL='loud' is not one of"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN is too short"),
        ({"SENTRY_DSN": "not a dsn"}, "SENTRY_DSN='not a dsn' is not a Sentry DSN"),
        ({"SENTRY_TRACES_SAMPLE_RATE": "2"}, "SENTRY_TRACES_SAMPLE_RATE='2' is not a number from 0 to 1"),
    ],
)
def test_bad_observability_settings_stop_the_start(tmp_path, environ, message):
    from storefront.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match=message):
        load_settings(environ, tmp_path)


def test_logs_default_to_json_in_production_only(tmp_path):
    from storefront.settings import load_settings

    production = {"STOREFRONT_ENV": "production", "SECRET_KEY": "s" * 40,
                  "MAIL_URL": "smtp://relay:25", "PAYMENT_PROVIDER": "sandbox"}
    assert load_settings(production, tmp_path)["LOG_FORMAT"] == "json"
    assert load_settings({}, tmp_path)["LOG_FORMAT"] == "text"
    assert load_settings({"LOG_FORMAT": "JSON"}, tmp_path)["LOG_FORMAT"] == "json"

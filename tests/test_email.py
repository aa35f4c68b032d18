"""The email outbox, end to end against a real SMTP server (aiosmtpd on loopback, never a mock).

Delivery is driven with ``now=`` instead of waiting: a retry due in a minute is tried by a sweep
told that it is a minute later.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import ipaddress
import logging
import smtplib
import ssl
import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront import create_app, jobs
from storefront.devmail import capture_dir, start_capture
from storefront.extensions import db
from storefront.jobs.email import deliver_outbox_message, sweep_outbox
from storefront.marketplace import outbox
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import OutboxMessage, OutboxStatus, utcnow
from storefront.marketplace.unit_of_work import transaction
from storefront.notifications import delivery, smtp
from storefront.notifications.render import render_and_store, render_email
from tests import email_fixtures
from tests.email_fixtures import HOST, RecordingSmtpServer, free_port

smtp_server = email_fixtures.smtp_server  # the fixture, for this module's tests

RESET = {
    "user_name": "Zoé Martin",
    "reset_url": "https://shop.example/account/reset/abc123?x=1&y=2",
    "expires_minutes": 30,
    "sent_on": date(2026, 11, 27),  # a Friday
}


def enqueue_reset(session, to="zoe@example.com", locale="en", **context) -> OutboxMessage:
    return outbox.record_email(
        session,
        to=to,
        template="password_reset",
        context={**RESET, **context},
        locale=locale,
        kind="password_reset",
    )


def write_rows(session, count: int = 1) -> list[int]:
    """Outbox rows written as another process would, without this session's after-commit hook
    (as if that process had died right after committing): recorded, not rendered yet."""
    rows = [
        OutboxMessage(
            kind="password_reset",
            template="password_reset",
            context=outbox.encode_context(RESET),
            locale="en",
            sender="",
            to_address=f"customer{n}@example.com",
            message_id=f"<row-{n}-{utcnow().timestamp()}@{outbox.PENDING_MESSAGE_ID_DOMAIN}>",
            next_attempt_at=utcnow(),
        )
        for n in range(count)
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def status_of(session, message_id: int) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message_id)


def assert_is_the_reset_email(
    message: EmailMessage, row: OutboxMessage, subject: str = "Reset your password"
) -> None:
    assert message["To"] == "zoe@example.com"
    assert message["From"] == "Storefront <boutique@storefront.localhost>"
    assert message["Subject"] == subject
    assert message["Message-ID"] == row.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Zoé Martin" in text and RESET["reset_url"] in text and "30 minutes" in text
    assert 'href="https://shop.example/account/reset/abc123?x=1&amp;y=2"' in html
    assert "<!doctype html>" in html


# --- enqueueing --------------------------------------------------------------------------------


def test_an_email_of_a_rolled_back_transaction_is_never_sent(session, smtp_server):
    with pytest.raises(RuntimeError), transaction(session):
        enqueue_reset(session)
        raise RuntimeError("the event that wanted the email failed")

    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert sweep_outbox.call_local() == 0
    assert smtp_server.envelopes == []


def test_enqueueing_does_not_commit(session, smtp_server):
    enqueue_reset(session)
    session.rollback()  # the caller decides
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert smtp_server.envelopes == []


def test_an_unusable_address_refuses_the_whole_transaction(session):
    with pytest.raises(InvalidValue, match="cannot send an email"):
        enqueue_reset(session, to="not an address")
    with pytest.raises(InvalidValue, match="no emails in 'de'"):
        enqueue_reset(session, locale="de")


def test_the_email_is_written_in_the_recipients_language(app_context):
    french = render_email("password_reset", RESET, "fr")
    english = render_email("password_reset", RESET, "en")
    # French translations of the msgids come later; Babel's formats show the locale got through.
    assert "vendredi 27 novembre" in french.text and "vendredi 27 novembre" in french.html
    assert '<html lang="fr">' in french.html
    assert "Friday 27 November" in english.text and "Friday 27 November" in english.html
    assert '<html lang="en">' in english.html
    # Text is not HTML: nothing escaped there; everything escaped in the HTML part.
    hostile = render_email("password_reset", {**RESET, "user_name": "<b>Zoé</b>"}, "en")
    assert "Hello <b>Zoé</b>," in hostile.text
    assert "Hello &lt;b&gt;Zoé&lt;/b&gt;," in hostile.html


def test_a_theme_overrides_an_email_template(app, tmp_path):
    theme = tmp_path / "theme"
    (theme / "emails").mkdir(parents=True)
    (theme / "emails" / "password_reset.subject.txt").write_text(
        '{% include "core/emails/password_reset.subject.txt" %} · Maison Dupont\n'
    )
    with separate_app(app, tmp_path, "testing") as themed:
        from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

        # What a theme loader does: the theme's folder first, the defaults under "core/".
        themed.jinja_loader = ChoiceLoader(
            [
                FileSystemLoader(theme),
                PrefixLoader({"core": themed.jinja_loader}),
                themed.jinja_loader,
            ]
        )
        with themed.app_context():
            rendered = render_email("password_reset", RESET, "en")
    assert rendered.subject == "Reset your password · Maison Dupont"


def test_a_service_records_an_email_without_flask_and_the_worker_renders_and_sends_it(
    app, app_context, smtp_server
):
    from flask import has_app_context

    from storefront.marketplace import password_reset
    from tests import factories

    engine = db.engine
    with Session(engine) as setup:
        factories.user(setup, email="zoe@example.com").name = "Zoé Martin"
        setup.commit()

    def outside_flask() -> int:
        assert not has_app_context()  # as in a script or any process without the web app
        with Session(engine) as session, transaction(session):
            password_reset.request_password_reset(
                session, "zoe@example.com", secret_key=app.secret_key, locale="fr"
            )
            row = session.scalar(select(OutboxMessage))
            # What to send, not the email itself: nothing rendered in the service's transaction.
            assert (row.template, row.locale, row.subject, row.text_body) == (
                "password_reset", "fr", "", ""
            )
            assert row.rendered_at is None and '"$link": "password_reset"' in row.context
            assert smtp_server.envelopes == []
            return row.id

    message_id = contextvars.Context().run(outside_flask)

    # The worker renders the email, then sends it.
    assert sweep_outbox.call_local() == 1
    sent = status_of(db.session, message_id)
    assert sent.status == OutboxStatus.SENT and sent.rendered_at is not None
    assert sent.sender == app.config["MAIL_FROM"]
    (message,) = smtp_server.messages
    assert message["Subject"] == "Réinitialisation de votre mot de passe" == sent.subject
    assert message["Message-ID"] == sent.message_id and "storefront.localhost" in sent.message_id
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Zoé Martin" in text
    # The one link builder made the link absolute, from the URL map and PUBLIC_URL.
    link = next(word for word in text.split() if word.startswith(app.config["PUBLIC_URL"]))
    assert link.startswith(app.config["PUBLIC_URL"] + "/compte/mot-de-passe/nouveau/")
    token = link.rsplit("/", 1)[1]
    assert password_reset.user_for_reset_token(db.session, token, app.secret_key).email == (
        "zoe@example.com"
    )


def test_a_message_that_cannot_be_rendered_is_retried_then_failed_and_never_sent(
    session, smtp_server
):
    with transaction(session):
        row = outbox.record_email(
            session, to="zoe@example.com", template="no_such_email", context={}, locale="en"
        )
    message_id = row.id
    failed = status_of(session, message_id)  # the task after commit tried once
    assert failed.status == OutboxStatus.PENDING and "no_such_email" in failed.last_error
    assert failed.rendered_at is None and smtp_server.envelopes == []


def test_an_email_context_holds_plain_values_only(session):
    from tests import factories

    with pytest.raises(TypeError, match="plain values"):
        outbox.record_email(
            session, to="zoe@example.com", template="password_reset", locale="en",
            context={"user": factories.user(session)},
        )
    when = datetime(2026, 11, 27, 13, 59, tzinfo=UTC)
    text = outbox.encode_context({"at": when, "day": date(2026, 11, 27), "url": outbox.link("x", id=1)})
    revived = outbox.decode_context(text, lambda link: f"/x/{link['id']}")
    assert revived == {"at": when, "day": date(2026, 11, 27), "url": "/x/1"}


# --- delivery ----------------------------------------------------------------------------------


def test_committing_delivers_through_the_huey_task_after_commit(app, session, smtp_server):
    assert jobs.queue(app).immediate  # under test, the queued task runs at once, in this process
    with transaction(session):
        row = enqueue_reset(session, locale="fr")
        assert smtp_server.envelopes == []  # nothing leaves before the commit
    message_id = row.id

    # The commit queued deliver_outbox_message; no sweep has run.
    assert len(smtp_server.envelopes) == 1
    sent = status_of(session, message_id)
    assert (sent.status, sent.attempts, sent.last_error) == (OutboxStatus.SENT, 1, "")
    assert sent.sent_at is not None and sent.claim_token is None
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "boutique@storefront.localhost"
    assert envelope.rcpt_tos == ["zoe@example.com"]
    # Written in the customer's language.
    assert_is_the_reset_email(smtp_server.messages[0], sent, "Réinitialisation de votre mot de passe")
    assert smtp_server.messages[0]["Content-Language"] == "fr"

    # Neither the task nor the sweep sends it again.
    assert deliver_outbox_message.call_local(message_id) == "SKIPPED"
    assert sweep_outbox.call_local() == 0
    assert len(smtp_server.envelopes) == 1


def test_the_sweep_delivers_what_no_task_was_queued_for(session, smtp_server):
    ids = write_rows(session, 3)
    assert smtp_server.envelopes == []

    assert sweep_outbox.call_local() == 3
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "customer0@example.com",
        "customer1@example.com",
        "customer2@example.com",
    ]
    assert {status_of(session, i).status for i in ids} == {OutboxStatus.SENT}
    assert sweep_outbox.call_local() == 0
    assert len(smtp_server.envelopes) == 3


def test_messages_wait_while_the_server_is_down_then_go_exactly_once(app, session):
    port = free_port()  # nobody listens there yet
    app.config["MAIL_URL"], previous = f"smtp://{HOST}:{port}", app.config["MAIL_URL"]
    server = None
    try:
        with transaction(session):
            row = enqueue_reset(session)
        before = utcnow()
        waiting = status_of(session, row.id)
        assert waiting.status == OutboxStatus.PENDING
        assert waiting.attempts == 1
        assert "ConnectionRefusedError" in waiting.last_error
        assert waiting.next_attempt_at > before
        assert waiting.next_attempt_at <= before + delivery.retry_delay(1)

        server = RecordingSmtpServer(port).start()
        # Not due yet: the sweep leaves it alone.
        assert delivery.deliver_due(session, render=render_and_store, mail_url=app.config["MAIL_URL"]).sent == 0
        assert server.envelopes == []

        later = utcnow() + timedelta(minutes=1)
        report = delivery.deliver_due(session, render=render_and_store, mail_url=app.config["MAIL_URL"], now=later)
        assert report.outcomes == {row.id: delivery.Outcome.SENT}
        sent = status_of(session, row.id)
        assert (sent.status, sent.attempts, sent.last_error) == (OutboxStatus.SENT, 2, "")
        assert_is_the_reset_email(server.messages[0], sent)

        much_later = later + timedelta(days=1)
        assert delivery.deliver_due(session, render=render_and_store, mail_url=app.config["MAIL_URL"], now=much_later).sent == 0
        assert len(server.envelopes) == 1
    finally:
        app.config["MAIL_URL"] = previous
        if server is not None:
            server.stop()


@pytest.fixture
def delivery_log(caplog):
    """The delivery logger's records. Alembic's logging setup (migrations/env.py, run by the
    ``app`` fixture) disables loggers that already exist, this one included: enable it here."""
    logger = logging.getLogger(delivery.__name__)
    disabled, logger.disabled = logger.disabled, False
    caplog.set_level(logging.INFO, logger=logger.name)
    try:
        yield caplog
    finally:
        logger.disabled = disabled


def test_retries_back_off_and_give_up_after_the_last_attempt(session, delivery_log):
    assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 7, 8, 12)] == [
        30,
        60,
        120,
        240,
        1920,
        3600,
        3600,
    ]
    (message_id,) = write_rows(session)
    down = f"smtp://{HOST}:{free_port()}"
    now = utcnow()
    for attempt in range(1, delivery.MAX_ATTEMPTS):
        report = delivery.deliver_due(session, render=render_and_store, mail_url=down, now=now)
        assert report.outcomes == {message_id: delivery.Outcome.RETRY}
        row = status_of(session, message_id)
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, attempt)
        assert row.next_attempt_at == now + delivery.retry_delay(attempt)
        now = row.next_attempt_at

    report = delivery.deliver_due(session, render=render_and_store, mail_url=down, now=now)
    assert report.outcomes == {message_id: delivery.Outcome.FAILED}
    row = status_of(session, message_id)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, delivery.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in row.last_error
    assert any(
        r.levelno == logging.ERROR and f"outbox message {message_id} FAILED" in r.getMessage()
        for r in delivery_log.records
    )
    assert delivery.deliver_due(session, render=render_and_store, mail_url=down, now=now + timedelta(days=30)).outcomes == {}


def test_a_sweep_stops_at_the_first_unreachable_server(session):
    write_rows(session, 5)
    report = delivery.deliver_due(session, render=render_and_store, mail_url=f"smtp://{HOST}:{free_port()}")
    # One attempt tells us the server is down; the other four wait for the next sweep, untouched.
    assert list(report.outcomes.values()) == [delivery.Outcome.RETRY]
    attempts = session.scalars(select(OutboxMessage.attempts).order_by(OutboxMessage.id)).all()
    assert sorted(attempts) == [0, 0, 0, 0, 1]


def test_two_workers_never_claim_the_same_message(app, session):
    ids = write_rows(session, 20)
    now = utcnow()
    start = threading.Barrier(2)
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def worker(name: str, order: list[int]) -> None:
        try:
            with app.app_context(), Session(db.engine) as own_session:
                start.wait()
                for message_id in order:
                    if delivery.claim(own_session, message_id, now=now):
                        claimed[name].append(message_id)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=("a", ids)),
        threading.Thread(target=worker, args=("b", ids[::2] + ids[1::2])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert not set(claimed["a"]) & set(claimed["b"])
    assert sorted(claimed["a"] + claimed["b"]) == ids
    rows = session.scalars(select(OutboxMessage)).all()
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENDING, 1)}


def test_a_second_claim_of_a_claimed_message_gets_nothing(app, session):
    (message_id,) = write_rows(session)
    with Session(db.engine) as first, Session(db.engine) as second:
        assert delivery.claim(first, message_id) is not None
        assert delivery.claim(second, message_id) is None


def test_a_message_of_a_worker_that_died_is_sent_after_the_lease(app, session, smtp_server):
    (message_id,) = write_rows(session)
    crashed_at = utcnow()
    assert delivery.claim(session, message_id, now=crashed_at)  # ... and the worker dies here
    url = app.config["MAIL_URL"]

    soon = crashed_at + timedelta(minutes=1)
    assert delivery.deliver_due(session, render=render_and_store, mail_url=url, now=soon).outcomes == {}
    assert status_of(session, message_id).status == OutboxStatus.SENDING

    after_lease = crashed_at + delivery.LEASE + timedelta(seconds=1)
    report = delivery.deliver_due(session, render=render_and_store, mail_url=url, now=after_lease)
    assert report.outcomes == {message_id: delivery.Outcome.SENT}
    row = status_of(session, message_id)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(smtp_server.envelopes) == 1
    assert delivery.deliver_due(session, render=render_and_store, mail_url=url, now=after_lease + delivery.LEASE).sent == 0
    assert len(smtp_server.envelopes) == 1


def test_a_worker_dying_on_the_last_attempt_leaves_the_message_failed(app, session, delivery_log):
    (message_id,) = write_rows(session)
    row = status_of(session, message_id)
    row.attempts = delivery.MAX_ATTEMPTS - 1
    session.commit()
    claimed_at = utcnow()
    assert delivery.claim(session, message_id, now=claimed_at)

    report = delivery.deliver_due(
        session, mail_url=app.config["MAIL_URL"], now=claimed_at + delivery.LEASE
    )
    assert (report.abandoned, report.outcomes) == (1, {})
    row = status_of(session, message_id)
    assert (row.status, row.claim_token) == (OutboxStatus.FAILED, None)
    assert "worker stopped" in row.last_error
    assert any(
        r.levelno == logging.ERROR and "their worker stopped" in r.getMessage()
        for r in delivery_log.records
    )


# --- SMTP connection forms ---------------------------------------------------------------------


def test_mail_url_forms():
    plain = smtp.SmtpServer.from_url("smtp://127.0.0.1:8025")
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls, plain.username) == (
        "127.0.0.1",
        8025,
        False,
        False,
        None,
    )
    submission = smtp.SmtpServer.from_url("smtp://shop%40example.com:p%40ss%3Aw@relay:587?starttls=1")
    assert (submission.port, submission.starttls) == (587, True)
    assert (submission.username, submission.password) == ("shop@example.com", "p@ss:w")
    implicit = smtp.SmtpServer.from_url("smtps://u:p@relay?timeout=5")
    assert (implicit.port, implicit.implicit_tls, implicit.starttls, implicit.timeout) == (
        465,
        True,
        False,
        5.0,
    )
    with pytest.raises(ValueError):
        smtp.SmtpServer.from_url("http://relay")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (server context, client context)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


def a_message() -> EmailMessage:
    return smtp.build_message(
        message_id="<tls-test@storefront.localhost>",
        sender="Storefront <boutique@storefront.localhost>",
        to="zoe@example.com",
        subject="Hello",
        text="Hello\n",
        html="<p>Hello</p>",
        date=utcnow(),
        locale="en",
    )


def test_starttls_with_login(certificate):
    server_context, client_context = certificate
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        # handled=False: aiosmtpd answers the refusal itself (535).
        return AuthResult(success=auth_data.password == b"p@ss:w", handled=False)

    server = RecordingSmtpServer(
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticate,
    ).start()
    try:
        url = f"smtp://shop%40example.com:p%40ss%3Aw@{HOST}:{server.port}?starttls=1"
        smtp.send(a_message(), url, ssl_context=client_context)
        assert logins == [("shop@example.com", "p@ss:w")]
        assert [m["Subject"] for m in server.messages] == ["Hello"]

        wrong = f"smtp://shop%40example.com:nope@{HOST}:{server.port}?starttls=1&timeout=5"
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.send(a_message(), wrong, ssl_context=client_context)
        with pytest.raises(OSError):  # plain text refused: the server requires STARTTLS
            smtp.send(a_message(), f"smtp://{HOST}:{server.port}?timeout=5")
        assert len(server.envelopes) == 1
    finally:
        server.stop()


def test_implicit_tls(certificate):
    server_context, client_context = certificate
    server = RecordingSmtpServer(ssl_context=server_context).start()
    try:
        smtp.send(a_message(), f"smtps://{HOST}:{server.port}", ssl_context=client_context)
        assert [m["Message-ID"] for m in server.messages] == ["<tls-test@storefront.localhost>"]
        with pytest.raises(ssl.SSLError):  # the system does not trust our test certificate
            smtp.send(a_message(), f"smtps://{HOST}:{server.port}")
    finally:
        server.stop()


# --- development capture -----------------------------------------------------------------------


@contextmanager
def separate_app(app, tmp_path, env: str, **environ):
    """Another application (its own instance folder, SQLite file and job queue)."""
    instance = tmp_path / f"instance-{env}"
    environment = {
        "STOREFRONT_ENV": env,
        "STOREFRONT_INSTANCE": str(instance),
        "DATABASE_URL": f"sqlite:///{tmp_path / f'{env}.db'}",
        **environ,
    }
    other = create_app(environment)
    try:
        yield other
    finally:
        with other.app_context():
            db.engine.dispose()


def test_the_development_capture_keeps_mail_and_shows_it(app, session, tmp_path):
    instance = tmp_path / "instance-development"
    folder = capture_dir(instance)
    capture = start_capture(folder, HOST, free_port())
    app.config["MAIL_URL"], previous = f"smtp://{HOST}:{capture.port}", app.config["MAIL_URL"]
    try:
        with transaction(session):
            row = enqueue_reset(session, user_name="<script>alert(1)</script>")
        assert status_of(session, row.id).status == OutboxStatus.SENT
    finally:
        app.config["MAIL_URL"] = previous
        capture.stop()

    with separate_app(app, tmp_path, "development") as development:
        assert development.instance_path == str(instance)
        (eml,) = folder.glob("*.eml")
        raw = eml.read_bytes()
        assert raw.startswith(b"Return-Path: <boutique@storefront.localhost>\r\nDelivered-To: zoe@example.com\r\n")
        assert b"Subject: Reset your password" in raw

        client = development.test_client()
        listing = client.get("/_dev/mail/")
        assert listing.status_code == 200
        page = listing.get_data(as_text=True)
        assert "Reset your password" in page and "zoe@example.com" in page
        assert f"/_dev/mail/{eml.name}" in page

        shown = client.get(f"/_dev/mail/{eml.name}")
        page = shown.get_data(as_text=True)
        assert shown.status_code == 200
        assert RESET["reset_url"].replace("&", "&amp;") in page  # the text part
        assert "<script>alert(1)</script>" not in page  # escaped, in the text and in the source
        assert f'sandbox="" title="HTML part" src="/_dev/mail/{eml.name}/html"' in page
        assert "script-src 'self'" in shown.headers["Content-Security-Policy"]

        html = client.get(f"/_dev/mail/{eml.name}/html")
        assert html.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
        assert "<!doctype html>" in html.get_data(as_text=True)

        assert client.get(f"/_dev/mail/{eml.name}/raw").data == raw
        assert client.get("/_dev/mail/..%2Fsecret_key").status_code == 404
        assert client.get("/_dev/mail/20260101T000000.000000Z-00000000.eml").status_code == 404


def test_the_mail_pages_exist_only_in_development(app, client, tmp_path):
    assert client.get("/_dev/mail/").status_code == 404
    production = {
        "SECRET_KEY": "a-production-secret-key-that-is-long-enough",
        "MAIL_URL": "smtp://relay.example.com:587?starttls=1",
        "PAYMENT_PROVIDER": "sandbox",
    }
    with separate_app(app, tmp_path, "production", **production) as shop:
        assert shop.test_client().get("/_dev/mail/").status_code == 404
        assert "devmail" not in shop.blueprints

"""A real SMTP server for email tests: aiosmtpd on the loopback interface, keeping what it receives.

``smtp_server`` starts one on a free port and points the test application's ``MAIL_URL`` at it
for the duration of the test. Tests that need the server to be down at first reserve a port with
:func:`free_port` and start a :class:`RecordingSmtpServer` on it later.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from storefront.marketplace.models import OutboxMessage
from storefront.notifications.render import render_pending

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on (the system picks it; we close it at once)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class RecordingSmtpServer:
    """Accepts every message and keeps its envelope; ``messages`` parses them."""

    def __init__(self, port: int | None = None, **smtp_options):
        self.port = port or free_port()
        self.envelopes: list = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=HOST, port=self.port, **smtp_options)

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            contents = [envelope.original_content for envelope in self.envelopes]
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in contents]

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.envelopes.append(envelope)
        return "250 OK"

    def start(self) -> RecordingSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def smtp_server(app):
    """A running SMTP server that the test application sends to."""
    server = RecordingSmtpServer().start()
    previous = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = server.url
    try:
        yield server
    finally:
        app.config["MAIL_URL"] = previous
        server.stop()


def rendered_outbox(session) -> list[OutboxMessage]:
    """Every outbox row, oldest first, rendered as the worker renders a message before its first
    attempt (services record only what to send). Needs an application context."""
    render_pending(session)
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))

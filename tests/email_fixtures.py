"""A real SMTP server for email tests: aiosmtpd on the loopback interface, keeping what it receives.

``smtp_server`` starts one on a free port and points the test application's ``MAIL_URL`` at it
for the duration of the test. Tests that need the server to be down at first reserve a port with
:func:`free_port` and start a :class:`RecordingSmtpServer` on it later.
"""

from __future__ import annotations

import asyncio
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
    """Accepts every message and keeps its envelope; ``messages`` parses them.

    A slow server, to keep a delivery in flight: ``rcpt_delay`` seconds before it answers each
    RCPT (the message has not been transmitted yet), ``data_delay`` seconds between receiving a
    message and accepting it (it keeps the message as it accepts it). Both can change while it
    runs; ``rcpts_seen`` and ``data_seen`` count the commands as they arrive.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        rcpt_delay: float = 0.0,
        data_delay: float = 0.0,
        **smtp_options,
    ):
        self.port = port or free_port()
        self.envelopes: list = []
        self.rcpt_delay = rcpt_delay
        self.data_delay = data_delay
        self.rcpts_seen = 0
        self.data_seen = 0
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

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        self.rcpts_seen += 1  # in the server's event loop thread only
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.data_seen += 1
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
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

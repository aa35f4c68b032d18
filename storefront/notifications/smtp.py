"""Sending one message to the SMTP server named by ``MAIL_URL``.

``MAIL_URL`` forms::

    smtp://host:25                      plain SMTP (a local relay, the development capture)
    smtp://user:password@host:587?starttls=1
                                        STARTTLS, then login (the usual submission port)
    smtps://user:password@host:465      TLS from the first byte (implicit TLS)

User and password are percent-decoded, so a password may contain ``@`` or ``:`` written as
``%40`` and ``%3A``. ``?timeout=`` sets the socket timeout in seconds (30 by default).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT = 30.0
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect, read from ``MAIL_URL``."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MAIL_URL must look like smtp://host:port or smtps://user:pw@host:465")
        query = parse_qs(parts.query)
        implicit_tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit_tls else 25),
            implicit_tls=implicit_tls,
            starttls=not implicit_tls and query.get("starttls", ["0"])[-1].lower() in _TRUE,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            timeout=float(query.get("timeout", [DEFAULT_TIMEOUT])[-1]),
        )


def build_message(
    *,
    message_id: str,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    date: datetime,
    locale: str,
    request_id: str = "",
) -> EmailMessage:
    """A multipart/alternative message: the text part first, the HTML part preferred.

    ``request_id``: the request that caused the email, as ``X-Storefront-Request-ID`` (support
    finds the request's logs from a forwarded email)."""
    message = EmailMessage()
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    # RFC 3834: tells vacation responders and mailing-list software not to answer a robot.
    message["Auto-Submitted"] = "auto-generated"
    if request_id:
        message["X-Storefront-Request-ID"] = request_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After the parts: turning the message into a multipart moves Content-* headers into the first.
    message["Content-Language"] = locale
    return message


def send(
    message: EmailMessage, mail_url: str, *, ssl_context: ssl.SSLContext | None = None
) -> None:
    """Hand ``message`` to the server of ``mail_url``; return once the server has accepted it.

    Raises ``OSError`` (``smtplib.SMTPException`` is one) when it could not: the caller decides
    whether to try again. ``ssl_context`` defaults to the system's trusted certificates.
    """
    server = SmtpServer.from_url(mail_url)
    context = ssl_context or ssl.create_default_context()
    if server.implicit_tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        if server.starttls:
            client.starttls(context=context)
        if server.username:
            client.login(server.username, server.password or "")
        client.send_message(message)
    except BaseException:
        client.close()
        raise
    # The server has accepted the message: a failed goodbye must not make the caller send it again.
    try:
        client.quit()
    except OSError:
        client.close()


def server_unreachable(error: BaseException) -> bool:
    """True when no SMTP conversation took place (refused, timed out, name unknown, cut off):
    every other message would fail the same way for now. False when the server answered with
    an error about this message."""
    return isinstance(
        error,
        ConnectionError
        | TimeoutError
        | socket.gaierror
        | smtplib.SMTPConnectError
        | smtplib.SMTPServerDisconnected,
    )

"""Development mail capture: the shop's emails never leave the developer's machine.

- ``python -m storefront.devmail`` (started by ``make run``, see Procfile.dev) is an SMTP server on
  127.0.0.1:8025, the default ``MAIL_URL`` outside production. It accepts every message and
  writes it to ``instance/mail/`` as a ``.eml`` file (any mail client opens one).
- ``/_dev/mail`` lists the captured messages, newest first, and shows one: its headers, its text
  part, and its HTML part in a sandboxed frame. The blueprint is registered in development only:
  it shows every message, password-reset links included.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import secrets
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template

from storefront.settings import default_instance_path

CAPTURE_FOLDER = "mail"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025
# Names this module writes: a UTC timestamp (so that names sort by arrival) and a random suffix.
_NAME = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}\.eml$")


def capture_dir(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / CAPTURE_FOLDER


# --- the SMTP server ---------------------------------------------------------------------------


class MailCapture:
    """aiosmtpd handler: every message accepted, written as a .eml file."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(4)}.eml"
        # What a delivery agent adds: who the envelope was from and for (Bcc recipients appear
        # only here).
        trace = f"Return-Path: <{envelope.mail_from}>\r\n" + "".join(
            f"Delivered-To: {recipient}\r\n" for recipient in envelope.rcpt_tos
        )
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        partial = self.directory / f".{name}.part"
        partial.write_bytes(trace.encode("utf-8") + content)
        partial.replace(self.directory / name)  # appears whole, or not at all
        return "250 Message captured"


def start_capture(directory: str | os.PathLike, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
    """Start the capture server in a background thread; returns the aiosmtpd Controller
    (``.stop()`` it)."""
    from aiosmtpd.controller import Controller

    controller = Controller(MailCapture(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m storefront.devmail",
        description="Capture the shop's outgoing mail in development (read it at /_dev/mail).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--directory",
        type=Path,
        default=capture_dir(default_instance_path(os.environ)),
        help="where to write the .eml files (default: instance/mail)",
    )
    args = parser.parse_args(argv)
    controller = start_capture(args.directory, args.host, args.port)
    print(
        f"Capturing mail on smtp://{args.host}:{args.port} into {args.directory}; "
        "read it at /_dev/mail",
        flush=True,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # honcho stops its processes with SIGTERM
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.wait(1):
            pass
    finally:
        controller.stop()


# --- the pages ---------------------------------------------------------------------------------

bp = Blueprint("devmail", __name__, url_prefix="/_dev/mail")

# The HTML part is someone else's markup: shown in a frame that may run nothing, load nothing
# from elsewhere, and is a unique origin (sandbox); only its own inline styles apply.
HTML_PART_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'"
)


@dataclass(frozen=True)
class CapturedMail:
    name: str
    message: EmailMessage

    @property
    def received_at(self) -> datetime:
        return datetime.strptime(self.name.partition("-")[0], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)

    def header(self, name: str) -> str:
        return str(self.message.get(name, ""))

    def part(self, subtype: str) -> str | None:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else None


@bp.before_request
def development_only():
    # Registered only in development (storefront/__init__.py); refuse anyway if that ever changes.
    if current_app.config["ENV_NAME"] != "development":
        abort(404)


@bp.get("/")
def index():
    folder = capture_dir(current_app.instance_path)
    names = sorted(
        (path.name for path in folder.glob("*.eml") if _NAME.match(path.name)) if folder.is_dir() else (),
        reverse=True,
    )
    return render_template("devmail/index.html", mails=[_load(name) for name in names], folder=folder)


@bp.get("/<name>")
def show(name: str):
    return render_template("devmail/show.html", mail=_load(name))


@bp.get("/<name>/html")
def html_part(name: str):
    html = _load(name).part("html")
    if html is None:
        abort(404)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_PART_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/<name>/raw")
def raw(name: str):
    return Response(_path(name).read_bytes(), mimetype="text/plain")


def _path(name: str) -> Path:
    # Only names this module writes, so a URL cannot reach outside the capture folder.
    path = capture_dir(current_app.instance_path) / name
    if not _NAME.match(name) or not path.is_file():
        abort(404)
    return path


def _load(name: str) -> CapturedMail:
    with _path(name).open("rb") as file:
        message = email.message_from_binary_file(file, policy=email.policy.default)
    return CapturedMail(name=name, message=message)


if __name__ == "__main__":
    main()

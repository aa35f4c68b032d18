"""Logs: one JSON object per line in production (``LOG_FORMAT=json``), with the request id.

Standard library logging with a small formatter of our own (a dozen lines; python-json-logger
would add a dependency for the same). Every record passes :class:`RequestContextFilter`, which
adds the current request id (``observability.context``: set by the web layer, by the worker for
the tasks a request queued) and, inside a request whose visitor is signed in, their user id.

A line holds ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id`` when
there is one, the access line's ``method``, ``path``, ``status``, ``duration_ms``, ``user_id``,
any other field given in ``extra=`` that is listed in :data:`EXTRA_FIELDS`, and ``exception``
(the traceback's text) when the record carries one.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from storefront.observability.context import current_request_id

EXTRA_FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "user_id",
    "remote_addr",
    "task",
    "outbox_message_id",
)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``LOG_FORMAT=text`` in production: the usual line, with the request id."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, "request_id", None):
            record.request_id = "-"
        return super().format(record)


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` (unless the call gave its own in ``extra=``) and ``user_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        if getattr(record, "user_id", None) is None:
            record.user_id = _signed_in_user_id()
        return True


def _signed_in_user_id() -> int | None:
    from flask import g, has_request_context

    if not has_request_context():
        return None
    # Only a user Flask-Login has already loaded: logging must not query the database.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return getattr(user, "id", None)
    return None


_handler: logging.Handler | None = None


def handler() -> logging.Handler | None:
    """The handler :func:`configure` installed on the root logger, if any."""
    return _handler


def configure(*, log_format: str, level: str, env_name: str) -> None:
    """Send every log record to standard error, one line each, in ``log_format``.

    Development and testing in text format keep Python's and Flask's defaults (the development
    server prints its own lines). Installing again replaces our handler, never adds a second one.
    """
    global _handler
    if log_format == "text" and env_name != "production":
        return
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    new = logging.StreamHandler(sys.stderr)
    new.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    new.addFilter(RequestContextFilter())
    root.addHandler(new)
    root.setLevel(level)
    _handler = new


def uninstall() -> None:
    """Remove our handler (tests)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler = None

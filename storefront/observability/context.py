"""The request id of the work in progress, without Flask.

The web layer sets it for each request (from a well-formed ``X-Request-ID`` header, or a new
one); the job queue carries it with the tasks queued during that request and sets it again while
the worker runs them; the outbox records it on the emails written meanwhile. Services and the
worker read it here, so none of them needs Flask to know which request caused their work.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("storefront_request_id", default=None)

# What we accept from a client or a proxy: short, and nothing a log line or a header could be
# abused with (no spaces, quotes, line breaks).
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def well_formed(value: str | None) -> bool:
    return bool(value) and _WELL_FORMED.fullmatch(value) is not None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def request_id_set_to(value: str | None) -> Iterator[None]:
    """Make ``value`` the current request id inside the block (None: no request)."""
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)


def set_request_id(value: str | None):
    """Set it until :func:`reset_request_id` with the token returned (the web layer's hooks)."""
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)

"""Cursor pagination, the same for every list of the API.

A cursor is the position of the last item of a page (the values of the list's stable order),
signed so that a client can neither forge a position nor smuggle values into the query, and
base64url-encoded to travel in a URL. The next page is in ``next_cursor`` and the ``Link``
header (``rel="next"``), with the request's other parameters kept.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from .problems import ApiProblem

T = TypeVar("T")


def _signer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"api-{kind}-cursor")


def make_cursor(kind: str, position: Any) -> str:
    """The cursor of ``position`` (JSON values) in the list ``kind``."""
    return base64.urlsafe_b64encode(_signer(kind).dumps(position).encode()).decode().rstrip("=")


def read_cursor(kind: str, parse: Callable[[Any], T]) -> T | None:
    """The position in the request's ``cursor``, through ``parse`` (which raises ValueError or
    TypeError on a shape it does not expect); None without one; a 400 problem if forged."""
    text = request.args.get("cursor", "").strip()
    if not text:
        return None
    try:
        token = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        return parse(_signer(kind).loads(token))
    except (BadSignature, ValueError, TypeError, UnicodeDecodeError):
        raise ApiProblem(400, "invalid_cursor",
                         "This cursor was not given by this API; start again without it.",
                         field="cursor") from None


def page_answer(items: list, next_cursor: str | None, endpoint: str) -> Response:
    """``{"items", "next_cursor"}``, with the ``Link`` header of the next page if there is one."""
    answer = jsonify({"items": items, "next_cursor": next_cursor})
    if next_cursor:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        link = url_for(endpoint, _external=True, cursor=next_cursor, **args)
        answer.headers["Link"] = f'<{link}>; rel="next"'
    return answer


def last_id(value: Any) -> int:
    """``read_cursor``'s ``parse`` for a list in id order: the position is the last item's id."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("a cursor of this list is an id")
    return value


def id_page(kind: str, endpoint: str, found: list, limit: int, render: Callable[[Any], dict], *,
            key: Callable[[Any], int] = lambda item: item.id) -> Response:
    """The answer for ``found``, fetched in id order (``key``) with ``limit + 1`` rows (the extra
    one only says that a next page exists)."""
    page, more = found[:limit], len(found) > limit
    next_cursor = make_cursor(kind, key(page[-1])) if more else None
    return page_answer([render(item) for item in page], next_cursor, endpoint)

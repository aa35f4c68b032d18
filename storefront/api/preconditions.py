"""``ETag`` and ``If-Match`` for resources a client updates (offers, rates): an update names the
version it read, so that two systems changing the same thing cannot overwrite each other unseen.

A missing ``If-Match`` is a 428 problem, a stale one a 412 carrying the current ``etag``;
``*`` matches any version.
"""

from __future__ import annotations

import hashlib

from flask import request

from .problems import ApiProblem


def etag_of(parts: tuple) -> str:
    """A strong ETag for the values a client can change (with the row's id)."""
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:24] + '"'


def require_match(current: str, what: str) -> None:
    """Refuse the request unless its ``If-Match`` names ``current`` (the ETag of ``what`` now)."""
    expected = request.headers.get("If-Match", "").strip()
    if not expected:
        raise ApiProblem(428, "precondition_required",
                         f"Send the {what}'s ETag in If-Match (GET it first).", field="If-Match")
    if expected != "*" and current not in [tag.strip() for tag in expected.split(",")]:
        raise ApiProblem(412, "precondition_failed",
                         f"The {what} changed since you read it; GET it again and retry.",
                         field="If-Match", etag=current)

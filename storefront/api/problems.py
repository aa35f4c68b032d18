"""Errors of the API as ``application/problem+json`` (RFC 9457), in one place.

``type`` is a stable relative URI, ``/api/problems/<code>``; ``title`` is the same for every
problem of a type, ``detail`` says what happened this time, ``field`` names the offending input
when there is one, and ``reason`` carries the service's refusal code
(storefront/marketplace/refusals.py) when a rule said no.
"""

from __future__ import annotations

import math
import time

from flask import Response, json
from werkzeug.exceptions import HTTPException

from storefront.marketplace import errors as domain

MEDIA_TYPE = "application/problem+json"

TITLES = {
    "bad_request": "The request is malformed",
    "malformed_json": "The body is not valid JSON",
    "unsupported_media_type": "The body must be JSON",
    "invalid_parameter": "A parameter is invalid",
    "invalid_cursor": "The pagination cursor is invalid",
    "invalid_token": "The access token is missing or invalid",
    "insufficient_scope": "The access token lacks the scope this needs",
    "not_found": "No such resource",
    "method_not_allowed": "Method not allowed",
    "payload_too_large": "The body is too large",
    "rate_limited": "Too many requests",
    "api_not_configured": "The API is not configured on this shop",
    "server_error": "Something went wrong on our side",
    # Domain errors (storefront/marketplace/errors.py).
    "invalid_value": "A value is invalid",
    "not_allowed": "Not allowed",
    "invalid_transition": "Not possible in the current state",
    "out_of_stock": "Out of stock",
    "not_deliverable": "Not deliverable",
    "conflict": "Changed by someone else",
    "needs_confirmation": "Needs confirmation",
    "refused": "Refused",
    "precondition_required": "This needs an If-Match header",
    "precondition_failed": "Changed since it was read",
    "idempotency_key_reused": "This Idempotency-Key was used for another request",
    "idempotency_key_in_use": "A request with this Idempotency-Key is still running",
}

# Most specific first: the first class an error is an instance of names its problem type.
DOMAIN_CODES: tuple[tuple[type[domain.DomainError], str], ...] = (
    (domain.NeedsConfirmation, "needs_confirmation"),
    (domain.InvalidValue, "invalid_value"),
    (domain.NotFound, "not_found"),
    (domain.NotAllowed, "not_allowed"),
    (domain.InvalidTransition, "invalid_transition"),
    (domain.OutOfStock, "out_of_stock"),
    (domain.NotDeliverable, "not_deliverable"),
    (domain.Conflict, "conflict"),
    (domain.DomainError, "refused"),
)

HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class ApiProblem(Exception):
    """Raised by API code to answer with a problem; turned into a response by :func:`response`."""

    def __init__(self, status: int, code: str, detail: str, *, field: str | None = None,
                 headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.field, self.headers, self.extra = field, headers or {}, extra


def response(problem: ApiProblem) -> Response:
    body = {
        "type": f"/api/problems/{problem.code}",
        "title": TITLES.get(problem.code, problem.code),
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.field:
        body["field"] = problem.field
    body.update(problem.extra)
    answer = Response(json.dumps(body), status=problem.status, mimetype=MEDIA_TYPE)
    answer.headers.update(problem.headers)
    return answer


def from_domain(error: domain.DomainError) -> Response:
    code = next(code for cls, code in DOMAIN_CODES if isinstance(error, cls))
    extra = {}
    reason = error.details.get("reason")
    if reason:
        extra["reason"] = str(reason)
    field = error.details.get("field")
    return response(ApiProblem(error.status, code, error.message, field=field, **extra))


def from_http(error: HTTPException) -> Response:
    status = error.code or 500
    code = HTTP_CODES.get(status, "bad_request" if status < 500 else "server_error")
    headers = {}
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    if status == 429:
        headers["Retry-After"] = str(_retry_after())
    detail = error.description if status < 500 else "Please try again later."
    return response(ApiProblem(status, code, detail, headers=headers))


def write_conflict() -> Response:
    return response(ApiProblem(409, "conflict", "Another request changed the same data at the same "
                               "moment; nothing was written. Send it again."))


def server_error() -> Response:
    return response(ApiProblem(500, "server_error", "Please try again later."))


def _retry_after() -> int:
    from storefront.extensions import limiter

    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(math.ceil(limit.reset_at - time.time()), 1)


def json_body(*, required: bool = False) -> dict:
    """The request's JSON object (``{}`` when there is no body and none is required): 415 for
    another media type, 400 for malformed JSON or a body that is not an object."""
    from flask import request

    if not request.content_length and not request.data:
        if required:
            raise ApiProblem(400, "malformed_json", "This needs a JSON object in the body.")
        return {}
    if not request.is_json:
        raise ApiProblem(415, "unsupported_media_type",
                         "Send the body as JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiProblem(400, "malformed_json", "The body is not a JSON object.")
    return body

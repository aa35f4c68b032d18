"""The audit of the API's writes: recorded here, once, for every domain; read by the operator at
``GET /api/v1/audit`` (and in the back office, ``/backoffice/api-audit``).

Recorded by an ``after_request`` hook of the API blueprint rather than inside ``require_scope``
or each view: it is the one place that sees every write of every domain (including views that
other modules declare), with the final status (only successful writes are kept), the view's
arguments (the object) and whether the answer is an ``Idempotency-Key`` replay (not kept
twice). The services commit their own transaction (``unit_of_work.atomic``), so the entry is
written in a short transaction right after the change, not in the same one: a crash between
the two loses the entry (logged), never the change. If writing the entry fails, the client still
gets its answer (the change is done; a 500 would invite a retry of a write that succeeded).
"""

from __future__ import annotations

import logging

from flask import Response, g, request
from pydantic import AwareDatetime, Field
from sqlalchemy.exc import SQLAlchemyError

from storefront.extensions import db
from storefront.marketplace import api_audit
from storefront.marketplace.errors import NotAllowed
from storefront.marketplace.models import ApiAuditEntry

from . import bp, pages
from .auth import Caller, require_scope
from .orders import rfc3339
from .schema import MAX_ID, Out, Query, operation

log = logging.getLogger(__name__)

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PREFIX = bp.url_prefix + "/"
DEFAULT_LIMIT, MAX_LIMIT = 50, 200


# -- recording -----------------------------------------------------------------------------------


def object_of(response: Response) -> tuple[str, str]:
    """What a write touched: its kind from the path's first segment (``/orders/…`` → order)
    and its id from the view's first argument, or, for a creation, the new object's ``id``."""
    segment = request.path[len(PREFIX):].split("/", 1)[0] if request.path.startswith(PREFIX) else ""
    kind = segment[:-1] if segment.endswith("s") else segment
    args = request.view_args or {}
    if args:
        return kind, str(next(iter(args.values())))
    if response.status_code == 201 and response.is_json:
        created = response.get_json(silent=True)
        if isinstance(created, dict) and isinstance(created.get("id"), (int, str)):
            return kind, str(created["id"])
    return kind, ""


@bp.after_request
def record_write(response: Response) -> Response:
    """Keep a successful write (2xx, not a replay) of an authenticated client."""
    caller: Caller | None = g.get("api_caller")
    if (
        request.method not in WRITES
        or caller is None
        or not 200 <= response.status_code < 300
        or response.headers.get("Idempotent-Replayed") == "true"
    ):
        return response
    kind, object_id = object_of(response)
    change = request.get_json(silent=True) if request.is_json else None
    try:
        api_audit.record(
            db.session, client_id=caller.client_id, seller_id=caller.seller_id,
            method=request.method, path=request.path, object_kind=kind, object_id=object_id,
            change=change, status=response.status_code,
        )
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("api audit: the write %s %s of client %s was not recorded",
                      request.method, request.path, caller.client_id)
    return response


# -- reading (the operator) ----------------------------------------------------------------------


class AuditQuery(Query):
    client_id: str | None = Field(None, max_length=64)
    seller_id: int | None = Field(None, ge=1, le=MAX_ID, description="one seller's clients' writes")
    operator: bool = Field(False, description="only the operator's clients' writes")
    object_kind: str | None = Field(None, max_length=32, examples=["order"])
    object_id: str | None = Field(None, max_length=64)
    since: AwareDatetime | None = Field(None, description="from this moment, RFC 3339 with its offset")
    until: AwareDatetime | None = Field(None, description="before this moment, RFC 3339 with its offset")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous page")


class AuditEntryOut(Out):
    id: int
    at: str
    client_id: str
    client_name: str | None
    seller_id: int | None = Field(description="None: an operator's client")
    method: str
    path: str
    object_kind: str
    object_id: str
    change: dict | list | None = Field(description="the body sent, secrets blanked, large ones summarised")
    status: int


class AuditPage(Out):
    items: list[AuditEntryOut]
    next_cursor: str | None


def entry_body(entry: ApiAuditEntry) -> dict:
    return {
        "id": entry.id,
        "at": rfc3339(entry.created_at),
        "client_id": entry.client_id,
        "client_name": entry.client.name if entry.client else None,
        "seller_id": entry.seller_id,
        "method": entry.method,
        "path": entry.path,
        "object_kind": entry.object_kind,
        "object_id": entry.object_id,
        "change": entry.change,
        "status": entry.status,
    }


@bp.get("/audit")
@require_scope("sellers:read")
@operation(tag="audit", query=AuditQuery, responses={200: AuditPage})
def list_audit(caller: Caller, query: AuditQuery):
    """The API's successful writes, newest first: who (client, seller), what (method, path,
    object, body) and the answer's status. Operator clients only (403 for a seller's)."""
    if not caller.is_operator:
        raise NotAllowed("only the operator's clients read the API audit")
    filters = api_audit.AuditFilters(
        client_id=query.client_id or "", seller_id=query.seller_id, operator=query.operator,
        object_kind=query.object_kind or "", object_id=query.object_id or "",
        since=query.since, until=query.until,
    )
    found = api_audit.entries_before(db.session, filters, before_id=pages.read_cursor("audit", int),
                                     limit=query.limit + 1)
    page, more = found[:query.limit], len(found) > query.limit
    next_cursor = pages.make_cursor("audit", page[-1].id) if more else None
    return pages.page_answer([entry_body(e) for e in page], next_cursor, "api.list_audit")


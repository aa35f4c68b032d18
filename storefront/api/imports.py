"""Imports through the API (a seller's client): ``POST /offers/imports`` (scope ``catalog:write``
to send, ``catalog:read`` to follow) takes a multipart file and a mode, ``POST /orders/imports``
(``orders:write``, ``orders:read``) a status and tracking file; both answer 202 with the import's
id and a ``Location`` to poll. The rows run in the worker, through the same services as the
portal's uploads (``marketplace.offer_imports``, ``marketplace.status_imports``)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import data_imports, offer_imports, status_imports
from storefront.marketplace.errors import NotAllowed
from storefront.marketplace.models import DataImport, ImportKind, ImportSource

from . import bp, pages
from .auth import Caller, require_scope
from .idempotency import idempotent
from .orders import rfc3339
from .problems import ApiProblem
from .schema import Out, PageQuery, operation


class ImportOut(Out):
    id: int
    status: str = Field(description="QUEUED, RUNNING, COMPLETE or FAILED")
    mode: str = Field(description="NORMAL or REPLACE")
    source: str = Field(description="API, UPLOAD (the portal), FEED (the offer feed) or CLI")
    file_name: str
    rows_total: int | None
    rows_done: int
    read: int
    created: int
    updated: int
    deactivated: int
    refused: int
    error: str | None = Field(description="why the whole file failed (FAILED), else null")
    errors_url: str
    created_at: str
    started_at: str | None
    finished_at: str | None


def _out(record: DataImport) -> dict:
    return {
        "id": record.id, "status": record.status.value, "mode": record.mode.value, "source": record.source.value,
        "file_name": record.file_name,
        "rows_total": record.rows_total, "rows_done": record.rows_done, "read": record.rows_read,
        "created": record.created_count, "updated": record.updated_count,
        "deactivated": record.deactivated_count, "refused": record.refused_count,
        "error": record.error or None,
        "errors_url": url_for("api.get_offer_import_errors", import_id=record.id, _external=True),
        "created_at": rfc3339(record.created_at), "started_at": rfc3339(record.started_at),
        "finished_at": rfc3339(record.finished_at),
    }


def upload_part(storage: data_imports.Storage):
    """The request's file part: a body bigger than the largest file is refused before it is read
    (413), a request without the part is a 400 naming it."""
    if (request.content_length or 0) > storage.max_bytes + 100_000:
        raise ApiProblem(413, "payload_too_large", f"The file is at most {storage.max_bytes} bytes.", field="file")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiProblem(400, "invalid_value", "Send the file as multipart/form-data, in the part `file`.",
                         field="file")
    return upload


def _seller_id(caller: Caller) -> int:
    if caller.seller_id is None:
        raise NotAllowed("offer imports are sent by their seller's clients, not the operator's")
    return caller.seller_id


@bp.post("/offers/imports")
@require_scope("catalog:write")
@idempotent  # the import itself is idempotent by file (seller + hash); the key replays the answer too
@operation(tag="catalog", responses={202: ImportOut},
           headers={"Content-Type": "multipart/form-data with `file` (CSV, XLSX or JSON lines) and `mode` "
                                    "(NORMAL or REPLACE)"})
def create_offer_import(caller: Caller):
    """Send an offer file: 202 with the import (``Location`` to poll it). The same file sent again
    answers the same import (200 when nothing is left to run)."""
    seller_id = _seller_id(caller)
    storage = data_imports.Storage.from_settings(current_app.config)
    upload = upload_part(storage)
    from storefront.marketplace.models import Seller

    record, to_run = offer_imports.submit(
        db.session, db.session.get(Seller, seller_id), upload.stream, storage=storage,
        file_name=upload.filename, mode=request.form.get("mode", "NORMAL"), source=ImportSource.API,
    )
    return recorded(record, to_run, _out(record), "api.get_offer_import")


class ImportPage(Out):
    items: list[ImportOut]
    next_cursor: str | None


@bp.get("/offers/imports")
@require_scope("catalog:read")
@operation(tag="catalog", query=PageQuery, responses={200: ImportPage})
def list_offer_imports(caller: Caller, query: PageQuery):
    """The caller's offer imports (sent through the API, the portal or its feed), newest first,
    ``limit`` at a time; the next page in the ``Link`` header (and ``next_cursor``)."""
    found = data_imports.imports_of(db.session, _seller_id(caller), query.limit + 1, kind=ImportKind.OFFERS,
                                    before_id=pages.read_cursor("offer-imports", pages.last_id))
    return pages.id_page("offer-imports", "api.list_offer_imports", found, query.limit, _out)


@bp.get("/offers/imports/<int(max=2147483647):import_id>")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: ImportOut})
def get_offer_import(import_id: int, caller: Caller):
    """An import's status, progress and counts (another seller's import is 404)."""
    return jsonify(_out(offer_imports.get_import(db.session, _seller_id(caller), import_id)))


@bp.get("/offers/imports/<int(max=2147483647):import_id>/errors")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: None})
def get_offer_import_errors(import_id: int, caller: Caller):
    """The import's refused rows as CSV (``;``, UTF-8): line, sku, field, level, message."""
    record = offer_imports.get_import(db.session, _seller_id(caller), import_id)
    return Response(offer_imports.error_report(db.session, record), mimetype="text/csv")


# -- status and tracking imports (orders) ---------------------------------------------------------


class StatusImportOut(Out):
    id: int
    status: str = Field(description="QUEUED, RUNNING, COMPLETE or FAILED")
    file_name: str
    rows_total: int | None
    rows_done: int
    read: int
    applied: int = Field(description="rows applied through the order services")
    already_done: int = Field(description="rows whose effect was already there (nothing changed)")
    warnings: int = Field(description="rows reported as warnings (already done included)")
    refused: int
    error: str | None = Field(description="why the whole file failed (FAILED), else null")
    errors_url: str
    created_at: str
    started_at: str | None
    finished_at: str | None


def _status_out(record: DataImport) -> dict:
    return {
        "id": record.id, "status": record.status.value, "file_name": record.file_name,
        "rows_total": record.rows_total, "rows_done": record.rows_done, "read": record.rows_read,
        "applied": record.updated_count, "already_done": status_imports.already_done(db.session, record),
        "warnings": record.warning_count, "refused": record.refused_count, "error": record.error or None,
        "errors_url": url_for("api.get_status_import_errors", import_id=record.id, _external=True),
        "created_at": rfc3339(record.created_at), "started_at": rfc3339(record.started_at),
        "finished_at": rfc3339(record.finished_at),
    }


def _orders_seller_id(caller: Caller) -> int:
    if caller.seller_id is None:
        raise NotAllowed("status imports are sent by their seller's clients, not the operator's")
    return caller.seller_id


@bp.post("/orders/imports")
@require_scope("orders:write")
@idempotent  # the import itself is idempotent by file (seller + hash); the key replays the answer too
@operation(tag="orders", responses={202: StatusImportOut},
           headers={"Content-Type": "multipart/form-data with `file` (CSV, XLSX or JSON lines): order number, "
                                    "line, action (accept, refuse, ship), quantity, carrier, tracking number, "
                                    "reason code"})
def create_status_import(caller: Caller):
    """Send a status and tracking file: 202 with the import (``Location`` to poll it). Each row goes
    through the same services as ``/orders/{number}/accept``, ``/refuse`` and ``/shipments``. The
    same file sent again answers the same import (200)."""
    seller_id = _orders_seller_id(caller)
    storage = data_imports.Storage.from_settings(current_app.config)
    upload = upload_part(storage)
    from storefront.marketplace.models import Seller

    record, to_run = status_imports.submit(
        db.session, db.session.get(Seller, seller_id), upload.stream, storage=storage,
        file_name=upload.filename, source=ImportSource.API,
    )
    return recorded(record, to_run, _status_out(record), "api.get_status_import")


def recorded(record, to_run: bool, body: dict, endpoint: str):
    """The answer to a file sent: 202 and the job queued for a new import, 200 for the same file
    sent again (its import as it stands); either way a ``Location`` to poll."""
    if to_run:
        from storefront.seller.imports import queue_run

        queue_run(record.id)
    answer = jsonify(body)
    answer.status_code = 202 if to_run else 200
    answer.headers["Location"] = url_for(endpoint, import_id=record.id, _external=True)
    return answer


@bp.get("/orders/imports/<int(max=2147483647):import_id>")
@require_scope("orders:read")
@operation(tag="orders", responses={200: StatusImportOut})
def get_status_import(import_id: int, caller: Caller):
    """A status import's progress and counts (another seller's import is 404)."""
    return jsonify(_status_out(status_imports.get_import(db.session, _orders_seller_id(caller), import_id)))


@bp.get("/orders/imports/<int(max=2147483647):import_id>/errors")
@require_scope("orders:read")
@operation(tag="orders", responses={200: None})
def get_status_import_errors(import_id: int, caller: Caller):
    """The import's reported rows as CSV (``;``, UTF-8): line, order, field, level, message."""
    record = status_imports.get_import(db.session, _orders_seller_id(caller), import_id)
    return Response(data_imports.error_report(db.session, record, headers=("line", "order", "field", "level",
                                                                            "message")), mimetype="text/csv")

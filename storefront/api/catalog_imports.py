"""The operator's catalog and category imports through the API (operator clients only: a
seller's client gets 403 ``not_allowed``). Scopes: ``catalog:write`` to send a file or change the
category mapping, ``catalog:read`` to follow; the same scopes as products and offers, the
operator client being what makes these the operator's (as the API audit is ``sellers:read`` +
operator). Thin adapters over ``marketplace.catalog_imports``, the service behind the back
office's Catalog › Imports pages: the same files, the same mapping of source categories, the
same counts and report; the rows run in the worker."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import catalog_imports, data_imports
from storefront.marketplace.errors import NotAllowed
from storefront.marketplace.models import DataImport, ImportCategoryMapping, ImportSource

from . import bp, pages
from .auth import Caller, require_scope
from .idempotency import idempotent
from .imports import recorded, upload_part
from .orders import rfc3339
from .schema import Body, Out, PageQuery, operation

MAX_ID = 2**31 - 1


class CatalogImportOut(Out):
    id: int
    kind: str = Field(description="PRODUCTS or CATEGORIES")
    status: str = Field(description="QUEUED, RUNNING, COMPLETE or FAILED")
    source: str = Field(description="API, UPLOAD (the back office) or CLI")
    file_name: str
    rows_total: int | None
    rows_done: int
    read: int
    created: int
    updated: int
    refused: int = Field(description="lines refused (nothing of them applied)")
    warnings: int = Field(description="lines applied with a warning (a RECOMMENDED attribute missing)")
    skipped: int = Field(description="product lines of a source category not mapped yet, or excluded")
    error: str | None = Field(description="why the whole file failed (FAILED), else null")
    errors_url: str
    created_at: str
    started_at: str | None
    finished_at: str | None


class CatalogImportPage(Out):
    items: list[CatalogImportOut]
    next_cursor: str | None


class CategoryMappingOut(Out):
    source: str = Field(description="the category as the product files name it")
    category: str | None = Field(description="the shop category's code its products go to; null: not mapped "
                                             "(its lines are skipped)")
    included: bool = Field(description="false: its lines are skipped on purpose")
    rows_seen: int = Field(description="lines of the last file that named it")


class CategoryMappingList(Out):
    items: list[CategoryMappingOut]


class CategoryMappingLine(Body):
    source: str = Field(min_length=1, max_length=catalog_imports.MAX_SOURCE)
    category: str | None = Field(None, max_length=60, description="a shop category's code; null: not mapped")
    included: bool = True


class CategoryMappingBody(Body):
    mappings: list[CategoryMappingLine] = Field(min_length=1, max_length=1000)


def catalog_import_body(record: DataImport) -> dict:
    return {
        "id": record.id, "kind": record.kind.value, "status": record.status.value, "source": record.source.value,
        "file_name": record.file_name, "rows_total": record.rows_total, "rows_done": record.rows_done,
        "read": record.rows_read, "created": record.created_count, "updated": record.updated_count,
        "refused": record.refused_count, "warnings": record.warning_count, "skipped": record.skipped_count,
        "error": record.error or None,
        "errors_url": url_for("api.get_catalog_import_errors", import_id=record.id, _external=True),
        "created_at": rfc3339(record.created_at), "started_at": rfc3339(record.started_at),
        "finished_at": rfc3339(record.finished_at),
    }


def _mapping_body(row: ImportCategoryMapping) -> dict:
    return {"source": row.source, "category": row.category.code if row.category else None,
            "included": row.included, "rows_seen": row.rows_seen}


def _operator(caller: Caller) -> None:
    if not caller.is_operator:
        raise NotAllowed("catalog and category imports are the operator's: a seller's client sends offers")


@bp.post("/catalog/imports")
@require_scope("catalog:write")
@idempotent  # the same file again is the same import too; the key replays the first answer
@operation(tag="catalog", responses={202: CatalogImportOut},
           headers={"Content-Type": "multipart/form-data with `kind` (PRODUCTS or CATEGORIES) and `file` "
                                    "(CSV, XLSX or JSON lines, the columns of docs/imports.md)"})
def create_catalog_import(caller: Caller):
    """Send a product file or a category tree: 202 with the import (``Location`` to poll it).

    The same file sent again while it runs answers that import (200); once it has finished, it is
    queued again and runs from its first line (both kinds apply idempotently: after mapping its
    source categories, say). A file refused as a whole answers 422 at once."""
    _operator(caller)
    storage = data_imports.Storage.from_settings(current_app.config)
    upload = upload_part(storage)
    record, to_run = catalog_imports.submit(
        db.session, request.form.get("kind", ""), upload.stream, storage=storage, file_name=upload.filename,
        source=ImportSource.API,
    )
    return recorded(record, to_run, catalog_import_body(record), "api.get_catalog_import")


@bp.get("/catalog/imports")
@require_scope("catalog:read")
@operation(tag="catalog", query=PageQuery, responses={200: CatalogImportPage})
def list_catalog_imports(caller: Caller, query: PageQuery):
    """The operator's catalog and category imports, newest first (whoever sent them: the API, the
    back office, the command line), ``limit`` at a time; the next page in the ``Link`` header."""
    _operator(caller)
    found = catalog_imports.imports(db.session, query.limit + 1,
                                    before_id=pages.read_cursor("catalog-imports", pages.last_id))
    return pages.id_page("catalog-imports", "api.list_catalog_imports", found, query.limit, catalog_import_body)


@bp.get(f"/catalog/imports/<int(max={MAX_ID}):import_id>")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: CatalogImportOut})
def get_catalog_import(import_id: int, caller: Caller):
    """A catalog or category import's status, progress and counts."""
    _operator(caller)
    return jsonify(catalog_import_body(catalog_imports.get_import(db.session, import_id)))


@bp.get(f"/catalog/imports/<int(max={MAX_ID}):import_id>/errors")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: None}, media_types=("text/csv",))
def get_catalog_import_errors(import_id: int, caller: Caller):
    """The import's report as CSV (``;``, UTF-8), the back office's: line, key (GTIN or code),
    field, level (ERROR, WARNING, SKIPPED), message."""
    _operator(caller)
    record = catalog_imports.get_import(db.session, import_id)
    body = data_imports.error_report(db.session, record, headers=("line", "key", "field", "level", "message"))
    return Response(body, mimetype="text/csv")


@bp.get("/catalog/imports/category-mappings")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: CategoryMappingList})
def list_import_category_mappings(caller: Caller):
    """The product files' source categories and where they go, the unmapped ones first (a
    category first seen in a file is listed unmapped, its lines skipped until it is mapped)."""
    _operator(caller)
    return jsonify({"items": [_mapping_body(row) for row in catalog_imports.mappings(db.session)]})


@bp.put("/catalog/imports/category-mappings")
@require_scope("catalog:write")
@operation(tag="catalog", body=CategoryMappingBody, responses={200: CategoryMappingList})
def put_import_category_mappings(caller: Caller, body: CategoryMappingBody):
    """Map source categories to the shop's (by code) or exclude them, for the next product files
    (the sources not named are left as they are). An unknown category code answers 422 and
    nothing is saved. Send the file again to apply the new mapping to it."""
    _operator(caller)
    catalog_imports.save_mapping_by_code(
        db.session, [(line.source, line.category, line.included) for line in body.mappings])
    return jsonify({"items": [_mapping_body(row) for row in catalog_imports.mappings(db.session)]})
